"""SSDA903 rules 700-710: deprivation of liberty orders (the DoLo table, from 2026/27).

The DfE had not published the 2026/27 table layout when these were written; the columns are
those the rules name (DOLO_START, DOLO_END, with CHILD and DOB) as in the year's schema file.
Each check is written to flag the same rows as the open-source validator councils use
(data-to-insight's ``csc-validator-be-903``); where that validator cannot run as written (it
reads an Episodes column ``PLACEMENT`` that the return calls ``PLACE``), the check uses the
return's column and says so.
"""

from __future__ import annotations

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.ssda903.rules._helpers import CHILD

ROW = "ROW_NUMBER"
DOLO = "DoLo"


def _known(expr: pl.Expr) -> pl.Expr:
    return expr.fill_null(False)


def _rows(frame: pl.DataFrame, keep: pl.DataFrame, column: str = ROW) -> pl.DataFrame:
    return frame.filter(pl.col(ROW).is_in(keep[column].implode()))


@rule("700", table=DOLO, fields=("DOLO_START",))
def start_not_valid(ctx: Context) -> pl.DataFrame:
    """DOLO_START blank or not a valid date."""
    return ctx.table(DOLO).filter(pl.col("DOLO_START").is_null())


@rule("701", table=DOLO, fields=("DOLO_END",))
def end_not_valid(ctx: Context) -> pl.DataFrame:
    """DOLO_END given but not a valid date (a blank end is an order still in force)."""
    dolo = ctx.table(DOLO)
    return dolo.filter(pl.col("DOLO_END").is_null() & pl.col("DOLO_END__raw").is_not_null())


@rule("702", table=DOLO, fields=("DOLO_START", "DOLO_END"))
def ended_before_started(ctx: Context) -> pl.DataFrame:
    """DOLO_END on or before DOLO_START (an order cannot end the day it starts either, as the
    open-source validator reads the DfE's condition)."""
    return ctx.table(DOLO).filter(_known(pl.col("DOLO_END") <= pl.col("DOLO_START")))


@rule("703", table=DOLO, fields=("DOLO_START",))
def started_after_year_end(ctx: Context) -> pl.DataFrame:
    """DOLO_START after 31 March of the collection year."""
    return ctx.table(DOLO).filter(_known(pl.col("DOLO_START") > pl.lit(ctx.reference_date)))


@rule("704", table=DOLO, fields=("DOLO_END",))
def ended_outside_year(ctx: Context) -> pl.DataFrame:
    """DOLO_END before 1 April or after 31 March of the collection year."""
    end = pl.col("DOLO_END")
    return ctx.table(DOLO).filter(
        _known((end < pl.lit(ctx.collection_start)) | (end > pl.lit(ctx.reference_date)))
    )


@rule("705", table=DOLO, fields=("DOLO_START", "DOLO_END"))
def started_while_previous_open(ctx: Context) -> pl.DataFrame:
    """A child's orders are taken latest-ending first (open orders last); each is compared with
    the order after it in that list (the one before it in time): it is flagged when that order
    has no end date, or started after this one. Ends and starts are compared as dates (the
    open-source validator orders DOLO_END and compares DOLO_START as text, day first, so
    31/01 sorts after 28/02 and an earlier order can be flagged against a later one)."""
    dolo = (
        ctx.table(DOLO)
        .filter(pl.col("DOLO_START").is_not_null())
        .sort([CHILD, "DOLO_END"], descending=True, nulls_last=True)
        .with_columns(
            pl.col("DOLO_START").shift(-1).over(CHILD).alias("__prev_start"),
            pl.col("DOLO_END__raw").shift(-1).over(CHILD).alias("__prev_end"),
            pl.col(ROW).shift(-1).over(CHILD).alias("__prev_row"),
        )
    )
    bad = dolo.filter(
        pl.col("__prev_row").is_not_null()
        & (pl.col("__prev_end").is_null() | _known(pl.col("DOLO_START") < pl.col("__prev_start")))
    )
    return _rows(ctx.table(DOLO), bad)


@rule("706", table="DoLo_last", fields=("DOLO_START",))
def open_last_year_not_carried_on(ctx: Context) -> pl.DataFrame:
    """An order open at the end of last year's return (DOLO_END blank) must appear this year
    with the same DOLO_START. The flagged row is last year's order (there is no row this year
    to flag), so the table is given as ``DoLo_last``. A DOLO_END written but not a date is
    unknown, not open (as for DEC elsewhere, and as the open-source validator reads it): it
    was last year's 701 finding and is not flagged again here. Needs last year's DoLo table."""
    last = ctx.previous(DOLO)
    end_text = "DOLO_END__raw" if "DOLO_END__raw" in last.columns else "DOLO_END"
    last_open = last.filter(pl.col(end_text).is_null())
    this_year = ctx.table(DOLO).select(CHILD, "DOLO_START").unique()
    return last_open.join(this_year, on=[CHILD, "DOLO_START"], how="anti")


