"""SSDA903 rules 406-460: episode chains, legal status, placement location, ages at review.

Each check reads the DfE rule for the collection year and is written to flag the same rows
as the validator councils use today (data-to-insight's ``csc-validator-be-903``) on the
same data; where the DfE text is ambiguous the docstring says how it is read.

Shared helpers (typed values, "supplied", row order, flags): ``_helpers.py``; the derived
placement geography: ``_geography.py``.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.ssda903.rules._geography import (
    council_code,
    placement_geography,
)
from statutory.ssda903.rules._helpers import (
    CHILD,
    HAS_NEXT,
    HAS_PREVIOUS,
    date_lit,
    episodes_by_start,
    first_rows,
    flags,
    in_order,
    is_in,
    known,
    last_rows,
    not_in,
    not_supplied,
    previous,
    rows_of,
    text,
    upper,
    years_after,
)

ROW = "ROW_NUMBER"


# --------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------


def _uasc_children(header: pl.DataFrame, uasc: pl.DataFrame) -> pl.Series:
    """Children recorded as UASC. XML returns carry the status in the Header (UASC, or
    UASC_STATUS); CSV returns do not, and a child is UASC when they have a row in the UASC
    table (as the councils' validator's loader reads CSV returns)."""
    for column in ("UASC_STATUS", "UASC"):
        if column in header.columns and header.get_column(column).is_not_null().any():
            return header.filter((text(column) == "1").fill_null(False)).get_column(CHILD)
    return uasc.get_column(CHILD)


@rule("406", table="Episodes", fields=("PL_DISTANCE",))
def uasc_distance_blank(ctx: Context) -> pl.DataFrame:
    """A child who is or was UASC (this year's or last year's return) has no distance.

    Read as in the DfE text "<UASC> = '1' this year or in either of the two previous
    years": only this year's and last year's returns are available, so a child UASC two
    years ago and not since is not caught (as in the validator councils use).
    """
    episodes = placement_geography(ctx)
    children = pl.concat(
        [
            _uasc_children(ctx.table("Header"), ctx.optional("UASC")),
            _uasc_children(ctx.optional_previous("Header"), ctx.optional_previous("UASC")),
        ]
    )
    bad = episodes.filter(
        pl.col(CHILD).is_in(children.implode()) & pl.col("PL_DISTANCE").is_not_null()
    )
    return rows_of(ctx.table("Episodes"), bad)


@rule("407", table="Episodes", fields=("DEC", "DOB", "REC"))
def sgo_at_eighteen(ctx: Context) -> list[Flag]:
    """REC E45-E48 (special guardianship) needs the child under 18 on the day care ended:
    flags the episode and the child's Header row when DOB + 18 years < DEC."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    merged = episodes.join(header.select(CHILD, pl.col("DOB"), pl.col(ROW).alias("_h")), on=CHILD)
    bad = merged.filter(
        is_in("REC", ("E45", "E46", "E47", "E48")) & known(years_after("DOB", 18) < pl.col("DEC"))
    )
    return flags(
        ("DEC", "DOB", "REC"), Episodes=(episodes, bad), Header=(header, bad.get_column("_h"))
    )


@rule("408", table="Episodes", fields=("PLACE", "LS"))
def placed_for_adoption_without_order(ctx: Context) -> pl.DataFrame:
    """PLACE A5/A6 (placed for adoption with a placement order) needs LS E1."""
    episodes = ctx.table("Episodes")
    return episodes.filter(is_in("PLACE", ("A5", "A6")) & text("LS").ne_missing("E1"))


@rule("411", table="Episodes", fields=("PL_LOCATION",))
def location_disagrees_with_la(ctx: Context) -> pl.DataFrame:
    """PL_LOCATION 'IN' (inside the council) but PL_LA is not the council's own code.

    Only "IN" is checked, as in the DfE condition. PL_LA and PL_LOCATION are derived from
    PL_POST (see :func:`placement_geography`) unless the return carries them; the council's
    code is :func:`council_code`. Without a council code nothing is flagged.
    """
    la = council_code(ctx)
    episodes = placement_geography(ctx)
    if la is None:
        return ctx.table("Episodes").head(0)
    bad = episodes.filter(
        (text("PL_LOCATION") == "IN").fill_null(False) & text("PL_LA").ne_missing(str(la))
    )
    return rows_of(ctx.table("Episodes"), bad)


