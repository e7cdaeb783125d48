"""ChildProtectionPlans and Reviews rules."""

from __future__ import annotations

import polars as pl

from statutory.cin.rules._common import (
    CHILD,
    CIN_KEY,
    in_year,
    is_true,
    la_level,
    no_rows,
    outside_year,
    pairs,
    rows_of,
    with_child,
    with_cin,
)
from statutory.engine import Context, Flag, rule


def _cpp(ctx: Context) -> pl.DataFrame:
    return ctx.table("ChildProtectionPlans")


@rule("1105", table="ChildProtectionPlans", fields=("CPPstartDate", "CINreferralDate"))
def cpp_before_referral(ctx: Context) -> list[Flag]:
    joined = with_cin(_cpp(ctx), ctx, ["CINreferralDate", "ROW_NUMBER"])
    bad = joined.filter(pl.col("CPPstartDate") < pl.col("CINreferralDate"))
    return [
        Flag("ChildProtectionPlans", bad, ("CPPstartDate",)),
        Flag(
            "CINdetails",
            rows_of(ctx.table("CINdetails"), bad["ROW_NUMBER_cin"]),
            ("CINreferralDate",),
        ),
    ]


@rule("2883", table="ChildProtectionPlans", fields=("CPPstartDate", "DateOfInitialCPC"))
def more_plans_than_conferences(ctx: Context) -> pl.DataFrame:
    """LA level: plans starting in the year outnumber initial conferences in the year (CIN
    details and section 47 conference dates together)."""
    plans = _cpp(ctx).filter(in_year("CPPstartDate", ctx)).height
    conferences = (
        ctx.table("CINdetails").filter(in_year("DateOfInitialCPC", ctx)).height
        + ctx.table("Section47").filter(in_year("DateOfInitialCPC", ctx)).height
    )
    return la_level(ctx, "ChildProtectionPlans") if plans > conferences else no_rows()


@rule("2885", table="ChildProtectionPlans", fields=("CPPstartDate", "DateOfInitialCPC"))
def plan_starts_on_conference(ctx: Context) -> list[Flag]:
    """A plan starting in the year must start on the day of an initial conference of its
    episode: a section 47 conference date, or the CIN details conference date."""
    plans = _cpp(ctx).filter(in_year("CPPstartDate", ctx))
    s47_dates = ctx.table("Section47").select(*CIN_KEY, pl.col("DateOfInitialCPC").alias("_d"))
    cin_dates = ctx.table("CINdetails").select(*CIN_KEY, pl.col("DateOfInitialCPC").alias("_d"))
    dates = pl.concat([s47_dates, cin_dates]).drop_nulls()
    matched = plans.join(
        dates, left_on=[*CIN_KEY, "CPPstartDate"], right_on=[*CIN_KEY, "_d"], how="semi"
    )
    bad = plans.join(matched.select("ROW_NUMBER"), on="ROW_NUMBER", how="anti")
    return [Flag("ChildProtectionPlans", bad, ("CPPstartDate",))]


