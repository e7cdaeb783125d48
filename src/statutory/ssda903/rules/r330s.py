"""SSDA903 rules 331-359: adoption dates, episode dates and chains, legal status and placement
ages (360-399: `r360s.py`).

Every check reads the DfE rule for the collection year and is written to flag the same rows as
the validator councils use today (data-to-insight's ``csc-validator-be-903``) on the same data.
Where the DfE text is ambiguous, or that validator departs from the DfE's specification, the
check's docstring says how it is read.

Shared helpers: `_helpers.py`.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.ssda903.rules._helpers import (
    CHILD,
    episodes_in_order,
    header_dob,
    is_one_of,
    known,
    rows_where,
    same_child_shift,
    years_after,
)

ROW = "ROW_NUMBER"


# --------------------------------------------------------------------------------------
# local helpers
# --------------------------------------------------------------------------------------


# --------------------------------------------------------------------------------------
# adoption (AD1 with Episodes)
# --------------------------------------------------------------------------------------


@rule("331", table="AD1", fields=("DATE_MATCH", "DECOM", "REC"))
def matched_before_placed_for_adoption(ctx: Context) -> list[Flag]:
    """An episode ending in adoption (REC E11/E12) must not start before the child was matched
    (AD1 DATE_MATCH). Both the AD1 row and the episode are flagged."""
    ad1 = ctx.table("AD1")
    eps = ctx.table("Episodes").filter(is_one_of("REC", ["E11", "E12"]))
    pairs = eps.select(CHILD, pl.col(ROW).alias("__ep"), "DECOM").join(
        ad1.select(CHILD, pl.col(ROW).alias("__ad"), "DATE_MATCH"), on=CHILD
    )
    bad = pairs.filter(known(pl.col("DATE_MATCH") > pl.col("DECOM")))
    return [
        Flag("AD1", rows_where(ad1, bad.select(pl.col("__ad").alias(ROW))), ("DATE_MATCH",)),
        Flag(
            "Episodes",
            rows_where(ctx.table("Episodes"), bad.select(pl.col("__ep").alias(ROW))),
            ("DECOM", "REC"),
        ),
    ]


@rule("333", table="AD1", fields=("DATE_INT",))
def should_be_placed_before_matched(ctx: Context) -> pl.DataFrame:
    """Where DATE_MATCH is given, DATE_INT must be given and on or before it."""
    ad1 = ctx.table("AD1")
    matched = pl.col("DATE_MATCH").is_not_null()
    return ad1.filter(
        matched & (pl.col("DATE_INT").is_null() | known(pl.col("DATE_INT") > pl.col("DATE_MATCH")))
    )


@rule("334", table="AD1", fields=("DATE_INT", "DECOM", "RNE"))
def care_started_before_should_be_placed(ctx: Context) -> list[Flag]:
    """DATE_INT must not be before the start of the latest period of care: the latest episode
    (by DECOM) with RNE = S. Both that episode and the child's AD1 rows are flagged."""
    eps = ctx.table("Episodes")
    starts = (
        eps.filter((pl.col("RNE") == "S").fill_null(False) & pl.col("DECOM").is_not_null())
        .sort([CHILD, "DECOM", ROW])
        .group_by(CHILD, maintain_order=True)
        .last()
        .select(CHILD, pl.col(ROW).alias("__ep"), "DECOM")
    )
    ad1 = ctx.table("AD1")
    pairs = starts.join(ad1.select(CHILD, pl.col(ROW).alias("__ad"), "DATE_INT"), on=CHILD)
    bad = pairs.filter(known(pl.col("DATE_INT") < pl.col("DECOM")))
    return [
        Flag("Episodes", rows_where(eps, bad.select(pl.col("__ep").alias(ROW))), ("DECOM", "RNE")),
        Flag("AD1", rows_where(ad1, bad.select(pl.col("__ad").alias(ROW))), ("DATE_INT",)),
    ]


