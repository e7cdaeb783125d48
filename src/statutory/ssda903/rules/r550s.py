"""SSDA903 rules 550-586: placement providers, health (OC2) and missing periods (see r500s.py)."""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.ssda903.rules._helpers import (
    CHILD,
    HAS_PREVIOUS,
    date_lit,
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
    supplied,
    text,
    years_after,
)
from statutory.ssda903.rules.r400s import (
    ROW,
)
from statutory.ssda903.rules.r500s import (
    ADOPTION_PLACEMENTS,
)


@rule("550", table="Episodes", fields=("PLACE", "PLACE_PROVIDER"))
def pr0_not_p1(ctx: Context) -> pl.DataFrame:
    """PLACE_PROVIDER PR0 with any PLACE other than P1 (a blank PLACE too)."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        text("PLACE").ne_missing("P1") & (text("PLACE_PROVIDER") == "PR0").fill_null(False)
    )


# ---- PlacedAdoption: decisions to place for adoption -----------------------------------


@rule("551", table="Episodes", fields=("DATE_PLACED", "PLACE"))
def placed_without_decision(ctx: Context) -> pl.DataFrame:
    """A placed-for-adoption episode (PLACE A3-A6) whose child has no PlacedAdoption row
    with DATE_PLACED written (a child with several rows is flagged if any is blank, as in
    the validator councils use)."""
    episodes, placed = ctx.table("Episodes"), ctx.table("PlacedAdoption")
    adoption = episodes.filter(is_in("PLACE", ADOPTION_PLACEMENTS))
    merged = adoption.join(
        placed.select(CHILD, supplied(placed, "DATE_PLACED").alias("_dp")), on=CHILD, how="left"
    )
    return rows_of(episodes, merged.filter(~pl.col("_dp").fill_null(False)))


@rule("552", table="Episodes", fields=("DATE_PLACED", "DECOM"))
def decision_after_placed(ctx: Context) -> list[Flag]:
    """The child's latest DATE_PLACED must be on or before the DECOM of the child's first
    placed-for-adoption episode (PLACE A3-A6); flags both rows."""
    episodes, placed = ctx.table("Episodes"), ctx.table("PlacedAdoption")
    first = first_rows(episodes.filter(is_in("PLACE", ADOPTION_PLACEMENTS)), "DECOM")
    latest = last_rows(placed, "DATE_PLACED").select(CHILD, "DATE_PLACED", pl.col(ROW).alias("_pa"))
    bad = first.join(latest, on=CHILD).filter(known(pl.col("DECOM") < pl.col("DATE_PLACED")))
    return flags(
        ("DATE_PLACED", "DECOM"),
        PlacedAdoption=(placed, bad.get_column("_pa")),
        Episodes=(episodes, bad),
    )


def _order_without_decision(ctx: Context, ls: str) -> list[Flag]:
    """Episodes under legal status ``ls`` whose child has no PlacedAdoption row at all, and
    PlacedAdoption rows with a ceased date or reason for a child still open under ``ls``."""
    episodes, placed = ctx.table("Episodes"), ctx.table("PlacedAdoption")
    under = episodes.filter((text("LS") == ls).fill_null(False))
    no_decision = under.join(placed.select(CHILD), on=CHILD, how="anti")
    open_children = under.filter(not_supplied(under, "DEC")).get_column(CHILD)
    ceased = placed.filter(
        pl.col(CHILD).is_in(open_children.implode())
        & (supplied(placed, "DATE_PLACED_CEASED") | supplied(placed, "REASON_PLACED_CEASED"))
    )
    fields = ("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED")
    return flags(fields, Episodes=(episodes, no_decision), PlacedAdoption=(placed, ceased))


@rule(
    "553",
    table="Episodes",
    fields=("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
)
def placement_order_without_decision(ctx: Context) -> list[Flag]:
    """LS E1 (placement order) needs a PlacedAdoption row for the child; while the E1
    episode is open that row must not show the decision as ceased."""
    return _order_without_decision(ctx, "E1")


@rule("554", table="Episodes", fields=("DATE_PLACED", "DECOM", "LS"))
def decision_after_placement_order(ctx: Context) -> list[Flag]:
    """DATE_PLACED must be on or before the DECOM of the child's first E1 episode (the
    placement order); read within this year's episodes only."""
    episodes, placed = ctx.table("Episodes"), ctx.table("PlacedAdoption")
    first_e1 = first_rows(episodes.filter((text("LS") == "E1").fill_null(False)), "DECOM")
    merged = first_e1.join(placed.select(CHILD, "DATE_PLACED", pl.col(ROW).alias("_pa")), on=CHILD)
    bad = merged.filter(known(pl.col("DATE_PLACED") > pl.col("DECOM")))
    return flags(
        ("DATE_PLACED", "DECOM", "LS"),
        Episodes=(episodes, bad),
        PlacedAdoption=(placed, bad.get_column("_pa")),
    )