@rule(
    "8565",
    table="ChildProtectionPlans",
    fields=(
        "CINclosureDate",
        "DateOfInitialCPC",
        "AssessmentActualStartDate",
        "AssessmentAuthorisationDate",
        "S47ActualStartDate",
        "CPPendDate",
        "CINPlanStartDate",
        "CINPlanEndDate",
    ),
)
def activity_after_closure(ctx: Context) -> list[Flag]:
    """A closed episode must have no date after its closure date: its conference date, its
    assessments' start and authorisation, its section 47 starts and conferences, its plans'
    end dates, its CIN plans' start and end. The episode and each late row are flagged."""
    cin = ctx.table("CINdetails").filter(pl.col("CINclosureDate").is_not_null())
    closure = cin.select(*CIN_KEY, pl.col("CINclosureDate").alias("_closed")).unique(
        subset=list(CIN_KEY)
    )

    def late(table: str, columns: tuple[str, ...]) -> pl.DataFrame:
        joined = ctx.table(table).join(closure, on=list(CIN_KEY))
        after = pl.any_horizontal(
            [(pl.col(c) > pl.col("_closed")).fill_null(False) for c in columns]
        )
        return joined.filter(after)

    assessments = late("Assessments", ("AssessmentActualStartDate", "AssessmentAuthorisationDate"))
    s47 = late("Section47", ("S47ActualStartDate", "DateOfInitialCPC"))
    cpp = late("ChildProtectionPlans", ("CPPendDate",))
    plans = late("CINplanDates", ("CINPlanStartDate", "CINPlanEndDate"))
    own = cin.filter(pl.col("DateOfInitialCPC") > pl.col("CINclosureDate"))
    keys = pl.concat([f.select(*CIN_KEY) for f in (assessments, s47, cpp, plans)]).unique()
    episodes = pl.concat([cin.join(keys, on=list(CIN_KEY), how="semi"), own]).unique("ROW_NUMBER")
    return [
        Flag("CINdetails", episodes, ("CINclosureDate", "DateOfInitialCPC")),
        Flag(
            "Assessments", assessments, ("AssessmentActualStartDate", "AssessmentAuthorisationDate")
        ),
        Flag("Section47", s47, ("S47ActualStartDate", "DateOfInitialCPC")),
        Flag("ChildProtectionPlans", cpp, ("CPPendDate",)),
        Flag("CINplanDates", plans, ("CINPlanStartDate", "CINPlanEndDate")),
    ]


@rule("8720", table="ChildProtectionPlans", fields=("CPPstartDate", "ReferenceDate"))
def cpp_start_valid(ctx: Context) -> pl.DataFrame:
    return _cpp(ctx).filter(
        pl.col("CPPstartDate").is_null() | (pl.col("CPPstartDate") > ctx.reference_date)
    )


@rule("8730", table="ChildProtectionPlans", fields=("NumberOfPreviousCPP",))
def previous_plans_missing(ctx: Context) -> pl.DataFrame:
    """DfE: where a plan is present NumberOfPreviousCPP must be zero or more: missing, not a
    whole number, or negative is flagged."""
    number = pl.col("NumberOfPreviousCPP")
    return _cpp(ctx).filter(number.is_null() | (number < 0))


@rule("8832", table="ChildProtectionPlans", fields=("CINdetailsID_cpp", "ReferralNFA"))
def cpp_on_nfa(ctx: Context) -> list[Flag]:
    joined = with_cin(_cpp(ctx), ctx, ["ReferralNFA", "ROW_NUMBER"])
    bad = joined.filter(is_true("ReferralNFA"))
    return [
        Flag("ChildProtectionPlans", bad, ("CINdetailsID",)),
        Flag(
            "CINdetails", rows_of(ctx.table("CINdetails"), bad["ROW_NUMBER_cin"]), ("ReferralNFA",)
        ),
    ]


@rule(
    "8840",
    table="ChildProtectionPlans",
    fields=("ChildProtectionPlans", "CPPstartDate", "CPPendDate"),
)
def cpp_same_day(ctx: Context) -> pl.DataFrame:
    return _cpp(ctx).filter(pl.col("CPPstartDate") == pl.col("CPPendDate"))


@rule("8841", table="ChildProtectionPlans", fields=("CPPstartDate", "CPPreviewDate"))
def review_not_after_start(ctx: Context) -> list[Flag]:
    """A review on or before the start of its plan: the review and the plan are flagged."""
    plans = _cpp(ctx).select(
        *CIN_KEY, "CPPID", pl.col("ROW_NUMBER").alias("_cpp_row"), "CPPstartDate"
    )
    reviews = ctx.table("Reviews").join(plans, on=[*CIN_KEY, "CPPID"])
    bad = reviews.filter(pl.col("CPPreviewDate") <= pl.col("CPPstartDate"))
    return [
        Flag("ChildProtectionPlans", rows_of(_cpp(ctx), bad["_cpp_row"]), ("CPPstartDate",)),
        Flag("Reviews", bad, ("CPPreviewDate",)),
    ]