@rule("335", table="Episodes", fields=("PLACE", "FOSTER_CARE"))
def foster_carer_adoption_matches_placement(ctx: Context) -> list[Flag]:
    """For an episode ending in adoption (REC E1, E11, E12): placement A2/A3/A5 (with the
    child's foster carer) needs FOSTER_CARE = 1, and A1/A4/A6 needs FOSTER_CARE = 0. Every
    episode of the child is paired with its AD1 row; both rows are flagged."""
    eps = ctx.table("Episodes")
    ad1 = ctx.table("AD1")
    pairs = eps.select(CHILD, pl.col(ROW).alias("__ep"), "REC", "PLACE").join(
        ad1.select(CHILD, pl.col(ROW).alias("__ad"), "FOSTER_CARE"), on=CHILD
    )
    foster = pl.col("FOSTER_CARE").cast(pl.String)
    bad = pairs.filter(
        is_one_of("REC", ["E1", "E11", "E12"])
        & (
            (is_one_of("PLACE", ["A2", "A3", "A5"]) & known(foster == "0"))
            | (is_one_of("PLACE", ["A1", "A4", "A6"]) & known(foster == "1"))
        )
    )
    return [
        Flag("Episodes", rows_where(eps, bad.select(pl.col("__ep").alias(ROW))), ("PLACE",)),
        Flag("AD1", rows_where(ad1, bad.select(pl.col("__ad").alias(ROW))), ("FOSTER_CARE",)),
    ]


@rule("336", table="Episodes", fields=("PLACE",))
def foster_placement_before_adoption(ctx: Context) -> pl.DataFrame:
    """An episode placed for adoption with current foster carers (A3, A4) must follow an
    episode in A3-A6 or foster care U1-U6. The child's first episode is not checked (nothing
    precedes it); a blank previous placement is not a foster placement."""
    eps = episodes_in_order(ctx).with_columns(
        same_child_shift("PLACE", 1).alias("__prev"),
        ~pl.col(CHILD).shift(1).eq_missing(pl.col(CHILD)).alias("__first"),
    )
    allowed = ["A3", "A4", "A5", "A6", "U1", "U2", "U3", "U4", "U5", "U6"]
    return eps.filter(
        is_one_of("PLACE", ["A3", "A4"]) & ~is_one_of("__prev", allowed) & ~pl.col("__first")
    )


# --------------------------------------------------------------------------------------
# care leavers (OC3)
# --------------------------------------------------------------------------------------


@rule("344", table="OC3", fields=("IN_TOUCH", "ACTIV", "ACCOM"))
def died_or_home_without_activity(ctx: Context) -> pl.DataFrame:
    """IN_TOUCH = DIED or RHOM: ACTIV and ACCOM must both be '0' (not applicable); anything
    else, a blank included, is flagged (the DfE form's 'not provided' is '0')."""
    oc3 = ctx.table("OC3")
    not_zero = lambda c: pl.col(c).is_null() | (pl.col(c) != "0")  # noqa: E731
    return oc3.filter(
        is_one_of("IN_TOUCH", ["DIED", "RHOM"]) & (not_zero("ACTIV") | not_zero("ACCOM"))
    )


@rule("345", table="OC3", fields=("IN_TOUCH", "ACTIV", "ACCOM"))
def in_touch_with_zero_activity(ctx: Context) -> pl.DataFrame:
    """IN_TOUCH = YES: neither ACTIV nor ACCOM may be '0'."""
    oc3 = ctx.table("OC3")
    return oc3.filter(
        known(pl.col("IN_TOUCH") == "YES")
        & (known(pl.col("ACTIV") == "0") | known(pl.col("ACCOM") == "0"))
    )


@rule("347", table="OC3", fields=("PLACE", "DEC", "URN"))
def foyer_under_18(ctx: Context) -> pl.DataFrame:
    """Accommodation in a Foyer (ACCOM T1 or T2: 'T' is the Foyer, the digit its suitability)
    needs the young person to be 18 or over at the start of the collection year. The DfE
    condition is written "<ACCOM> = 'T'"; read as the accommodation type T (the open-source
    validator compares the whole code with 'T', which no valid code equals)."""
    oc3 = ctx.table("OC3")
    return oc3.filter(
        known(pl.col("ACCOM").str.starts_with("T"))
        & known(years_after("DOB", 18) > pl.lit(ctx.collection_start))
    )


@rule("348", table="OC3", fields=("IN_TOUCH",))
def previously_reported_died(ctx: Context) -> pl.DataFrame:
    """A care leaver reported as DIED in last year's OC3 must be reported as DIED again (a
    blank this year is flagged too). Needs last year's OC3."""
    oc3 = ctx.table("OC3")
    died = ctx.previous("OC3").filter(known(pl.col("IN_TOUCH") == "DIED")).select(CHILD).unique()
    return oc3.join(died, on=CHILD, how="semi").filter(
        pl.col("IN_TOUCH").ne_missing(pl.lit("DIED"))
    )


@rule("351", table="Header", fields=("DOB",))
def over_25_at_start_of_year(ctx: Context) -> pl.DataFrame:
    """The child's 25th birthday is before the start of the collection year."""
    header = ctx.table("Header")
    return header.filter(known(pl.lit(ctx.collection_start) > years_after("DOB", 25)))