@rule(
    "555",
    table="Episodes",
    fields=("CHILD", "DATE_PLACED", "DATE_PLACED_CEASED", "REASON_PLACED_CEASED"),
)
def freeing_order_without_decision(ctx: Context) -> list[Flag]:
    """LS D1 (freeing order) needs a PlacedAdoption row; while the D1 episode is open that
    row must not show the decision as ceased."""
    return _order_without_decision(ctx, "D1")


@rule("556", table="Episodes", fields=("DATE_PLACED", "DECOM"))
def decision_after_freeing_order(ctx: Context) -> pl.DataFrame:
    """DATE_PLACED must be on or before the DECOM of each D1 (freeing order) episode."""
    episodes, placed = ctx.table("Episodes"), ctx.table("PlacedAdoption")
    d1 = episodes.filter((text("LS") == "D1").fill_null(False))
    bad = d1.join(placed.select(CHILD, "DATE_PLACED"), on=CHILD).filter(
        known(pl.col("DATE_PLACED") > pl.col("DECOM"))
    )
    return rows_of(episodes, bad)


@rule(
    "557",
    table="Episodes",
    fields=("DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"),
)
def left_care_not_adopted_decision_open(ctx: Context) -> list[Flag]:
    """An episode placed for adoption (PLACE A3-A6) or under an order (LS E1; and D1 up to
    2023/24) that ended care other than by adoption (REC written, not X1, E11 or E12) needs
    the decision to place recorded as ceased: no PlacedAdoption row, or one with
    DATE_PLACED_CEASED or REASON_PLACED_CEASED blank, flags both."""
    episodes, placed = ctx.table("Episodes"), ctx.table("PlacedAdoption")
    orders = ("E1",) if ctx.year >= 2025 else ("D1", "E1")
    not_adopted = supplied(episodes, "REC") & not_in("REC", ("E11", "E12", "X1"))
    candidates = episodes.filter(
        (is_in("PLACE", ADOPTION_PLACEMENTS) | is_in("LS", orders)) & not_adopted
    )
    incomplete = placed.select(
        CHILD,
        pl.col(ROW).alias("_pa"),
        (
            not_supplied(placed, "DATE_PLACED_CEASED")
            | not_supplied(placed, "REASON_PLACED_CEASED")
        ).alias("_inc"),
    )
    merged = candidates.join(incomplete, on=CHILD, how="left")
    bad = merged.filter(pl.col("_pa").is_null() | pl.col("_inc").fill_null(False))
    return flags(
        ("DATE_PLACED_CEASED", "REASON_PLACED_CEASED", "PLACE", "LS", "REC"),
        Episodes=(episodes, bad),
        PlacedAdoption=(placed, bad.get_column("_pa")),
    )


@rule("558", table="Episodes", fields=("DATE_PLACED_CEASED", "REC"))
def adopted_but_decision_ceased(ctx: Context) -> pl.DataFrame:
    """An adopted child (REC E11/E12) should have no DATE_PLACED_CEASED on the decision
    that led to the adoption. Read as the validator councils use does: a child with any
    PlacedAdoption row (or none) left blank is taken to have an open latest decision and
    passes; otherwise the adoption episode is flagged when two or more ceased dates fall in
    the same calendar year."""
    episodes, placed = ctx.table("Episodes"), ctx.table("PlacedAdoption")
    adopted = episodes.filter(is_in("REC", ("E11", "E12")))
    merged = adopted.join(
        placed.select(
            CHILD,
            supplied(placed, "DATE_PLACED_CEASED").alias("_has"),
            pl.col("DATE_PLACED_CEASED").dt.year().alias("_year"),
        ),
        on=CHILD,
        how="left",
    )
    with_blank = merged.filter(~pl.col("_has").fill_null(False)).get_column(CHILD)
    counted = merged.filter(
        ~pl.col(CHILD).is_in(with_blank.implode()) & pl.col("_year").is_not_null()
    ).with_columns(pl.len().over(CHILD, "_year").alias("_n"))
    return rows_of(episodes, counted.filter(pl.col("_n") > 1))