@rule("420", table="Episodes", fields=("PL_LA",))
def short_break_has_placement_la(ctx: Context) -> pl.DataFrame:
    """Legal status V3/V4 (short breaks) must not have an LA of placement (PL_LA as derived
    from PL_POST, see :func:`placement_geography`)."""
    episodes = placement_geography(ctx)
    bad = episodes.filter(is_in("LS", ("V3", "V4")) & pl.col("PL_LA").is_not_null())
    return rows_of(ctx.table("Episodes"), bad)


@rule("426", table="Episodes", fields=("LS",))
def v3_and_v4_same_year(ctx: Context) -> pl.DataFrame:
    """A child with both V3 and V4 episodes in the year: every V3/V4 episode is flagged."""
    episodes = ctx.table("Episodes")
    both = (
        episodes.filter(is_in("LS", ("V3", "V4")))
        .group_by(CHILD)
        .agg(pl.col("LS").n_unique().alias("_n"))
        .filter(pl.col("_n") > 1)
    )
    return episodes.filter(
        is_in("LS", ("V3", "V4")) & pl.col(CHILD).is_in(both.get_column(CHILD).implode())
    )


@rule("431", table="Episodes", fields=("RNE", "DECOM"))
def started_care_same_day_previous_ended(ctx: Context) -> pl.DataFrame:
    """RNE S (started to be looked after) but the child's previous episode (by DECOM)
    ended on or after this one's start: a new period of care cannot begin the day the last
    one ended. Read, as the validator councils use does, as DECOM <= previous DEC."""
    episodes = episodes_by_start(ctx)
    return episodes.filter(
        (pl.col("RNE") == "S").fill_null(False) & known(pl.col("DECOM") <= previous("DEC"))
    )


CEASED_CARE = (
    "E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11",
    "E12", "E13", "E14", "E15", "E16", "E17", "E41", "E45", "E46", "E47", "E48",
)  # fmt: skip


@rule("432", table="Episodes", fields=("RNE",))
def new_period_not_started(ctx: Context) -> pl.DataFrame:
    """The previous episode (by DECOM) ended care (any REC other than X1), so this one
    must start a new period: RNE must be S."""
    episodes = episodes_by_start(ctx)
    return episodes.filter(
        known(previous("REC").is_in(list(CEASED_CARE))) & text("RNE").ne_missing("S")
    )


@rule("433", table="Episodes", fields=("RNE", "DECOM"))
def continuation_not_contiguous(ctx: Context) -> pl.DataFrame:
    """RNE P, L, T, U or B continues a period of care, so the episode must start on the day
    the child's previous episode (by DECOM, then DEC) ended; a missing date on either side
    is a finding. A child's first episode is not checked."""
    episodes = in_order(ctx.table("Episodes"), "DECOM", "DEC")
    has_previous = HAS_PREVIOUS
    contiguous = known(previous("DEC") == pl.col("DECOM"))
    return episodes.filter(
        known(upper("RNE").is_in(["P", "L", "T", "U", "B"])) & has_previous & ~contiguous
    )


def _same_or_blank(column: str) -> pl.Expr:
    """Unchanged from the previous episode, two blanks counting as the same."""
    return pl.col(column).eq_missing(previous(column))