# --------------------------------------------------------------------------------------
# episode dates
# --------------------------------------------------------------------------------------


@rule("352", table="Episodes", fields=("DECOM", "RNE"))
def started_care_aged_18(ctx: Context) -> pl.DataFrame:
    """An episode starting a period of care (RNE = S) on or after the child's 18th birthday."""
    eps = ctx.table("Episodes")
    joined = eps.join(header_dob(ctx), on=CHILD, how="left")
    bad = joined.filter(
        known(pl.col("RNE") == "S") & known(years_after("__DOB", 18) <= pl.col("DECOM"))
    )
    return rows_where(eps, bad)


@rule("353", table="Episodes", fields=("DECOM",))
def started_before_1991(ctx: Context) -> pl.DataFrame:
    """DECOM before 14 October 1991 (the Children Act 1989 came into force)."""
    return ctx.table("Episodes").filter(known(pl.col("DECOM") < pl.lit(dt.date(1991, 10, 14))))


@rule("354", table="Episodes", fields=("DECOM",))
def started_after_year_end(ctx: Context) -> pl.DataFrame:
    """DECOM after 31 March of the collection year (the DfE message speaks of the date ceased;
    the field checked is DECOM, as the DfE's field list says)."""
    return ctx.table("Episodes").filter(known(pl.col("DECOM") > pl.lit(ctx.reference_date)))


@rule("355", table="Episodes", fields=("DECOM", "DEC"))
def episode_under_24_hours(ctx: Context) -> pl.DataFrame:
    """An episode that ceased on the day it started: DEC written the same as DECOM. As in the
    open-source validator the dates are compared as written, so an episode with neither date
    is flagged too (and '1/4/2024' is not the same as '01/04/2024')."""
    eps = ctx.table("Episodes")
    return eps.filter(pl.col("DEC__raw").eq_missing(pl.col("DECOM__raw")))


@rule("356", table="Episodes", fields=("DECOM",))
def ceased_before_started(ctx: Context) -> pl.DataFrame:
    """DEC before DECOM."""
    return ctx.table("Episodes").filter(known(pl.col("DEC") < pl.col("DECOM")))


@rule("357", table="Episodes", fields=("RNE",))
def first_episode_reason_s(ctx: Context) -> pl.DataFrame:
    """The child's earliest episode (by DECOM), when it starts in this collection year, must
    have RNE = S. An earlier first episode belongs to an earlier year's return; episodes with
    no valid DECOM are not considered."""
    eps = (
        ctx.table("Episodes")
        .filter(pl.col("DECOM").is_not_null())
        .sort([CHILD, "DECOM", ROW])
        .group_by(CHILD, maintain_order=True)
        .first()
    )
    return eps.filter(
        (pl.col("DECOM") >= pl.lit(ctx.collection_start)) & pl.col("RNE").ne_missing(pl.lit("S"))
    )


@rule("358", table="Episodes", fields=("DECOM", "DOB", "LS"))
def youth_justice_status_under_10(ctx: Context) -> list[Flag]:
    """Legal status J1, J2 or J3 starting on or before the child's 10th birthday. The episode
    and the child's Header row are flagged."""
    eps = ctx.table("Episodes")
    header = ctx.table("Header")
    joined = eps.join(
        header.select(CHILD, pl.col("DOB").alias("__DOB"), pl.col(ROW).alias("__h")), on=CHILD
    )
    bad = joined.filter(
        is_one_of("LS", ["J1", "J2", "J3"]) & known(years_after("__DOB", 10) >= pl.col("DECOM"))
    )
    return [
        Flag("Episodes", rows_where(eps, bad), ("DECOM", "LS")),
        Flag("Header", rows_where(header, bad.select(pl.col("__h").alias(ROW))), ("DOB",)),
    ]


@rule("359", table="Episodes", fields=("DEC", "LS", "PLACE"))
def over_18_must_be_v2_k2(ctx: Context) -> pl.DataFrame:
    """A child still looked after (episode open: DEC blank) whose 18th birthday is before 31 March
    must be under section 20(5) (LS V2) in a community home (PLACE K2)."""
    eps = ctx.table("Episodes")
    joined = eps.join(header_dob(ctx), on=CHILD, how="left")
    bad = joined.filter(
        known(years_after("__DOB", 18) < pl.lit(ctx.reference_date))
        & pl.col("DEC").is_null()
        & pl.col("DEC__raw").is_null()
        & ~(known(pl.col("LS") == "V2") & known(pl.col("PLACE") == "K2"))
    )
    return rows_where(eps, bad)