def _last_year_placed(ctx: Context) -> pl.DataFrame:
    last = ctx.previous("PlacedAdoption")
    return last.select(
        CHILD,
        pl.col("DATE_PLACED").alias("DATE_PLACED_last"),
        pl.col("DATE_PLACED_CEASED").alias("DATE_PLACED_CEASED_last"),
        supplied(last, "DATE_PLACED").alias("_dp_last"),
        supplied(last, "DATE_PLACED_CEASED").alias("_dpc_last"),
        supplied(last, "REASON_PLACED_CEASED").alias("_rpc_last"),
    )


@rule("559", table="PlacedAdoption", fields=("DATE_PLACED",))
def old_decision_not_in_last_return(ctx: Context) -> pl.DataFrame:
    """DATE_PLACED before 1 April (a decision from an earlier year) must have been reported
    last year: flagged when no row of last year's PlacedAdoption for the child has a
    DATE_PLACED. Not run without last year's PlacedAdoption."""
    placed = ctx.table("PlacedAdoption")
    ctx.previous("PlacedAdoption")
    merged = placed.join(_last_year_placed(ctx), on=CHILD, how="left")
    bad = merged.filter(
        known(pl.col("DATE_PLACED") < date_lit(ctx.collection_start))
        & pl.col("DATE_PLACED_last").is_null()
    )
    return rows_of(placed, bad)


@rule("560", table="PlacedAdoption", fields=("DATE_PLACED", "DATE_PLACED_CEASED"))
def decision_date_changed_without_reversal(ctx: Context) -> pl.DataFrame:
    """Last year had a decision (DATE_PLACED) that had not ceased; this year's DATE_PLACED
    must be the same date (a blank this year is a difference)."""
    placed = ctx.table("PlacedAdoption")
    merged = placed.join(_last_year_placed(ctx), on=CHILD)
    bad = merged.filter(
        pl.col("_dp_last")
        & ~pl.col("_dpc_last")
        & (pl.col("DATE_PLACED") != pl.col("DATE_PLACED_last")).fill_null(True)
    )
    return rows_of(placed, bad)


@rule("561", table="PlacedAdoption", fields=("DATE_PLACED",))
def same_decision_date_after_reversal(ctx: Context) -> pl.DataFrame:
    """This year's DATE_PLACED equals last year's, but last year's decision had ceased
    (DATE_PLACED_CEASED or REASON_PLACED_CEASED written)."""
    placed = ctx.table("PlacedAdoption")
    merged = placed.join(_last_year_placed(ctx), on=CHILD)
    bad = merged.filter(
        known(pl.col("DATE_PLACED") == pl.col("DATE_PLACED_last"))
        & (pl.col("_dpc_last") | pl.col("_rpc_last"))
    )
    return rows_of(placed, bad)


@rule("584", table="PlacedAdoption", fields=("DATE_PLACED",))
def decision_date_after_reversal_not_later(ctx: Context) -> pl.DataFrame:
    """Last year's decision had ceased (DATE_PLACED_CEASED or REASON_PLACED_CEASED written),
    so this year's DATE_PLACED must be a new, later decision: flagged when it is blank or on
    or before last year's DATE_PLACED (the DfE condition: this year's DATE_PLACED must be
    later than last year's). The councils' validator maps rows back by the joined frame's
    position, not the row's, so its findings for this code can land on other rows."""
    placed = ctx.table("PlacedAdoption")
    ceased_last = _last_year_placed(ctx).filter(pl.col("_dpc_last") | pl.col("_rpc_last"))
    merged = placed.join(ceased_last, on=CHILD)
    bad = merged.filter(
        pl.col("DATE_PLACED").is_null() | known(pl.col("DATE_PLACED") <= pl.col("DATE_PLACED_last"))
    )
    return rows_of(placed, bad)