def _periods_of_care(ctx: Context) -> pl.DataFrame:
    """CHILD, first DECOM and last DEC of each period of care: episodes in DECOM order, a new
    period when an episode starts after the previous one ceased (or for a new child)."""
    eps = (
        ctx.table("Episodes")
        .filter(pl.col("DECOM").is_not_null())
        .sort([CHILD, "DECOM", ROW])
        .with_columns(
            (
                _known(pl.col("DECOM") > pl.col("DEC").shift(1))
                | pl.col(CHILD).ne_missing(pl.col(CHILD).shift(1))
            )
            .cum_sum()
            .alias("__period")
        )
    )
    return eps.group_by("__period", maintain_order=True).agg(
        pl.col(CHILD).first(),
        pl.col("DECOM").first().alias("__poc_start"),
        pl.col("DEC").last().alias("__poc_end"),
    )


@rule("707", table=DOLO, fields=("DOLO_END",))
def open_order_after_care_ended(ctx: Context) -> pl.DataFrame:
    """An order must sit within one of the child's periods of care: it is flagged when, for
    every period of care of the child, it is still open although the period has ended, or
    open and began before the period, or it ended after the period ended or before it began.
    Orders of children with no episodes are not checked."""
    dolo = ctx.table(DOLO).filter(pl.col("DOLO_START").is_not_null())
    pairs = dolo.select(ROW, CHILD, "DOLO_START", "DOLO_END").join(_periods_of_care(ctx), on=CHILD)
    start, end = pl.col("DOLO_START"), pl.col("DOLO_END")
    outside = (
        (end.is_null() & pl.col("__poc_end").is_not_null())
        | (end.is_null() & _known(start < pl.col("__poc_start")))
        | _known(end > pl.col("__poc_end"))
        | _known(end < pl.col("__poc_start"))
    )
    bad = pairs.group_by(ROW).agg(outside.all().alias("__out")).filter(pl.col("__out"))
    return _rows(ctx.table(DOLO), bad)


def _overlapping_episodes(ctx: Context, *, open_overlaps: bool) -> pl.DataFrame:
    """Each order with both dates paired with the child's episodes it overlaps (the order
    starts on or before the episode ceased and ends on or after it started). With
    ``open_overlaps`` an open episode counts as not yet ceased."""
    dolo = ctx.table(DOLO).filter(
        pl.col("DOLO_START").is_not_null() & pl.col("DOLO_END").is_not_null()
    )
    eps = ctx.table("Episodes").select(pl.col(ROW).alias("__ep"), CHILD, "DECOM", "DEC", "PLACE")
    pairs = dolo.select(ROW, CHILD, "DOLO_START", "DOLO_END").join(eps, on=CHILD)
    starts_before_end = _known(pl.col("DOLO_START") <= pl.col("DEC"))
    if open_overlaps:
        starts_before_end = starts_before_end | pl.col("DEC").is_null()
    return pairs.filter(starts_before_end & _known(pl.col("DOLO_END") >= pl.col("DECOM")))


@rule("708", table=DOLO, fields=("DOLO_START",))
def before_birth(ctx: Context) -> pl.DataFrame:
    """DOLO_START on or before the child's DOB (as given in the DoLo table)."""
    return ctx.table(DOLO).filter(_known(pl.col("DOLO_START") <= pl.col("DOB")))


@rule("709", table=DOLO, fields=("DOLO_START", "PLACE"))
def unexpected_placement(ctx: Context) -> pl.DataFrame:
    """An order (with start and end) overlapping an episode whose placement is not a secure or
    other children's home setting the DfE expects (K2, Z12, Z13). Episodes still open do not
    count as overlapping (as the open-source validator reads it). The DfE names the field
    PLACEMENT; in the return it is PLACE."""
    pairs = _overlapping_episodes(ctx, open_overlaps=False)
    bad = pairs.filter(~pl.col("PLACE").is_in(["K2", "Z12", "Z13"]).fill_null(False))
    return _rows(ctx.table(DOLO), bad)


@rule("710", table=DOLO, fields=("DOLO_START", "PLACE"))
def prohibited_placement(ctx: Context) -> list[Flag]:
    """An order (with start and end) overlapping an episode (open episodes included) placed in
    a secure children's home or supported accommodation, with parents, or in a young offender
    institution (K1, K3, P1, R5). The order and the episode are both flagged."""
    pairs = _overlapping_episodes(ctx, open_overlaps=True)
    bad = pairs.filter(pl.col("PLACE").is_in(["K1", "P1", "R5", "K3"]).fill_null(False))
    return [
        Flag(DOLO, _rows(ctx.table(DOLO), bad), ("DOLO_START",)),
        Flag("Episodes", _rows(ctx.table("Episodes"), bad, "__ep"), ("PLACE",)),
    ]
