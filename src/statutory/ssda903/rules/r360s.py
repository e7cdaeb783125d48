"""SSDA903 rules 360-399: episode dates and chains, legal status and placement ages, temporary
placements, respite, care leavers, postcodes (see r330s.py for how the rules are read).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.engine.postcodes import Postcodes, postcode_key
from statutory.ssda903.rules._helpers import (
    CHILD,
    episodes_in_order,
    header_dob,
    is_one_of,
    known,
    return_postcodes,
    rows_where,
    same_child_shift,
    years_after,
)

# Placement codes for temporary placements (DfE code set "PL": T0-T4).
TEMPORARY = ["T0", "T1", "T2", "T3", "T4"]
RESPITE = ["V3", "V4"]

ROW = "ROW_NUMBER"


def _plus_days(column: str, days: int) -> pl.Expr:
    return pl.col(column) + pl.duration(days=days)


def _end_or(column: str, fill: dt.date) -> pl.Expr:
    """An end date, or ``fill`` where none was written (an open episode). A date written but
    not valid stays null, as it does in the open-source validator."""
    return (
        pl.when(pl.col(column).is_null() & pl.col(f"{column}__raw").is_null())
        .then(pl.lit(fill))
        .otherwise(pl.col(column))
    )


def _status_run_longer_than(ctx: Context, status: str, days: int) -> pl.DataFrame:
    """Runs of back-to-back episodes with legal status ``status`` lasting more than ``days``.

    Episodes are taken in child, DECOM order; an episode with no valid DEC (open, or a date that
    does not parse, as the open-source validator treats it) ends on 31 March. A run is the
    ``status`` episodes that follow on from one another (the previous ``status`` episode ceased
    on the day its next episode started). The run lasts from its first DECOM to its last DEC.
    """
    eps = episodes_in_order(ctx).with_columns(
        pl.col("DEC").fill_null(pl.lit(ctx.reference_date)).alias("__end"),
        same_child_shift("DECOM", -1).alias("__next_start"),
    )
    eps = eps.with_columns(known(pl.col("__end") == pl.col("__next_start")).alias("__flows"))
    runs = eps.filter(known(pl.col("LS") == status)).with_columns(
        (~pl.col("__flows").shift(1).fill_null(False)).cum_sum().alias("__run")
    )
    runs = runs.with_columns(
        (pl.col("__end").max() - pl.col("DECOM").min())
        .over(CHILD, "__run")
        .dt.total_days()
        .alias("__span")
    )
    return rows_where(ctx.table("Episodes"), runs.filter(known(pl.col("__span") > days)))


@rule("361", table="Episodes", fields=("DECOM", "LS", "DEC"))
def police_protection_over_72_hours(ctx: Context) -> pl.DataFrame:
    """Police protection (LS L1), over consecutive episodes, lasting more than 3 days."""
    return _status_run_longer_than(ctx, "L1", 3)


@rule("362", table="Episodes", fields=("DECOM", "LS", "DEC"))
def epo_over_21_days(ctx: Context) -> pl.DataFrame:
    """An emergency protection order (LS L2), over consecutive episodes, lasting more than 21
    days."""
    return _status_run_longer_than(ctx, "L2", 21)


def _status_period_longer_than(ctx: Context, status: str, days: int) -> pl.DataFrame:
    """Periods of overlapping or adjoining ``status`` episodes whose days add up to more than
    ``days``: the ``status`` episodes of a child, in DECOM order, form one period while each
    starts on or before the previous one ceased; an open episode ends on 31 March. (The
    open-source validator means to do the same but never assigns its sort, so it builds the
    periods in file order; rows out of order there join or split periods differently.)"""
    eps = (
        ctx.table("Episodes")
        .filter(known(pl.col("LS") == status) & pl.col("DECOM").is_not_null())
        .sort([CHILD, "DECOM", ROW])
        .with_columns(_end_or("DEC", ctx.reference_date).alias("__end"))
    )
    eps = eps.with_columns(
        (
            known(pl.col("DECOM") > pl.col("__end").shift(1))
            | pl.col(CHILD).ne_missing(pl.col(CHILD).shift(1))
        )
        .cum_sum()
        .alias("__period"),
        (pl.col("__end") - pl.col("DECOM")).dt.total_days().alias("__days"),
    )
    eps = eps.with_columns(pl.col("__days").sum().over("__period").alias("__total"))
    return rows_where(ctx.table("Episodes"), eps.filter(pl.col("__total") > days))


@rule("363", table="Episodes", fields=("LS", "DECOM", "DEC"))
def cao_over_7_days(ctx: Context) -> pl.DataFrame:
    """A child assessment order (LS L3) period lasting more than 7 days."""
    return _status_period_longer_than(ctx, "L3", 7)


@rule("364", table="Episodes", fields=("LS", "DECOM", "DEC"))
def pace_over_21_days(ctx: Context) -> pl.DataFrame:
    """Detention under PACE (LS J2) lasting more than 21 days over a period of adjoining
    episodes (the limit the DfE specification and the open-source validator use)."""
    return _status_period_longer_than(ctx, "J2", 21)


@rule("365", table="Episodes", fields=("LS", "DECOM", "DEC"))
def respite_over_17_days(ctx: Context) -> pl.DataFrame:
    """A short-term respite episode (LS V3) ceasing more than 17 days after it started (an open
    one ends on 31 March)."""
    eps = ctx.table("Episodes")
    return eps.filter(
        known(pl.col("LS") == "V3")
        & known(_end_or("DEC", ctx.reference_date) > _plus_days("DECOM", 17))
    )


@rule("366", table="Episodes", fields=("RNE",))
def respite_change_of_placement(ctx: Context) -> pl.DataFrame:
    """A respite episode (LS V3) must start a period of care (RNE = S)."""
    eps = ctx.table("Episodes")
    return eps.filter(known(pl.col("LS") == "V3") & pl.col("RNE").ne_missing(pl.lit("S")))


@rule("367", table="Episodes", fields=("LS", "DECOM", "DEC"))
def respite_over_75_days_in_year(ctx: Context) -> pl.DataFrame:
    """A child's respite episodes (LS V3) adding up to more than 75 days in the collection year:
    each episode is cut to the year (open or later ends -> 31 March, earlier starts -> 1 April)
    and the child's days are summed; the child's respite episodes with days in the year are
    flagged."""
    start, end = ctx.collection_start, ctx.reference_date
    eps = ctx.table("Episodes").filter(known(pl.col("LS") == "V3") & pl.col("DECOM").is_not_null())
    eps = eps.with_columns(
        pl.when(known(pl.col("DEC") > pl.lit(end)))
        .then(pl.lit(end))
        .otherwise(_end_or("DEC", end))
        .alias("__end"),
        pl.max_horizontal(pl.col("DECOM"), pl.lit(start)).alias("__start"),
    ).with_columns((pl.col("__end") - pl.col("__start")).dt.total_days().alias("__days"))
    eps = eps.filter(known(pl.col("__days") > 0))
    return eps.filter(pl.col("__days").sum().over(CHILD) > 75)


# --------------------------------------------------------------------------------------
# ages for placement types
# --------------------------------------------------------------------------------------


def _placed_before_age(ctx: Context, place: str, years: int) -> pl.DataFrame:
    """Episodes in ``place`` starting before the child's ``years``-th birthday. As in the
    open-source validator, only episodes with DECOM, DEC and the child's DOB all given are
    checked (an open episode is checked in the year it ends)."""
    eps = ctx.table("Episodes")
    joined = eps.filter(known(pl.col("PLACE") == place)).join(header_dob(ctx), on=CHILD)
    bad = joined.filter(
        pl.col("DEC").is_not_null() & known(pl.col("DECOM") < years_after("__DOB", years))
    )
    return rows_where(eps, bad)


def _placement_longer_than(ctx: Context, place: str, days: int) -> pl.DataFrame:
    """Episodes in ``place`` that ceased more than ``days`` days after they started (closed
    episodes of children with a DOB in the Header, as the open-source validator checks)."""
    eps = ctx.table("Episodes")
    joined = eps.filter(known(pl.col("PLACE") == place)).join(header_dob(ctx), on=CHILD)
    bad = joined.filter(
        pl.col("__DOB").is_not_null() & known(pl.col("DEC") > _plus_days("DECOM", days))
    )
    return rows_where(eps, bad)


@rule("370", table="Episodes", fields=("DECOM", "PLACE"))
def independent_living_under_16(ctx: Context) -> pl.DataFrame:
    """Independent living (P2) starting before the child's 16th birthday; before 2023/24 (the
    year the rule changed) the age was 15."""
    return _placed_before_age(ctx, "P2", 16 if ctx.year >= 2024 else 15)


@rule("371", table="Episodes", fields=("DECOM", "PLACE"))
def supported_accommodation_under_16(ctx: Context) -> pl.DataFrame:
    """Supported accommodation starting before the child's 16th birthday: semi-independent
    living not subject to children's homes regulations (H5) up to 2023/24; from 2024/25 (the
    year the rule changed) supported accommodation (K3)."""
    return _placed_before_age(ctx, "K3" if ctx.year >= 2025 else "H5", 16)


@rule("372", table="Episodes", fields=("DECOM", "PLACE"))
def custody_under_10(ctx: Context) -> pl.DataFrame:
    """Youth custody or prison (R5) starting before the child's 10th birthday."""
    return _placed_before_age(ctx, "R5", 10)