@rule("562", table="Episodes", fields=("DECOM",))
def continuing_episode_missing_last_year(ctx: Context) -> pl.DataFrame:
    """The child's first episode that started before 1 April must be last year's latest
    episode for the child (same DECOM). Not run without last year's Episodes."""
    episodes = ctx.table("Episodes")
    last_year = ctx.previous("Episodes")
    before = episodes.filter(known(pl.col("DECOM") < date_lit(ctx.collection_start)))
    first = first_rows(before, "DECOM")
    last = last_rows(last_year, "DECOM").select(CHILD, "DECOM")
    return rows_of(episodes, first.join(last, on=[CHILD, "DECOM"], how="anti"))


@rule(
    "563",
    table="PlacedAdoption",
    fields=("DATE_PLACED", "REASON_PLACED_CEASED", "DATE_PLACED_CEASED"),
)
def ceased_without_decision_date(ctx: Context) -> pl.DataFrame:
    """Reason and date the decision ceased both written, but DATE_PLACED blank."""
    placed = ctx.table("PlacedAdoption")
    return placed.filter(
        supplied(placed, "REASON_PLACED_CEASED")
        & supplied(placed, "DATE_PLACED_CEASED")
        & not_supplied(placed, "DATE_PLACED")
    )


@rule("579", table="PlacedAdoption", fields=("DATE_PLACED", "DATE_PLACED_CEASED"))
def decisions_overlap(ctx: Context) -> pl.DataFrame:
    """In DATE_PLACED order, a decision may not start while the child's previous one is
    still open (no DATE_PLACED_CEASED) or before it ceased."""
    placed = in_order(ctx.table("PlacedAdoption"), "DATE_PLACED")
    has_previous = HAS_PREVIOUS
    return placed.filter(
        has_previous
        & (
            previous("DATE_PLACED_CEASED").is_null()
            | known(pl.col("DATE_PLACED") < previous("DATE_PLACED_CEASED"))
        )
    )


@rule("583", table="PlacedAdoption", fields=("DATE_PLACED", "DATE_PLACED_CEASED"))
def earlier_decision_not_revoked(ctx: Context) -> pl.DataFrame:
    """Every decision but the child's latest (by DATE_PLACED) must have ceased: a blank
    DATE_PLACED_CEASED on an earlier decision is flagged, and so is every blank one when a
    child has two or more. "Latest" is by date; the councils' validator orders the dates
    as text (day first), which can pick a different row as the latest."""
    placed = ctx.table("PlacedAdoption")
    latest = placed.sort(
        [CHILD, "DATE_PLACED", ROW], descending=[False, True, False], nulls_last=True
    )
    latest_rows = latest.unique(subset=CHILD, keep="first").get_column(ROW)
    open_ = not_supplied(placed, "DATE_PLACED_CEASED")
    open_count = open_.sum().over(CHILD)
    return placed.filter(open_ & ((open_count > 1) | ~pl.col(ROW).is_in(latest_rows.implode())))


@rule("582", table="Episodes", fields=("DEC", "DATE_MATCH"))
def adopted_on_match_date(ctx: Context) -> pl.DataFrame:
    """REC E11/E12 (adopted) on the same date as AD1's DATE_MATCH."""
    episodes, ad1 = ctx.table("Episodes"), ctx.table("AD1")
    adopted = episodes.filter(is_in("REC", ("E11", "E12")))
    bad = adopted.join(ad1.select(CHILD, "DATE_MATCH"), on=CHILD).filter(
        known(pl.col("DEC") == pl.col("DATE_MATCH"))
    )
    return rows_of(episodes, bad)


# ---- Missing -----------------------------------------------------------------------------


@rule("564", table="Missing", fields=("MISSING", "MIS_START"))
def missing_without_start(ctx: Context) -> pl.DataFrame:
    """MISSING M or A but MIS_START blank."""
    missing = ctx.table("Missing")
    return missing.filter(is_in("MISSING", ("M", "A")) & not_supplied(missing, "MIS_START"))


@rule("565", table="Missing", fields=("MISSING", "MIS_START"))
def start_without_missing(ctx: Context) -> pl.DataFrame:
    """MIS_START written but MISSING blank."""
    missing = ctx.table("Missing")
    return missing.filter(supplied(missing, "MIS_START") & not_supplied(missing, "MISSING"))


