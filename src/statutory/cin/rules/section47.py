"""Section47 rules: enquiries and initial child protection conferences."""

from __future__ import annotations

import polars as pl

from statutory.cin.rules._common import (
    CHILD,
    CIN_KEY,
    in_year,
    is_false,
    is_true,
    outside_year,
    rows_of,
    with_cin,
)
from statutory.cin.workdays import shift_working_days, weekend
from statutory.engine import Context, Flag, rule


def _s47(ctx: Context) -> pl.DataFrame:
    return ctx.table("Section47")


def _no_conference() -> pl.Expr:
    """No initial conference held and not ruled out (ICPCnotRequired not true)."""
    return pl.col("DateOfInitialCPC__raw").is_null() & ~is_true("ICPCnotRequired")


def _no_conference_flag_false() -> pl.Expr:
    """No initial conference date and ICPCnotRequired false or 0 (the DfE's wording in 8675Q
    and 8740; a missing flag is 8568-style bad data, not this rule's business)."""
    return pl.col("DateOfInitialCPC__raw").is_null() & is_false("ICPCnotRequired")


@rule("1104", table="Section47", fields=("CINreferralDate", "DateOfInitialCPC"))
def conference_before_referral(ctx: Context) -> list[Flag]:
    """An initial conference (on the section 47 or on the CIN details) before the referral."""
    joined = with_cin(_s47(ctx), ctx, ["CINreferralDate", "ROW_NUMBER"])
    bad = joined.filter(pl.col("DateOfInitialCPC") < pl.col("CINreferralDate"))
    cin = ctx.table("CINdetails")
    cin_bad = cin.filter(pl.col("DateOfInitialCPC") < pl.col("CINreferralDate"))
    return [
        Flag("Section47", bad, ("DateOfInitialCPC",)),
        Flag(
            "CINdetails",
            pl.concat([rows_of(cin, bad["ROW_NUMBER_cin"]), cin_bad]).unique("ROW_NUMBER"),
            ("CINreferralDate", "DateOfInitialCPC"),
        ),
    ]


@rule("2884", table="Section47", fields=("DateOfInitialCPC",))
def conference_recorded_twice(ctx: Context) -> list[Flag]:
    """The same initial conference recorded twice: a CIN details conference date equal to a
    section 47 conference date of the same child (as the DfE detail text and the open-source
    validator compare them). Both rows are flagged."""
    cin = ctx.table("CINdetails").filter(pl.col("DateOfInitialCPC").is_not_null())
    s47 = _s47(ctx).filter(pl.col("DateOfInitialCPC").is_not_null())
    pairs_ = s47.select(CHILD, "DateOfInitialCPC", pl.col("ROW_NUMBER").alias("_s47_row")).join(
        cin.select(CHILD, "DateOfInitialCPC", pl.col("ROW_NUMBER").alias("_cin_row")),
        on=[CHILD, "DateOfInitialCPC"],
    )
    return [
        Flag("Section47", rows_of(_s47(ctx), pairs_["_s47_row"]), ("DateOfInitialCPC",)),
        Flag(
            "CINdetails",
            rows_of(ctx.table("CINdetails"), pairs_["_cin_row"]),
            ("DateOfInitialCPC",),
        ),
    ]


@rule("2889", table="Section47", fields=("S47ActualStartDate", "CINreferralDate"))
def s47_before_referral(ctx: Context) -> list[Flag]:
    joined = with_cin(_s47(ctx), ctx, ["CINreferralDate", "ROW_NUMBER"])
    bad = joined.filter(pl.col("S47ActualStartDate") < pl.col("CINreferralDate"))
    return [
        Flag("Section47", bad, ("S47ActualStartDate",)),
        Flag(
            "CINdetails",
            rows_of(ctx.table("CINdetails"), bad["ROW_NUMBER_cin"]),
            ("CINreferralDate",),
        ),
    ]


@rule("8615", table="Section47", fields=("S47ActualStartDate", "DateOfInitialCPC"))
def s47_start_valid(ctx: Context) -> pl.DataFrame:
    """DfE: within a Section47 group, if DateOfInitialCPC is present, S47ActualStartDate must be
    present and on or before it."""
    start, conference = pl.col("S47ActualStartDate"), pl.col("DateOfInitialCPC")
    return _s47(ctx).filter(
        (conference.is_not_null() & start.is_null()) | (start > conference).fill_null(False)
    )


@rule(
    "8675Q", table="Section47", fields=("DateOfInitialCPC", "S47ActualStartDate", "ICPCnotReqiured")
)
def open_s47_15_days(ctx: Context) -> pl.DataFrame:
    """No initial conference date, ICPCnotRequired false (or missing), and the enquiry started
    before the reference date minus 15 working days. (The DfE text: "should not be before";
    the open-source validator flags starts *after* that date instead.)"""
    limit = shift_working_days(ctx.reference_date, -15)
    return _s47(ctx).filter(_no_conference_flag_false() & (pl.col("S47ActualStartDate") < limit))


@rule("8715", table="Section47", fields=("DateOfInitialCPC", "ReferenceDate"))
def conference_in_year(ctx: Context) -> list[Flag]:
    """A conference date (section 47 or CIN details) outside the census year."""
    return [
        Flag(
            "Section47",
            _s47(ctx).filter(outside_year("DateOfInitialCPC", ctx)),
            ("DateOfInitialCPC",),
        ),
        Flag(
            "CINdetails",
            ctx.table("CINdetails").filter(outside_year("DateOfInitialCPC", ctx)),
            ("DateOfInitialCPC",),
        ),
    ]


@rule(
    "8740", table="Section47", fields=("S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired")
)
def open_s47_started_in_year(ctx: Context) -> pl.DataFrame:
    """An enquiry with no conference held by the end of the year (and not ruled out) must have
    started in the census year."""
    return _s47(ctx).filter(
        _no_conference_flag_false()
        & pl.col("S47ActualStartDate").is_not_null()
        & ~in_year("S47ActualStartDate", ctx)
    )


@rule("8839", table="Section47", fields=("DateOfInitialCPC",))
def several_open_s47(ctx: Context) -> pl.DataFrame:
    open_ = _s47(ctx).filter(_no_conference())
    return open_.filter(pl.len().over(CIN_KEY) > 1)


@rule("8870Q", table="Section47", fields=("InitialCPCtarget",))
def target_on_weekend(ctx: Context) -> pl.DataFrame:
    return _s47(ctx).filter(weekend(pl.col("InitialCPCtarget")))


@rule("8875", table="Section47", fields=("DateOfInitialCPC",))
def conference_on_weekend(ctx: Context) -> list[Flag]:
    return [
        Flag(
            "Section47",
            _s47(ctx).filter(weekend(pl.col("DateOfInitialCPC"))),
            ("DateOfInitialCPC",),
        ),
        Flag(
            "CINdetails",
            ctx.table("CINdetails").filter(weekend(pl.col("DateOfInitialCPC"))),
            ("DateOfInitialCPC",),
        ),
    ]