@rule("373", table="Episodes", fields=("DECOM", "PLACE"))
def school_under_4(ctx: Context) -> pl.DataFrame:
    """A school placement (S1) starting before the child's 4th birthday."""
    return _placed_before_age(ctx, "S1", 4)


@rule("374", table="Episodes", fields=("DECOM", "PLACE"))
def residential_employment_under_14(ctx: Context) -> pl.DataFrame:
    """Residential employment (P3) starting before the child's 14th birthday."""
    return _placed_before_age(ctx, "P3", 14)


@rule("375", table="Episodes", fields=("DECOM", "PLACE"))
def hospital_temporary_over_6_weeks(ctx: Context) -> pl.DataFrame:
    """A temporary placement in hospital (T1) lasting more than 42 days."""
    return _placement_longer_than(ctx, "T1", 42)


@rule("376", table="Episodes", fields=("DECOM", "PLACE"))
def carer_holiday_over_3_weeks(ctx: Context) -> pl.DataFrame:
    """A temporary placement for the foster carer's holiday (T3) lasting more than 21 days."""
    return _placement_longer_than(ctx, "T3", 21)


@rule("377", table="Episodes", fields=("PLACE",))
def more_than_two_carer_holidays(ctx: Context) -> pl.DataFrame:
    """More than two T3 placements for a child in the return (the return covers twelve months;
    the open-source validator counts them the same way). All the child's T3 episodes are
    flagged."""
    eps = ctx.table("Episodes")
    t3 = eps.filter(known(pl.col("PLACE") == "T3"))
    return t3.filter(pl.len().over(CHILD) > 2)