@rule("566", table="Missing", fields=("MISSING", "MIS_END"))
def end_without_missing(ctx: Context) -> pl.DataFrame:
    """MIS_END written but MISSING blank."""
    missing = ctx.table("Missing")
    return missing.filter(not_supplied(missing, "MISSING") & supplied(missing, "MIS_END"))


@rule("567", table="Missing", fields=("MIS_START", "MIS_END"))
def missing_ends_before_start(ctx: Context) -> pl.DataFrame:
    """MIS_END before MIS_START."""
    missing = ctx.table("Missing")
    return missing.filter(known(pl.col("MIS_START") > pl.col("MIS_END")))


@rule("570", table="Missing", fields=("MIS_START",))
def missing_starts_after_year(ctx: Context) -> pl.DataFrame:
    """MIS_START after 31 March."""
    missing = ctx.table("Missing")
    return missing.filter(known(pl.col("MIS_START") > date_lit(ctx.reference_date)))


@rule("571", table="Missing", fields=("MIS_END",))
def missing_ends_outside_year(ctx: Context) -> pl.DataFrame:
    """MIS_END before 1 April or after 31 March of the collection year."""
    missing = ctx.table("Missing")
    end = pl.col("MIS_END")
    return missing.filter(
        known((end < date_lit(ctx.collection_start)) | (end > date_lit(ctx.reference_date)))
    )


@rule("574", table="Missing", fields=("MIS_START", "MIS_END"))
def missing_periods_overlap(ctx: Context) -> pl.DataFrame:
    """In the child's order of periods (by end, an open period by its start, then start), a
    period may not follow one still open (no MIS_END) or start before it ended."""
    missing = ctx.table("Missing").with_columns(
        pl.coalesce("MIS_END", "MIS_START").alias("_end_fill")
    )
    ordered = in_order(missing, "_end_fill", "MIS_START")
    has_previous = HAS_PREVIOUS
    bad = ordered.filter(
        has_previous
        & (previous("MIS_END").is_null() | known(pl.col("MIS_START") < previous("MIS_END")))
    )
    return rows_of(ctx.table("Missing"), bad)


@rule("575", table="Missing", fields=("MIS_END",))
def missing_open_after_placement_ended(ctx: Context) -> pl.DataFrame:
    """A missing period that started during an episode that has ended (MIS_START from DECOM
    to DEC) must have an MIS_END."""
    episodes, missing = ctx.table("Episodes"), ctx.table("Missing")
    open_missing = missing.filter(not_supplied(missing, "MIS_END"))
    joined = open_missing.join(episodes.select(CHILD, "DECOM", "DEC"), on=CHILD)
    bad = joined.filter(
        known((pl.col("MIS_START") >= pl.col("DECOM")) & (pl.col("MIS_START") <= pl.col("DEC")))
    )
    return rows_of(missing, bad)


@rule("576", table="Missing", fields=("CHILD",))
def open_missing_last_year_not_continued(ctx: Context) -> pl.DataFrame:
    """Last year ended with an open missing period (no MIS_END); the child's earliest period
    this year must start on the same date. Children without a period this year are not
    checked (there is no row to flag)."""
    missing = ctx.table("Missing")
    last = ctx.previous("Missing")
    open_last = last.filter(not_supplied(last, "MIS_END")).select(
        CHILD, pl.col("MIS_START").alias("MIS_START_last")
    )
    earliest = in_order(
        missing.with_columns(pl.col("MIS_START").fill_null(dt.date(2099, 1, 1))), "MIS_START"
    ).unique(subset=CHILD, keep="first", maintain_order=True)
    bad = earliest.join(open_last, on=CHILD).filter(
        pl.col("MIS_START_last").is_not_null() & (pl.col("MIS_START") != pl.col("MIS_START_last"))
    )
    return rows_of(missing, bad)


