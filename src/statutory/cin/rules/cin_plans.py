"""CINplanDates rules (and the CPP review rule 4003, which is about open CIN plans)."""

from __future__ import annotations

import polars as pl

from statutory.cin.rules._common import (
    CHILD,
    CIN_KEY,
    is_true,
    outside_year,
    pairs,
    rows_of,
    with_cin,
)
from statutory.engine import Context, Flag, rule


def _plans(ctx: Context) -> pl.DataFrame:
    return ctx.table("CINplanDates")


@rule("4000", table="CINplanDates", fields=("ReferralNFA",))
def plan_on_nfa(ctx: Context) -> list[Flag]:
    joined = with_cin(_plans(ctx), ctx, ["ReferralNFA", "ROW_NUMBER"])
    bad = joined.filter(is_true("ReferralNFA"))
    return [
        Flag("CINplanDates", bad, ("CINPlanStartDate",)),
        Flag(
            "CINdetails", rows_of(ctx.table("CINdetails"), bad["ROW_NUMBER_cin"]), ("ReferralNFA",)
        ),
    ]


@rule("4001", table="CINplanDates", fields=("CINPlanEndDate", "CPPendDate"))
def open_plan_with_open_cpp(ctx: Context) -> list[Flag]:
    """In one episode, an open child protection plan (no end date) and an open CIN plan."""
    open_cpp = ctx.table("ChildProtectionPlans").filter(pl.col("CPPendDate__raw").is_null())
    open_plan = _plans(ctx).filter(pl.col("CINPlanEndDate__raw").is_null())
    keys = open_cpp.select(*CIN_KEY).join(open_plan.select(*CIN_KEY), on=list(CIN_KEY)).unique()
    return [
        Flag(
            "CINplanDates", open_plan.join(keys, on=list(CIN_KEY), how="semi"), ("CINPlanEndDate",)
        ),
        Flag(
            "ChildProtectionPlans",
            open_cpp.join(keys, on=list(CIN_KEY), how="semi"),
            ("CPPendDate",),
        ),
    ]


@rule("4003", table="Reviews", fields=("CINPlanStartDate", "CINPlanEndDate", "CPPreviewDate"))
def review_during_open_plan(ctx: Context) -> list[Flag]:
    """DfE: within a CINdetails group, no CPP review date may fall on or after a CIN plan's
    start and before its end (or, for a plan with no end date, on or before the reference
    date), unless the review date is the child protection plan's end date. The review and
    the CIN plan are flagged."""
    cpp_end = ctx.table("ChildProtectionPlans").select(*CIN_KEY, "CPPID", "CPPendDate")
    reviews = (
        ctx.table("Reviews")
        .filter(pl.col("CPPreviewDate").is_not_null())
        .join(cpp_end.unique(subset=[*CIN_KEY, "CPPID"]), on=[*CIN_KEY, "CPPID"], how="left")
    )
    plans = _plans(ctx).select(
        *CIN_KEY,
        pl.col("ROW_NUMBER").alias("_plan_row"),
        "CINPlanStartDate",
        "CINPlanEndDate",
    )
    joined = reviews.join(plans, on=list(CIN_KEY))
    date = pl.col("CPPreviewDate")
    bad = joined.filter(
        (date >= pl.col("CINPlanStartDate"))
        & (
            (date < pl.col("CINPlanEndDate")).fill_null(False)
            | (pl.col("CINPlanEndDate").is_null() & (date <= ctx.reference_date))
        )
        & ~(date == pl.col("CPPendDate")).fill_null(False)
    )
    return [
        Flag("Reviews", bad, ("CPPreviewDate",)),
        Flag(
            "CINplanDates",
            rows_of(_plans(ctx), bad["_plan_row"]),
            ("CINPlanStartDate", "CINPlanEndDate"),
        ),
    ]


@rule("4004", table="CINplanDates", fields=("CINPlanEndDate",))
def several_open_plans(ctx: Context) -> pl.DataFrame:
    """DfE: within a CINdetails module there must be only one CIN plan with no end date; the
    open plans of an episode with more than one are flagged."""
    open_ = _plans(ctx).filter(pl.col("CINPlanEndDate__raw").is_null())
    return open_.filter(pl.len().over(CIN_KEY) > 1)


@rule("4010", table="CINplanDates", fields=("CINPlanStartDate",))
def plan_start_valid(ctx: Context) -> pl.DataFrame:
    return _plans(ctx).filter(
        pl.col("CINPlanStartDate").is_null() | (pl.col("CINPlanStartDate") > ctx.reference_date)
    )


@rule("4011", table="CINplanDates", fields=("CINPlanEndDate", "CINPlanStartDate"))
def plan_end_before_start(ctx: Context) -> pl.DataFrame:
    return _plans(ctx).filter(pl.col("CINPlanEndDate") < pl.col("CINPlanStartDate"))