@rule("378", table="Episodes", fields=("PLACE", "LS"))
def placed_with_parents_under_s20(ctx: Context) -> pl.DataFrame:
    """Placed with parents (P1) under a single period of section 20 accommodation (V2)."""
    eps = ctx.table("Episodes")
    return eps.filter(known(pl.col("PLACE") == "P1") & known(pl.col("LS") == "V2"))


@rule("379", table="Episodes", fields=("DECOM", "PLACE"))
def unspecified_temporary_over_7_days(ctx: Context) -> pl.DataFrame:
    """A temporary placement for an unspecified reason (T4) lasting more than 7 days."""
    return _placement_longer_than(ctx, "T4", 7)


@rule("380", table="Episodes", fields=("PLACE", "RNE"))
def care_starts_with_temporary(ctx: Context) -> pl.DataFrame:
    """A temporary placement (T0-T4) must be a change of placement (RNE P) or of placement and
    legal status (RNE B); any other reason, a blank included, means a period of care or a
    legal-status change starts with it."""
    eps = ctx.table("Episodes")
    return eps.filter(is_one_of("PLACE", TEMPORARY) & ~is_one_of("RNE", ["P", "B"]))


@rule("381", table="Episodes", fields=("PLACE", "REC"))
def care_ends_with_temporary(ctx: Context) -> pl.DataFrame:
    """A temporary placement (T0-T4) may only cease into a new episode (REC X1)."""
    eps = ctx.table("Episodes")
    return eps.filter(
        is_one_of("PLACE", TEMPORARY) & pl.col("REC").is_not_null() & (pl.col("REC") != "X1")
    )


@rule("382", table="Episodes", fields=("LS", "PLACE"))
def respite_in_temporary(ctx: Context) -> pl.DataFrame:
    """Respite (LS V3, V4) in a temporary placement (T0-T4)."""
    eps = ctx.table("Episodes")
    return eps.filter(is_one_of("LS", RESPITE) & is_one_of("PLACE", TEMPORARY))