def _periods_of_care(episodes: pl.DataFrame) -> pl.DataFrame:
    """Periods of care (``CHILD``, ``poc_start``, ``poc_end``): consecutive dated episodes
    of a child belong to one period until an episode starts after the previous one ended.
    A period ends on its last episode's DEC (null while open)."""
    dated = in_order(episodes.filter(pl.col("DECOM").is_not_null()), "DECOM")
    new_period = ~HAS_PREVIOUS | known(pl.col("DECOM") > previous("DEC"))
    numbered = dated.with_columns(new_period.cast(pl.Int64).cum_sum().alias("_period"))
    return numbered.group_by("_period", maintain_order=True).agg(
        pl.col(CHILD).first(),
        pl.col("DECOM").first().alias("poc_start"),
        pl.col("DEC").last().alias("poc_end"),
    )


def _missing_outside_every_period(
    ctx: Context, outside: pl.Expr, missing: pl.DataFrame
) -> pl.DataFrame:
    """Missing rows for which ``outside`` holds against every period of care of the child
    (children with no episodes are not checked)."""
    periods = ctx.memo(
        ("r500s", "periods_of_care"), lambda: _periods_of_care(ctx.table("Episodes"))
    )
    joined = missing.join(periods, on=CHILD)
    bad = joined.group_by(ROW).agg(known(outside).all().alias("_all")).filter(pl.col("_all"))
    return rows_of(missing, bad)


@rule("577", table="Missing", fields=("MIS_END",))
def missing_open_after_care_ended(ctx: Context) -> pl.DataFrame:
    """A missing period (with MIS_START) that does not sit inside any of the child's
    periods of care: open while the period has ended, open but started before the period,
    or ending after the period's end or before its start."""
    missing = ctx.table("Missing")
    open_ = pl.col("MIS_END").is_null()  # an unreadable end date counts as open here
    start, end = pl.col("MIS_START"), pl.col("MIS_END")
    outside = (
        (open_ & pl.col("poc_end").is_not_null())
        | (open_ & (start < pl.col("poc_start")))
        | (end > pl.col("poc_end"))
        | (end < pl.col("poc_start"))
    )
    return _missing_outside_every_period(
        ctx, outside, missing.filter(pl.col("MIS_START").is_not_null())
    )


@rule("578", table="Missing", fields=("MIS_START",))
def missing_after_care_ended(ctx: Context) -> pl.DataFrame:
    """MIS_START outside every period of care of the child: before its start, or after its
    end when it has ended."""
    start = pl.col("MIS_START")
    outside = (start < pl.col("poc_start")) | (
        (start > pl.col("poc_end")) & pl.col("poc_end").is_not_null()
    )
    return _missing_outside_every_period(ctx, outside, ctx.table("Missing"))


@rule("580", table="Episodes", fields=("REC",))
def missing_at_eighteen_not_e8(ctx: Context) -> pl.DataFrame:
    """Care ended on the 18th birthday while missing (MIS_END = DEC = DOB + 18 years) but
    REC is not E8."""
    episodes, missing = ctx.table("Episodes"), ctx.table("Missing")
    ends = missing.select(CHILD, "MIS_END", years_after("DOB", 18).alias("_bd18"))
    joined = episodes.join(ends, on=CHILD)
    bad = joined.filter(
        known((pl.col("_bd18") == pl.col("MIS_END")) & (pl.col("MIS_END") == pl.col("DEC")))
        & text("REC").ne_missing("E8")
    )
    return rows_of(episodes, bad)


@rule("581", table="Missing", fields=("MIS_START",))
def missing_before_looked_after(ctx: Context) -> pl.DataFrame:
    """MIS_START must fall within one of the child's episodes (DECOM to DEC, or after
    DECOM when open); children with no episodes are not checked."""
    episodes, missing = ctx.table("Episodes"), ctx.table("Missing")
    joined = missing.join(episodes.select(CHILD, "DECOM", "DEC"), on=CHILD)
    inside = known(
        (pl.col("MIS_START") >= pl.col("DECOM"))
        & ((pl.col("MIS_START") <= pl.col("DEC")) | pl.col("DEC").is_null())
    )
    bad = joined.group_by(ROW).agg(inside.any().alias("_in")).filter(~pl.col("_in"))
    return rows_of(missing, bad)


@rule("586", table="Missing", fields=("MIS_START",))
def missing_before_birth(ctx: Context) -> pl.DataFrame:
    """MIS_START on or before the child's DOB."""
    missing = ctx.table("Missing")
    return missing.filter(known(pl.col("MIS_START") <= pl.col("DOB")))