@rule("434", table="Episodes", fields=("RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"))
def legal_status_change_not_reflected(ctx: Context) -> pl.DataFrame:
    """RNE L (legal status changed, placement did not): LS must differ from the previous
    episode and PLACE, PL_POST, URN and PLACE_PROVIDER must all be unchanged."""
    episodes = episodes_by_start(ctx)
    has_previous = HAS_PREVIOUS
    same_ls = known(pl.col("LS") == previous("LS"))
    placement_changed = ~pl.all_horizontal(
        [_same_or_blank(c) for c in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")]
    )
    return episodes.filter(
        has_previous & (pl.col("RNE") == "L").fill_null(False) & (same_ls | placement_changed)
    )


@rule("435", table="Episodes", fields=("LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"))
def placement_change_not_reflected(ctx: Context) -> pl.DataFrame:
    """RNE P or T (placement changed, legal status did not): flagged when LS differs from
    the previous episode (a blank counts as different) or when nothing about the placement
    (PLACE, PL_POST, URN, PLACE_PROVIDER) changed."""
    episodes = episodes_by_start(ctx)
    has_previous = HAS_PREVIOUS
    ls_changed = (pl.col("LS") != previous("LS")).fill_null(True)
    nothing_moved = pl.all_horizontal(
        [known(pl.col(c) == previous(c)) for c in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")]
    )
    return episodes.filter(has_previous & is_in("RNE", ("P", "T")) & (ls_changed | nothing_moved))


@rule("436", table="Episodes", fields=("RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"))
def both_changes_not_reflected(ctx: Context) -> pl.DataFrame:
    """RNE U or B (placement and legal status both changed): flagged when LS is unchanged
    or when PLACE, PL_POST, URN and PLACE_PROVIDER are all unchanged (blanks equal)."""
    episodes = episodes_by_start(ctx)
    has_previous = HAS_PREVIOUS
    nothing_moved = pl.all_horizontal(
        [_same_or_blank(c) for c in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")]
    )
    return episodes.filter(
        has_previous & is_in("RNE", ("U", "B")) & (_same_or_blank("LS") | nothing_moved)
    )


@rule("437", table="Episodes", fields=("REC",))
def died_or_eighteen_then_more_episodes(ctx: Context) -> pl.DataFrame:
    """REC E2 (died) or E15 (care ceased for any other reason at 18+) must be the child's
    last episode of the year (by DECOM; undated episodes are not checked)."""
    episodes = episodes_by_start(ctx)
    has_next = HAS_NEXT
    return episodes.filter(
        pl.col("DECOM").is_not_null() & known(upper("REC").is_in(["E2", "E15"])) & has_next
    )


@rule("440", table="Reviews", fields=("DOB", "REVIEW", "REVIEW_CODE"))
def pn0_but_four_or_over(ctx: Context) -> pl.DataFrame:
    """Participation code PN0 (child under 4) but REVIEW is after the 4th birthday."""
    reviews = ctx.table("Reviews")
    return reviews.filter(
        (text("REVIEW_CODE") == "PN0").fill_null(False)
        & known(pl.col("REVIEW") > years_after("DOB", 4))
    )


@rule("441", table="Reviews", fields=("DOB", "REVIEW", "REVIEW_CODE"))
def participation_but_under_four(ctx: Context) -> pl.DataFrame:
    """Participation codes PN1-PN7 (child 4 or over) but REVIEW is before the 4th birthday."""
    reviews = ctx.table("Reviews")
    codes = [f"PN{i}" for i in range(1, 8)]
    return reviews.filter(
        is_in("REVIEW_CODE", codes) & known(pl.col("REVIEW") < years_after("DOB", 4))
    )


@rule("442", table="Header", fields=("UPN",))
def upn_missing(ctx: Context) -> pl.DataFrame:
    """UPN blank for a child with any episode whose LS is not V3/V4 (a blank LS counts):
    short-break-only children need no UPN. Children without episodes are not checked."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    needs_upn = episodes.filter(not_in("LS", ("V3", "V4"))).get_column(CHILD)
    return header.filter(pl.col(CHILD).is_in(needs_upn.implode()) & not_supplied(header, "UPN"))


@rule("444", table="Header", fields=("UPN",))
def upn_duplicated(ctx: Context) -> pl.DataFrame:
    """A UPN (other than the UN1-UN5 reason codes) given for more than one Header row."""
    header = ctx.table("Header")
    real = header.filter(
        pl.col("UPN").is_not_null() & not_in("UPN", [f"UN{i}" for i in range(1, 6)])
    )
    repeated = real.group_by("UPN").len().filter(pl.col("len") > 1).get_column("UPN")
    return header.filter(pl.col("UPN").is_in(repeated.implode()).fill_null(False))


@rule("445", table="Episodes", fields=("LS", "DECOM"))
def d1_after_2005(ctx: Context) -> pl.DataFrame:
    """LS D1 (freeing order) cannot start after 31 December 2005."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        (text("LS") == "D1").fill_null(False)
        & known(pl.col("DECOM") > date_lit(dt.date(2005, 12, 31)))
    )


@rule("446", table="Episodes", fields=("LS", "DECOM"))
def e1_before_december_2005(ctx: Context) -> pl.DataFrame:
    """LS E1 (placement order) cannot start before 1 December 2005."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        (text("LS") == "E1").fill_null(False)
        & known(pl.col("DECOM") < date_lit(dt.date(2005, 12, 1)))
    )


@rule("451", table="Episodes", fields=("DEC", "REC", "LS"))
def still_freed_for_adoption(ctx: Context) -> pl.DataFrame:
    """An open episode (no DEC, no REC) under LS D1: freeing orders ended in 2005."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        not_supplied(episodes, "DEC")
        & not_supplied(episodes, "REC")
        & (text("LS") == "D1").fill_null(False)
    )


def first_with_last_years_last(ctx: Context, *, geography: bool = False) -> pl.DataFrame:
    """This year's first episode of each child (by DECOM) joined to last year's latest
    episode of the same child; last year's columns carry the suffix ``_last``. With
    ``geography`` both sides carry PL_DISTANCE, PL_LA and PL_LOCATION."""

    def build() -> pl.DataFrame:
        if geography:
            current = placement_geography(ctx)
            last_year = placement_geography(ctx, last_year=True)
        else:
            current, last_year = ctx.table("Episodes"), ctx.previous("Episodes")
        first = first_rows(current, "DECOM")
        last = last_rows(last_year, "DECOM")
        renamed = last.select(pl.all().name.suffix("_last")).rename({f"{CHILD}_last": CHILD})
        return first.join(renamed, on=CHILD)

    return ctx.memo(("r400s", "first_with_last_years_last", geography), build)


def _continuing_from_last_year(ctx: Context) -> pl.DataFrame:
    """First episodes whose child's final episode last year was still open (no DEC) and
    had the same RNE."""
    joined = first_with_last_years_last(ctx, geography=True)
    return joined.filter(
        known(pl.col("RNE") == pl.col("RNE_last")) & not_supplied(joined, "DEC_last")
    )


@rule("452", table="Episodes", fields=("PL_LA",))
def placement_la_contradicts_last_year(ctx: Context) -> pl.DataFrame:
    """Continuing episode (last year's final episode open, same RNE) with a different LA of
    placement in this year's first episode (a blank on one side only is a difference)."""
    episodes = ctx.table("Episodes")
    joined = _continuing_from_last_year(ctx)
    bad = joined.filter(text("PL_LA").ne_missing(text("PL_LA_last")))
    return rows_of(episodes, bad)


@rule("453", table="Episodes", fields=("PL_DISTANCE",))
def distance_contradicts_last_year(ctx: Context) -> pl.DataFrame:
    """Continuing episode (last year's final episode open, same RNE) whose distance differs
    from last year's by 0.2 miles or more."""
    episodes = ctx.table("Episodes")
    joined = _continuing_from_last_year(ctx)
    distance = pl.col("PL_DISTANCE").cast(pl.Float64)
    bad = joined.filter(
        known((distance - pl.col("PL_DISTANCE_last").cast(pl.Float64)).abs() >= 0.2)
    )
    return rows_of(episodes, bad)


@rule("454", table="Episodes", fields=("PL_DISTANCE",))
def distance_over_350_miles(ctx: Context) -> pl.DataFrame:
    """PL_DISTANCE over 350 miles, 999.9 (the DfE's 'not known') excepted."""
    episodes = placement_geography(ctx)
    distance = pl.col("PL_DISTANCE").cast(pl.Float64)
    bad = episodes.filter(known((distance > 350) & (distance != 999.9)))
    return rows_of(ctx.table("Episodes"), bad)


@rule("460", table="Episodes", fields=("DEC", "REC"))
def stayed_put_under_eighteen(ctx: Context) -> pl.DataFrame:
    """REC E17 (stayed with current carers at 18+) but the child was under 18 at DEC."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    merged = episodes.join(
        header.select(CHILD, "DOB").unique(CHILD, keep="first"), on=CHILD, how="left"
    )
    bad = merged.filter(
        (text("REC") == "E17").fill_null(False) & known(years_after("DOB", 18) > pl.col("DEC"))
    )
    return rows_of(episodes, bad)
