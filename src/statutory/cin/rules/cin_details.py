"""CINdetails rules: referrals, closures, episodes and what hangs off them."""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.cin.rules._common import (
    CHILD,
    CIN_KEY,
    is_false,
    is_true,
    outside_year,
    pairs,
    rows_of,
    with_child,
)
from statutory.cin.workdays import shift_working_days
from statutory.engine import Context, Flag, rule

CLOSED_AFTER_ASSESSMENT = ("RC8", "RC9")


def _cin(ctx: Context) -> pl.DataFrame:
    return ctx.table("CINdetails")


def _keys(frame: pl.DataFrame) -> pl.DataFrame:
    return frame.select(*CIN_KEY).drop_nulls().unique()


def _has(frame: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    """Rows of `frame` whose (LAchildID, CINdetailsID) is among `keys`."""
    return frame.join(_keys(keys), on=list(CIN_KEY), how="semi")


def _lacks(frame: pl.DataFrame, keys: pl.DataFrame) -> pl.DataFrame:
    return frame.join(_keys(keys), on=list(CIN_KEY), how="anti")


@rule("2990", table="CINdetails", fields=("ReasonForClosure",))
def activity_after_rc8_rc9(ctx: Context) -> list[Flag]:
    """An episode closed with RC8 or RC9 (closed after assessment) must have no CIN plan,
    section 47 enquiry, child protection plan or initial conference: the episode and each
    such module are flagged."""
    closed = _cin(ctx).filter(pl.col("ReasonForClosure").is_in(CLOSED_AFTER_ASSESSMENT))
    plans = _has(ctx.table("CINplanDates"), closed)
    s47 = _has(ctx.table("Section47"), closed)
    cpp = _has(ctx.table("ChildProtectionPlans"), closed)
    active = pl.concat([_keys(plans), _keys(s47), _keys(cpp)])
    episodes = pl.concat(
        [_has(closed, active), closed.filter(pl.col("DateOfInitialCPC").is_not_null())]
    ).unique(subset="ROW_NUMBER", keep="first")
    return [
        Flag("CINdetails", episodes, ("ReasonForClosure",)),
        Flag("CINplanDates", plans, ("CINPlanStartDate",)),
        Flag("Section47", s47, ("S47ActualStartDate",)),
        Flag("ChildProtectionPlans", cpp, ("CPPstartDate",)),
    ]


@rule("2991Q", table="CINdetails", fields=("CINdetailsID",))
def s47_without_assessment(ctx: Context) -> list[Flag]:
    """An episode with a section 47 module and no assessment: the episode and its section 47
    rows are flagged (the open-source validator flags the section 47 rows)."""
    s47 = ctx.table("Section47")
    without = _lacks(_has(_cin(ctx), s47), ctx.table("Assessments"))
    return [
        Flag("CINdetails", without, ("CINdetailsID",)),
        Flag("Section47", _has(s47, without), ("CINdetailsID",)),
    ]


@rule("8555Q", table="CINdetails", fields=("PersonDeathDate", "CINreferralDate"))
def referral_after_death(ctx: Context) -> pl.DataFrame:
    cin = with_child(_cin(ctx), ctx, ["PersonDeathDate"])
    return cin.filter(pl.col("CINreferralDate") > pl.col("PersonDeathDate"))


@rule("8568", table="CINdetails", fields=("ReferralNFA",))
def nfa_flag_valid(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(
        pl.col("ReferralNFA").is_null() | ~pl.col("ReferralNFA").is_in(ctx.codes("Boolean"))
    )


@rule("8569Q", table="CINdetails", fields=("ReferralNFA",))
def nfa_old_referral(ctx: Context) -> pl.DataFrame:
    """DfE: if CINreferralDate is before the start of the census year minus 1 working day,
    ReferralNFA must be false (so true, missing or invalid is flagged)."""
    cutoff = shift_working_days(ctx.collection_start, -1)
    return _cin(ctx).filter(~is_false("ReferralNFA") & (pl.col("CINreferralDate") < cutoff))


@rule("8585Q", table="CINdetails", fields=("ReasonForClosure", "PersonDeathDate"))
def died_without_death_date(ctx: Context) -> list[Flag]:
    """DfE: reason for closure RC2 (child died) needs a valid PersonDeathDate on the child's
    record (missing or not a date is flagged). The episode and the child's record are flagged."""
    cin = with_child(_cin(ctx), ctx, ["PersonDeathDate", "ROW_NUMBER"])
    bad = cin.filter(
        (pl.col("ReasonForClosure") == "RC2")
        & pl.col("PersonDeathDate").is_null()
        & pl.col("ROW_NUMBER_child").is_not_null()
    )
    return [
        Flag("CINdetails", bad, ("ReasonForClosure",)),
        Flag(
            "ChildIdentifiers",
            rows_of(ctx.table("ChildIdentifiers"), bad["ROW_NUMBER_child"]),
            ("PersonDeathDate",),
        ),
    ]


@rule("8600", table="CINdetails", fields=("CINreferralDate",))
def referral_date_valid(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(
        pl.col("CINreferralDate").is_null() | (pl.col("CINreferralDate") > ctx.reference_date)
    )


@rule(
    "8606",
    table="CINdetails",
    fields=("CINreferralDate", "PersonBirthDate", "ExpectedPersonBirthDate"),
)
def referral_long_before_birth(ctx: Context) -> list[Flag]:
    """DfE: CINreferralDate cannot be more than 280 days before PersonBirthDate or
    ExpectedPersonBirthDate (either, where present). The episode and the child's record are
    flagged."""
    cin = with_child(_cin(ctx), ctx, ["PersonBirthDate", "ExpectedPersonBirthDate", "ROW_NUMBER"])
    referral = pl.col("CINreferralDate")
    bad = cin.filter(
        (referral < pl.col("PersonBirthDate") - pl.duration(days=280)).fill_null(False)
        | (referral < pl.col("ExpectedPersonBirthDate") - pl.duration(days=280)).fill_null(False)
    )
    return [
        Flag("CINdetails", bad, ("CINreferralDate",)),
        Flag(
            "ChildIdentifiers",
            rows_of(ctx.table("ChildIdentifiers"), bad["ROW_NUMBER_child"]),
            ("PersonBirthDate", "ExpectedPersonBirthDate"),
        ),
    ]


@rule("8610", table="CINdetails", fields=("ReferralNFA", "PrimaryNeedCode"))
def primary_need_for_further_action(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(is_false("ReferralNFA") & pl.col("PrimaryNeedCode").is_null())


@rule("8620", table="CINdetails", fields=("CINclosureDate",))
def closure_in_year(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(outside_year("CINclosureDate", ctx))


@rule("8630", table="CINdetails", fields=("CINreferralDate", "CINclosureDate"))
def closure_before_referral(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(pl.col("CINclosureDate") < pl.col("CINreferralDate"))


@rule("8640", table="CINdetails", fields=("ReasonForClosure",))
def closure_reason_valid(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(
        pl.col("ReasonForClosure").is_not_null()
        & ~pl.col("ReasonForClosure").is_in(ctx.codes("ReasonForClosure"))
    )


@rule("8650", table="CINdetails", fields=("PrimaryNeedCode",))
def primary_need_valid(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(
        pl.col("PrimaryNeedCode").is_not_null()
        & ~pl.col("PrimaryNeedCode").is_in(ctx.codes("PrimaryNeedCode"))
    )


@rule("8805", table="CINdetails", fields=("CINclosureDate", "ReasonForClosure"))
def closure_without_reason(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(
        pl.col("CINclosureDate__raw").is_not_null() & pl.col("ReasonForClosure").is_null()
    )


@rule("8810", table="CINdetails", fields=("ReasonForClosure", "CINclosureDate"))
def reason_without_closure(ctx: Context) -> pl.DataFrame:
    return _cin(ctx).filter(
        pl.col("ReasonForClosure").is_not_null() & pl.col("CINclosureDate__raw").is_null()
    )


def _open_further(cin: pl.DataFrame) -> pl.Expr:
    del cin
    return pl.col("CINclosureDate__raw").is_null() & is_false("ReferralNFA")


@rule("8815", table="CINdetails", fields=("ReferralNFA", "CINclosureDate"))
def several_open_episodes(ctx: Context) -> pl.DataFrame:
    """Every open episode (no closure date, ReferralNFA false/0) of a child with more than one."""
    cin = _cin(ctx)
    open_ = cin.filter(_open_further(cin))
    return open_.filter(pl.len().over(CHILD) > 1)


@rule("8816", table="CINdetails", fields=("CINreferralDate", "ReferralNFA"))
def open_episode_not_latest(ctx: Context) -> pl.DataFrame:
    """An open episode that went on to further action whose referral date is not the child's
    latest: that episode and the child's latest one are flagged."""
    cin = _cin(ctx).with_columns(pl.col("CINreferralDate").max().over(CHILD).alias("_latest"))
    bad = cin.filter(_open_further(cin) & (pl.col("CINreferralDate") != pl.col("_latest")))
    latest = cin.filter(
        (pl.col("CINreferralDate") == pl.col("_latest"))
        & pl.col(CHILD).is_in(bad.get_column(CHILD).unique().implode())
    )
    rows = pl.concat([bad.get_column("ROW_NUMBER"), latest.get_column("ROW_NUMBER")])
    return rows_of(_cin(ctx), rows)


@rule("8820", table="CINdetails", fields=("CINreferralDate", "CINclosureDate"))
def episodes_overlap(ctx: Context) -> pl.DataFrame:
    """Two episodes of a child overlap when one's referral date falls on or after the other's
    referral date and before its closure date (or, for the other still open and going on to
    further action, on or before the reference date). The DfE note allows a referral on the
    day the previous one closed, so that day is not an overlap (the open-source validator
    counts it). Both episodes are flagged."""
    cin = _cin(ctx).filter(pl.col("CINreferralDate").is_not_null())
    both = pairs(
        cin, [CHILD], ["CINreferralDate", "CINclosureDate", "CINclosureDate__raw", "ReferralNFA"]
    )
    start = pl.col("CINreferralDate")
    other_open = pl.col("CINclosureDate__raw_other").is_null() & pl.col("ReferralNFA_other").is_in(
        ("0", "FALSE")
    ).fill_null(False)
    hit = both.filter(
        (start >= pl.col("CINreferralDate_other"))
        & (
            (start < pl.col("CINclosureDate_other")).fill_null(False)
            | (other_open & (start <= ctx.reference_date))
        )
    )
    rows = pl.concat([hit.get_column("ROW_NUMBER"), hit.get_column("ROW_NUMBER_other")])
    return rows_of(_cin(ctx), rows)


@rule("8825Q", table="CINdetails", fields=("ReasonForClosure",))
def rc8_rc9_without_assessment(ctx: Context) -> pl.DataFrame:
    closed = _cin(ctx).filter(pl.col("ReasonForClosure").is_in(CLOSED_AFTER_ASSESSMENT))
    return _lacks(closed, ctx.table("Assessments"))


@rule(
    "8831",
    table="CINdetails",
    fields=(
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
        "S47ActualStartDate",
        "DateOfInitialCPC",
    ),
)
def activity_on_nfa(ctx: Context) -> list[Flag]:
    """A referral with no further action (ReferralNFA true/1) must have no assessment, section
    47 enquiry or initial conference dates: the episode and each such row are flagged."""
    nfa = _cin(ctx).filter(is_true("ReferralNFA"))
    assessments = _has(ctx.table("Assessments"), nfa).filter(
        pl.col("AssessmentActualStartDate").is_not_null()
        | pl.col("AssessmentAuthorisationDate").is_not_null()
    )
    s47 = _has(ctx.table("Section47"), nfa).filter(
        pl.col("S47ActualStartDate").is_not_null() | pl.col("DateOfInitialCPC").is_not_null()
    )
    episodes = pl.concat(
        [
            _has(nfa, pl.concat([_keys(assessments), _keys(s47)])),
            nfa.filter(pl.col("DateOfInitialCPC").is_not_null()),
        ]
    ).unique(subset="ROW_NUMBER", keep="first")
    return [
        Flag("CINdetails", episodes, ("ReferralNFA", "DateOfInitialCPC")),
        Flag(
            "Assessments",
            assessments,
            ("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
        ),
        Flag("Section47", s47, ("S47ActualStartDate", "DateOfInitialCPC")),
    ]


@rule("8866", table="CINdetails", fields=("CINreferralDate", "ReferralSource"))
def referral_source_valid(ctx: Context) -> pl.DataFrame:
    """DfE: if CINreferralDate is on or after 1 April 2013, ReferralSource must be present and a
    valid code (older referrals, and episodes without a referral date, are not checked here)."""
    source = pl.col("ReferralSource")
    return _cin(ctx).filter(
        (pl.col("CINreferralDate") >= dt.date(2013, 4, 1))
        & (source.is_null() | ~source.is_in(ctx.codes("ReferralSource")))
    )


@rule("8867", table="CINdetails", fields=("CINclosureDate", "AssessmentAuthorisationDate"))
def closed_with_open_assessment(ctx: Context) -> list[Flag]:
    closed = _cin(ctx).filter(pl.col("CINclosureDate__raw").is_not_null())
    open_ = _has(ctx.table("Assessments"), closed).filter(
        pl.col("AssessmentAuthorisationDate").is_null()
    )
    return [
        Flag("CINdetails", _has(closed, open_), ("CINclosureDate",)),
        Flag("Assessments", open_, ("AssessmentAuthorisationDate",)),
    ]


@rule("8868", table="CINdetails", fields=("ICPCnotRequired", "CINclosureDate", "DateOfInitialCPC"))
def closed_with_open_s47(ctx: Context) -> list[Flag]:
    """DfE: if CINclosureDate is present, every section 47 of the episode must either have an
    initial conference date or ICPCnotRequired true: one with neither, or with both (the
    "either" read as one or the other, as the open-source validator does), is flagged. An
    episode with no section 47 at all is not (the validator flags it; the DfE's "all
    instances" is then empty)."""
    closed = _cin(ctx).filter(pl.col("CINclosureDate__raw").is_not_null())
    has_date = pl.col("DateOfInitialCPC").is_not_null()
    open_ = _has(ctx.table("Section47"), closed).filter(has_date == is_true("ICPCnotRequired"))
    return [
        Flag("CINdetails", _has(closed, open_), ("CINclosureDate",)),
        Flag("Section47", open_, ("DateOfInitialCPC", "ICPCnotRequired")),
    ]


@rule("8890", table="CINdetails", fields=("S47ActualStartDate",))
def s47_overlap(ctx: Context) -> list[Flag]:
    """DfE: within one CINdetails group, each S47ActualStartDate must not fall on or between the
    start and initial conference date of any other section 47 in the group, or its start and
    the reference date when it has no conference date and ICPCnotRequired is not true. Both
    enquiries are flagged. (The open-source validator compares enquiries in *different*
    episodes of the child instead.)"""
    s47 = ctx.table("Section47").filter(pl.col("S47ActualStartDate").is_not_null())
    both = pairs(s47, list(CIN_KEY), ["S47ActualStartDate", "DateOfInitialCPC", "ICPCnotRequired"])
    start = pl.col("S47ActualStartDate")
    other_open = pl.col("DateOfInitialCPC_other").is_null() & ~pl.col(
        "ICPCnotRequired_other"
    ).is_in(("1", "TRUE")).fill_null(False)
    hit = both.filter(
        (start >= pl.col("S47ActualStartDate_other"))
        & (
            (start <= pl.col("DateOfInitialCPC_other")).fill_null(False)
            | (other_open & (start <= ctx.reference_date))
        )
    )
    rows = pl.concat([hit.get_column("ROW_NUMBER"), hit.get_column("ROW_NUMBER_other")])
    return [Flag("Section47", rows_of(ctx.table("Section47"), rows), ("S47ActualStartDate",))]