@rule("4012Q", table="CINplanDates", fields=("CINPlanStartDate", "CINPlanEndDate"))
def plan_same_day(ctx: Context) -> pl.DataFrame:
    return _plans(ctx).filter(pl.col("CINPlanEndDate") == pl.col("CINPlanStartDate"))


@rule("4013", table="CINplanDates", fields=("CINPlanEndDate", "ReferenceDate"))
def plan_end_in_year(ctx: Context) -> pl.DataFrame:
    return _plans(ctx).filter(outside_year("CINPlanEndDate", ctx))


@rule("4014", table="CINplanDates", fields=("CINPlanStartDate", "CINPlanEndDate"))
def plans_overlap(ctx: Context) -> pl.DataFrame:
    """DfE: where a child has more than one CIN plan, each plan's start cannot fall within
    another's start to end (both days included, as "within" reads and the open-source validator
    has it), or its start to the reference date when it has no end. Both plans are flagged."""
    plans = _plans(ctx).filter(pl.col("CINPlanStartDate").is_not_null())
    both = pairs(plans, [CHILD], ["CINPlanStartDate", "CINPlanEndDate", "CINPlanEndDate__raw"])
    start = pl.col("CINPlanStartDate")
    hit = both.filter(
        (start >= pl.col("CINPlanStartDate_other"))
        & (
            (start <= pl.col("CINPlanEndDate_other")).fill_null(False)
            | (pl.col("CINPlanEndDate__raw_other").is_null() & (start <= ctx.reference_date))
        )
    )
    return rows_of(_plans(ctx), pl.concat([hit["ROW_NUMBER"], hit["ROW_NUMBER_other"]]))


@rule("4015", table="CINplanDates", fields=("CINPlanStartDate", "CINreferralDate"))
def plan_before_referral(ctx: Context) -> list[Flag]:
    joined = with_cin(_plans(ctx), ctx, ["CINreferralDate", "ROW_NUMBER"])
    bad = joined.filter(pl.col("CINPlanStartDate") < pl.col("CINreferralDate"))
    return [
        Flag("CINplanDates", bad, ("CINPlanStartDate",)),
        Flag(
            "CINdetails",
            rows_of(ctx.table("CINdetails"), bad["ROW_NUMBER_cin"]),
            ("CINreferralDate",),
        ),
    ]


def _during(date: str, start: str, end: str, ctx: Context) -> pl.Expr:
    """`date` on or after `start` and before `end`, or, with no `end`, on or before the
    reference date (a plan may start the day the other ends)."""
    d = pl.col(date)
    return (d >= pl.col(start)) & (
        (d < pl.col(end)).fill_null(False) | (pl.col(end).is_null() & (d <= ctx.reference_date))
    )


@rule("4016", table="CINplanDates", fields=("CINPlanStartDate", "CPPstartDate", "CPPendDate"))
def plan_starts_during_cpp(ctx: Context) -> list[Flag]:
    """A CIN plan starting while one of the child's child protection plans is open."""
    cpp = ctx.table("ChildProtectionPlans").select(
        CHILD, pl.col("ROW_NUMBER").alias("_cpp_row"), "CPPstartDate", "CPPendDate"
    )
    joined = _plans(ctx).join(cpp, on=CHILD)
    bad = joined.filter(_during("CINPlanStartDate", "CPPstartDate", "CPPendDate", ctx))
    return [
        Flag("CINplanDates", bad, ("CINPlanStartDate",)),
        Flag(
            "ChildProtectionPlans",
            rows_of(ctx.table("ChildProtectionPlans"), bad["_cpp_row"]),
            ("CPPstartDate", "CPPendDate"),
        ),
    ]


@rule("4017", table="CINplanDates", fields=("CINPlanStartDate", "CINPlanEndDate", "CPPstartDate"))
def cpp_starts_during_plan(ctx: Context) -> list[Flag]:
    """A child protection plan starting while one of the child's CIN plans is open."""
    plans = _plans(ctx).select(
        CHILD, pl.col("ROW_NUMBER").alias("_plan_row"), "CINPlanStartDate", "CINPlanEndDate"
    )
    joined = ctx.table("ChildProtectionPlans").join(plans, on=CHILD)
    bad = joined.filter(_during("CPPstartDate", "CINPlanStartDate", "CINPlanEndDate", ctx))
    return [
        Flag("ChildProtectionPlans", bad, ("CPPstartDate",)),
        Flag(
            "CINplanDates",
            rows_of(_plans(ctx), bad["_plan_row"]),
            ("CINPlanStartDate", "CINPlanEndDate"),
        ),
    ]