@rule("8842Q", table="Reviews", fields=("CPPreviewDate",))
def review_missing_date(ctx: Context) -> pl.DataFrame:
    return ctx.table("Reviews").filter(pl.col("CPPreviewDate__raw").is_null())


@rule("8905", table="ChildProtectionPlans", fields=("InitialCategoryOfAbuse",))
def initial_category_valid(ctx: Context) -> pl.DataFrame:
    code = pl.col("InitialCategoryOfAbuse")
    return _cpp(ctx).filter(code.is_null() | ~code.is_in(ctx.codes("CategoryOfAbuse")))


@rule("8910", table="ChildProtectionPlans", fields=("LatestCategoryOfAbuse",))
def latest_category_valid(ctx: Context) -> pl.DataFrame:
    code = pl.col("LatestCategoryOfAbuse")
    return _cpp(ctx).filter(code.is_null() | ~code.is_in(ctx.codes("CategoryOfAbuse")))


@rule("8915", table="ChildProtectionPlans", fields=("CPPstartDate", "PersonDeathDate"))
def cpp_after_death(ctx: Context) -> pl.DataFrame:
    joined = with_child(_cpp(ctx), ctx, ["PersonDeathDate"])
    return joined.filter(pl.col("CPPstartDate") > pl.col("PersonDeathDate"))


@rule("8920", table="ChildProtectionPlans", fields=("PersonDeathDate", "CPPendDate"))
def cpp_ends_after_death(ctx: Context) -> pl.DataFrame:
    joined = with_child(_cpp(ctx), ctx, ["PersonDeathDate"])
    return joined.filter(pl.col("CPPendDate") > pl.col("PersonDeathDate"))


@rule("8925", table="ChildProtectionPlans", fields=("CPPstartDate", "CPPendDate"))
def cpp_end_before_start(ctx: Context) -> pl.DataFrame:
    return _cpp(ctx).filter(pl.col("CPPendDate") < pl.col("CPPstartDate"))


@rule("8930", table="ChildProtectionPlans", fields=("CPPendDate", "ReferenceDate"))
def cpp_end_in_year(ctx: Context) -> pl.DataFrame:
    return _cpp(ctx).filter(outside_year("CPPendDate", ctx))


@rule("8935", table="ChildProtectionPlans", fields=("CPPendDate",))
def several_open_cpp(ctx: Context) -> pl.DataFrame:
    open_ = _cpp(ctx).filter(pl.col("CPPendDate__raw").is_null())
    return open_.filter(pl.len().over(CHILD) > 1)


@rule("8940", table="ChildProtectionPlans", fields=("CPPstartDate", "CPPendDate"))
def cpp_overlap(ctx: Context) -> pl.DataFrame:
    """DfE: a child protection plan's start cannot fall within another of the child's plans,
    start to end (both days included, as "within" reads and the open-source validator has
    it), or start to the reference date when it has no end. Both plans are flagged."""
    plans = _cpp(ctx).filter(pl.col("CPPstartDate").is_not_null())
    both = pairs(plans, [CHILD], ["CPPstartDate", "CPPendDate", "CPPendDate__raw"])
    start = pl.col("CPPstartDate")
    hit = both.filter(
        (start >= pl.col("CPPstartDate_other"))
        & (
            (start <= pl.col("CPPendDate_other")).fill_null(False)
            | (pl.col("CPPendDate__raw_other").is_null() & (start <= ctx.reference_date))
        )
    )
    return rows_of(_cpp(ctx), pl.concat([hit["ROW_NUMBER"], hit["ROW_NUMBER_other"]]))