@rule("383", table="Episodes", fields=("PLACE", "RNE", "PL_POST"))
def return_from_temporary(ctx: Context) -> pl.DataFrame:
    """After a temporary placement (T0-T4) the child must go back to the placement they were in.

    The DfE's condition is on the episode after the temporary one ("If previous episode <PL> =
    T0-T4 then current episode <RNE> must = 'P' and <PL> must = previous episode -1 <PL>"), so
    that episode is the one flagged, in every year: when its RNE is not P or its PLACE differs
    from the episode before the temporary one. From 2025/26 (the year the rule changed) its
    PL_POST must also be that episode's (two blanks count as the same postcode).
    """
    same_back_1 = pl.col(CHILD).shift(1).eq_missing(pl.col(CHILD))
    same_back_2 = pl.col(CHILD).shift(2).eq_missing(pl.col(CHILD))
    eps = episodes_in_order(ctx)
    moved = pl.col("RNE").ne_missing(pl.lit("P")) | pl.col("PLACE").ne_missing(
        pl.col("PLACE").shift(2)
    )
    if ctx.year >= 2026:
        moved = moved | pl.col("PL_POST").ne_missing(pl.col("PL_POST").shift(2))
    bad = eps.filter(
        same_back_1 & same_back_2 & known(pl.col("PLACE").shift(1).is_in(TEMPORARY)) & moved
    )
    return rows_where(ctx.table("Episodes"), bad)


@rule("384", table="Episodes", fields=("PLACE", "LS"))
def respite_in_long_term_fostering(ctx: Context) -> pl.DataFrame:
    """Respite (LS V3, V4) in a long-term foster placement (U1, U4)."""
    eps = ctx.table("Episodes")
    return eps.filter(is_one_of("LS", RESPITE) & is_one_of("PLACE", ["U1", "U4"]))


@rule("385", table="Episodes", fields=("DEC",))
def ceased_after_year_end(ctx: Context) -> pl.DataFrame:
    """DEC after 31 March of the collection year."""
    return ctx.table("Episodes").filter(known(pl.col("DEC") > pl.lit(ctx.reference_date)))


@rule("386", table="Episodes", fields=("REC",))
def adopted_aged_18(ctx: Context) -> pl.DataFrame:
    """Ceased as adopted (REC E11, E12) on or after the child's 18th birthday."""
    eps = ctx.table("Episodes")
    joined = eps.join(header_dob(ctx), on=CHILD, how="left")
    bad = joined.filter(
        is_one_of("REC", ["E11", "E12"]) & known(pl.col("DEC") >= years_after("__DOB", 18))
    )
    return rows_where(eps, bad)


@rule("387", table="Episodes", fields=("REC",))
def independent_living_under_14(ctx: Context) -> pl.DataFrame:
    """Ceased into independent living (REC E5, E6) with a DEC, and the child was not 14 by
    then. As in the open-source validator, a child whose age cannot be worked out (no DOB)
    is flagged too: nothing shows they were 14."""
    eps = ctx.table("Episodes")
    joined = eps.join(header_dob(ctx), on=CHILD, how="left")
    bad = joined.filter(
        is_one_of("REC", ["E5", "E6"])
        & pl.col("DEC").is_not_null()
        & ~known(years_after("__DOB", 14) <= pl.col("DEC"))
    )
    return rows_where(eps, bad)


@rule("388", table="Episodes", fields=("REC",))
def new_episode_without_continuation(ctx: Context) -> pl.DataFrame:
    """REC X1 (new episode begins) must be followed by an episode starting on the same day;
    an episode followed by one starting the day it ceased must be X1; and the child's last
    episode must not cease with X1. Episodes are taken in DECOM order (blank DECOM first)."""
    eps = (
        ctx.table("Episodes")
        .sort([CHILD, "DECOM", ROW], nulls_last=False)
        .with_columns(same_child_shift("DECOM", -1).alias("__next"))
    )
    x1 = known(pl.col("REC") == "X1")
    has_dec = pl.col("DEC").is_not_null()
    has_next = pl.col("__next").is_not_null()
    case1 = has_next & x1 & has_dec & (pl.col("DEC") != pl.col("__next"))
    case2 = (
        has_next & ~x1 & pl.col("REC").is_not_null() & has_dec & (pl.col("DEC") == pl.col("__next"))
    )
    case3 = ~has_next & has_dec & x1
    return rows_where(ctx.table("Episodes"), eps.filter(known(case1 | case2 | case3)))


@rule("389", table="Episodes", fields=("REC",))
def adult_services_under_16(ctx: Context) -> pl.DataFrame:
    """Ceased into adult social care (REC E7) and the child was not 16 at DEC. As in the
    open-source validator, an age that cannot be worked out (no DOB or DEC) is flagged."""
    eps = ctx.table("Episodes")
    joined = eps.join(header_dob(ctx), on=CHILD, how="left")
    bad = joined.filter(
        known(pl.col("REC") == "E7") & ~known(years_after("__DOB", 16) <= pl.col("DEC"))
    )
    return rows_where(eps, bad)


