"""Assessments rules. The table has one row per assessment factor; `AssessmentID` numbers the
assessments within their CIN details episode, so an assessment is (LAchildID, CINdetailsID,
AssessmentID). A rule about an assessment flags all of its rows."""

from __future__ import annotations

import polars as pl

from statutory.cin.rules._common import CIN_KEY, outside_year, pairs, rows_of, with_cin
from statutory.cin.workdays import shift_working_days
from statutory.engine import Context, Flag, rule

ASSESSMENT = (*CIN_KEY, "AssessmentID")


def _assessments(ctx: Context) -> pl.DataFrame:
    return ctx.table("Assessments")


def _whole(ctx: Context, rows: pl.DataFrame) -> pl.DataFrame:
    """All rows of the assessments some of whose rows are in `rows`."""
    keys = rows.select(ASSESSMENT).unique()
    return _assessments(ctx).join(keys, on=list(ASSESSMENT), how="semi", nulls_equal=True)


@rule("1103", table="Assessments", fields=("AssessmentActualStartDate", "CINreferralDate"))
def assessment_before_referral(ctx: Context) -> list[Flag]:
    joined = with_cin(_assessments(ctx), ctx, ["CINreferralDate", "ROW_NUMBER"])
    bad = joined.filter(pl.col("AssessmentActualStartDate") < pl.col("CINreferralDate"))
    return [
        Flag("Assessments", bad, ("AssessmentActualStartDate",)),
        Flag(
            "CINdetails",
            rows_of(ctx.table("CINdetails"), bad["ROW_NUMBER_cin"]),
            ("CINreferralDate",),
        ),
    ]


@rule(
    "8608", table="Assessments", fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate")
)
def start_after_end(ctx: Context) -> pl.DataFrame:
    return _assessments(ctx).filter(
        pl.col("AssessmentActualStartDate") > pl.col("AssessmentAuthorisationDate")
    )


@rule("8614", table="Assessments", fields=("AssessmentAuthorisationDate", "AssessmentFactors"))
def factors_on_incomplete(ctx: Context) -> pl.DataFrame:
    return _assessments(ctx).filter(
        pl.col("AssessmentAuthorisationDate__raw").is_null()
        & pl.col("AssessmentFactors").is_not_null()
    )


@rule("8670Q", table="Assessments", fields=("AssessmentActualStartDate",))
def open_assessment_45_days(ctx: Context) -> pl.DataFrame:
    """No authorisation date and a start before the reference date minus 45 working days
    (England and Wales bank holidays excluded)."""
    limit = shift_working_days(ctx.reference_date, -45)
    return _assessments(ctx).filter(
        pl.col("AssessmentAuthorisationDate__raw").is_null()
        & (pl.col("AssessmentActualStartDate") < limit)
    )


@rule("8696", table="Assessments", fields=("AssessmentAuthorisationDate", "ReferenceDate"))
def end_in_year(ctx: Context) -> pl.DataFrame:
    return _assessments(ctx).filter(outside_year("AssessmentAuthorisationDate", ctx))


@rule(
    "8736", table="Assessments", fields=("AssessmentAuthorisationDate", "AssessmentActualStartDate")
)
def open_assessment_started_in_year(ctx: Context) -> pl.DataFrame:
    """An assessment not completed (no authorisation date) must have started within the
    census year."""
    return _assessments(ctx).filter(
        pl.col("AssessmentAuthorisationDate__raw").is_null()
        & outside_year("AssessmentActualStartDate", ctx)
    )