@rule("390", table="Episodes", fields=("PLACE", "REC"))
def adopted_without_adoption_placement(ctx: Context) -> pl.DataFrame:
    """Ceased as adopted (REC E11, E12) from a placement that is not an adoption placement
    (A3-A6)."""
    eps = ctx.table("Episodes")
    return eps.filter(
        is_one_of("REC", ["E11", "E12"]) & ~is_one_of("PLACE", ["A3", "A4", "A5", "A6"])
    )


@rule("391", table="OC3", fields=("DOB", "IN_TOUCH", "ACTIV", "ACCOM"))
def care_leaver_too_young(ctx: Context) -> pl.DataFrame:
    """Care-leaver information (IN_TOUCH, ACTIV or ACCOM) given for a young person not yet 17
    on 31 March."""
    oc3 = ctx.table("OC3")
    given = (
        pl.col("IN_TOUCH").is_not_null()
        | pl.col("ACTIV").is_not_null()
        | pl.col("ACCOM").is_not_null()
    )
    return oc3.filter(known(years_after("DOB", 17) > pl.lit(ctx.reference_date)) & given)


# --------------------------------------------------------------------------------------
# postcodes and distance
# --------------------------------------------------------------------------------------


def _former_uasc(ctx: Context) -> tuple[pl.DataFrame, bool]:
    """Children who are, or were last year, unaccompanied asylum-seeking children: in this or
    last year's UASC table, or UASC = 1 in a Header (XML exports). The flag says whether any
    UASC information was available at all."""
    frames = [ctx.optional("UASC").select(CHILD), ctx.optional_previous("UASC").select(CHILD)]
    known_any = ctx.supplied("UASC") or ctx.previous_supplied("UASC")
    for header in (ctx.table("Header"), ctx.optional_previous("Header")):
        if "UASC" in header.columns:
            known_any = known_any or header["UASC"].is_not_null().any()
            frames.append(header.filter(known(pl.col("UASC") == "1")).select(CHILD))
    return pl.concat(frames).unique(), known_any


def _return_postcodes(ctx: Context) -> Postcodes:
    """The postcode directory cut down to the postcodes this return's episodes use.

    The directory has 2.7M rows; joining it twice per rule costs seconds, so the few thousand
    postcodes a return holds are picked out once (a hash lookup per directory row) and 392a and
    392c join against that small frame instead.
    """

    def build() -> Postcodes:
        return Postcodes(return_postcodes(ctx))

    return ctx.memo(("r330s", "return_postcodes"), build)


def _distance(ctx: Context) -> pl.DataFrame:
    """Episodes with PL_DISTANCE: as supplied where the table carries it, else worked out from
    HOME_POST and PL_POST (as the DfE does, and as the open-source validator does on upload)."""
    eps = ctx.table("Episodes")
    if "PL_DISTANCE" in eps.columns:
        return eps
    return _return_postcodes(ctx).distance_miles(eps, "HOME_POST", "PL_POST")


@rule("392a", table="Episodes", fields=("PL_DISTANCE",))
def no_distance(ctx: Context) -> pl.DataFrame:
    """Looked after (LS not V3/V4) but no placement distance: a postcode is missing or not a
    known postcode. Children who are or were UASC (this year or last) are exempt. When no UASC
    information was supplied at all, nobody can be shown not to be UASC, and (as in the
    open-source validator) nothing is flagged."""
    uasc, known_any = _former_uasc(ctx)
    eps = ctx.table("Episodes")
    if not known_any:
        return eps.clear()
    with_distance = _distance(ctx).join(uasc, on=CHILD, how="anti")
    bad = with_distance.filter(~is_one_of("LS", RESPITE) & pl.col("PL_DISTANCE").is_null())
    return rows_where(eps, bad)


@rule("392b", table="Episodes", fields=("HOME_POST", "PL_POST"))
def no_postcodes(ctx: Context) -> pl.DataFrame:
    """Looked after (LS not V3/V4) but HOME_POST or PL_POST is blank; children who are or were
    UASC (this year or last) are exempt."""
    uasc, _ = _former_uasc(ctx)
    eps = ctx.table("Episodes").join(uasc, on=CHILD, how="anti")
    return eps.filter(
        ~is_one_of("LS", RESPITE) & (pl.col("HOME_POST").is_null() | pl.col("PL_POST").is_null())
    )


@rule("392c", table="Episodes", fields=("HOME_POST", "PL_POST"))
def invalid_postcodes(ctx: Context) -> pl.DataFrame:
    """HOME_POST or PL_POST given but not a postcode in the ONS Postcode Directory (matched
    upper case, spaces ignored)."""
    eps = ctx.table("Episodes")
    if eps.is_empty():
        return eps
    postcodes = _return_postcodes(ctx)
    looked = postcodes.lookup(eps, "HOME_POST", "__h_")
    looked = postcodes.lookup(looked, "PL_POST", "__p_")
    bad = looked.filter(
        (pl.col("HOME_POST").is_not_null() & pl.col("__h_easting").is_null())
        | (pl.col("PL_POST").is_not_null() & pl.col("__p_easting").is_null())
    )
    return rows_where(eps, bad)


@rule("392d", table="Episodes", fields=("HOME_POST", "PL_POST", "PLACE"))
def same_home_and_placement_postcode(ctx: Context) -> pl.DataFrame:
    """HOME_POST and PL_POST are the same postcode (upper case, spaces ignored) and the
    placement is not with parents (P1); a blank placement type is not P1."""
    eps = ctx.table("Episodes")
    same = postcode_key(pl.col("HOME_POST")) == postcode_key(pl.col("PL_POST"))
    return eps.filter(pl.col("PLACE").ne_missing(pl.lit("P1")) & known(same))


@rule("393", table="Header", fields=("MOTHER",))
def mother_not_completed(ctx: Context) -> pl.DataFrame:
    """A girl (SEX 2 up to 2023/24; F from 2024/25, when the codes changed) with an episode not
    under respite (LS not V3/V4) must have MOTHER completed."""
    header = ctx.table("Header")
    female = "F" if ctx.year >= 2025 else "2"
    looked_after = ctx.table("Episodes").filter(~is_one_of("LS", RESPITE)).select(CHILD).unique()
    return header.filter(
        known(pl.col("SEX").cast(pl.String) == female) & pl.col("MOTHER").is_null()
    ).join(looked_after, on=CHILD, how="semi")


@rule("398", table="Episodes", fields=("LS", "HOME_POST", "PL_POST"))
def distance_for_respite(ctx: Context) -> pl.DataFrame:
    """Respite (LS V3, V4) with a home or placement postcode (from which distance is worked
    out) given."""
    eps = ctx.table("Episodes")
    return eps.filter(
        is_one_of("LS", RESPITE)
        & (pl.col("HOME_POST").is_not_null() | pl.col("PL_POST").is_not_null())
    )


@rule("399", table="Episodes", fields=("MOTHER", "LS", "REVIEW", "REVIEW_CODE"))
def respite_with_mother_or_reviews(ctx: Context) -> list[Flag]:
    """A child whose every episode is respite (LS V3/V4) must have no MOTHER, REVIEW or
    REVIEW_CODE. For such a child with any of them given, the episodes and Header row are
    flagged, and each Reviews row that has a review date or code (or every Reviews row when
    MOTHER is given)."""
    eps = ctx.table("Episodes")
    header = ctx.table("Header")
    reviews = ctx.table("Reviews")
    respite_only = (
        eps.group_by(CHILD)
        .agg(is_one_of("LS", RESPITE).all().alias("__all"))
        .filter(pl.col("__all"))
        .select(CHILD)
    )
    mother = header.filter(pl.col("MOTHER").is_not_null()).select(CHILD).unique()
    review_given = (
        pl.col("REVIEW").is_not_null()
        | pl.col("REVIEW__raw").is_not_null()
        | pl.col("REVIEW_CODE").is_not_null()
    )
    with_review = reviews.filter(review_given).select(CHILD).unique()
    offending = respite_only.join(pl.concat([mother, with_review]).unique(), on=CHILD, how="semi")
    mother_children = mother.join(offending, on=CHILD, how="semi")
    flagged_reviews = reviews.join(offending, on=CHILD, how="semi").filter(
        review_given | pl.col(CHILD).is_in(mother_children[CHILD].implode())
    )
    return [
        Flag("Episodes", eps.join(offending, on=CHILD, how="semi"), ("LS",)),
        Flag("Header", header.join(offending, on=CHILD, how="semi"), ("MOTHER",)),
        Flag("Reviews", flagged_reviews, ("REVIEW", "REVIEW_CODE")),
    ]