@rule(
    "8863Q",
    table="Assessments",
    fields=("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
)
def assessment_overlap(ctx: Context) -> pl.DataFrame:
    """DfE: within one CINdetails group, each AssessmentActualStartDate must not fall on or
    between the start and authorisation date of any other assessment in the group, or its start
    and the reference date when it is not authorised. Assessments are told apart by
    AssessmentID (so two with the same dates are still compared); all rows of both are flagged."""
    one = (
        _assessments(ctx)
        .filter(pl.col("AssessmentActualStartDate").is_not_null())
        .unique(subset=list(ASSESSMENT), keep="first")
    )
    both = pairs(
        one,
        list(CIN_KEY),
        ["AssessmentID", "AssessmentActualStartDate", "AssessmentAuthorisationDate"],
    )
    start = pl.col("AssessmentActualStartDate")
    hit = both.filter(
        (start >= pl.col("AssessmentActualStartDate_other"))
        & (
            (start <= pl.col("AssessmentAuthorisationDate_other")).fill_null(False)
            | (
                pl.col("AssessmentAuthorisationDate_other").is_null()
                & (start <= ctx.reference_date)
            )
        )
    )
    keys = pl.concat(
        [
            hit.select(*CIN_KEY, "AssessmentID"),
            hit.select(*CIN_KEY, pl.col("AssessmentID_other").alias("AssessmentID")),
        ]
    )
    return _whole(ctx, keys)


@rule("8869", table="Assessments", fields=("AssessmentFactors",))
def factor_21_alone(ctx: Context) -> pl.DataFrame:
    """DfE: if an assessment records factor 21 (no factors identified) it must be the only
    factor: its other factor rows are flagged. (The open-source validator groups by episode, so
    it also flags factors of another assessment in the same episode.)"""
    factors = pl.col("AssessmentFactors")
    return _assessments(ctx).filter(
        (factors == "21").fill_null(False).any().over(ASSESSMENT)
        & (factors != "21").fill_null(False)
    )


@rule("8873Q", table="Assessments", fields=("ReasonForClosure", "AssessmentFactors"))
def factor_21_closure_reason(ctx: Context) -> list[Flag]:
    """DfE: within a CINdetails group with only one assessment, if its factors include 21 (no
    factors identified), ReasonForClosure should be RC8 or RC9 (missing counts as not)."""
    rows = _assessments(ctx).with_columns(
        pl.col("AssessmentID").n_unique().over(CIN_KEY).alias("_n")
    )
    joined = with_cin(rows, ctx, ["ReasonForClosure", "ROW_NUMBER"])
    bad = joined.filter(
        (pl.col("_n") == 1)
        & (pl.col("AssessmentFactors") == "21")
        & ~pl.col("ReasonForClosure").is_in(("RC8", "RC9")).fill_null(False)
    )
    return [
        Flag("Assessments", bad, ("AssessmentFactors",)),
        Flag(
            "CINdetails",
            rows_of(ctx.table("CINdetails"), bad["ROW_NUMBER_cin"]),
            ("ReasonForClosure",),
        ),
    ]


@rule("8896", table="Assessments", fields=("AssessmentAuthorisationDate",))
def several_open_assessments(ctx: Context) -> pl.DataFrame:
    """Two or more assessments in one episode with no authorisation date: all their rows."""
    open_ = _assessments(ctx).filter(pl.col("AssessmentAuthorisationDate__raw").is_null())
    return open_.filter(pl.col("AssessmentID").n_unique().over(CIN_KEY) > 1)


@rule("8897Q", table="Assessments", fields=("AssessmentAuthorisationDate", "AssessmentFactors"))
def completed_without_factors(ctx: Context) -> pl.DataFrame:
    """DfE: if AssessmentAuthorisationDate is on or after the start of the census year, one or
    more AssessmentFactors must be present and valid: each row of such an assessment with no
    factor, or an unknown one, is flagged."""
    factors = pl.col("AssessmentFactors")
    return _assessments(ctx).filter(
        (pl.col("AssessmentAuthorisationDate") >= ctx.collection_start)
        & (factors.is_null() | ~factors.is_in(ctx.codes("AssessmentFactors")))
    )


@rule("8898", table="Assessments", fields=("AssessmentFactors",))
def repeated_factor(ctx: Context) -> pl.DataFrame:
    return _assessments(ctx).filter(
        pl.col("AssessmentFactors").is_not_null()
        & (pl.len().over(*ASSESSMENT, "AssessmentFactors") > 1)
    )


@rule("8945Q", table="Assessments", fields=("AssessmentFactors",))
def factor_18a(ctx: Context) -> pl.DataFrame:
    return _assessments(ctx).filter(pl.col("AssessmentFactors") == "18A")


@rule("8950Q", table="Assessments", fields=("AssessmentFactors",))
def factor_19a(ctx: Context) -> pl.DataFrame:
    return _assessments(ctx).filter(pl.col("AssessmentFactors") == "19A")
