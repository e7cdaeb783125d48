"""SSDA903 rules 301-304: dates of birth, first episode, UASC status ceased."""

from __future__ import annotations

import polars as pl

from statutory.engine import ROW_NUMBER, Context, Flag, rule
from statutory.ssda903.rules._helpers import (
    CHILD,
    add_years,
    date,
    first_per_child,
    flagged,
    header_uasc,
    provided,
    rows_of,
)


@rule("301", table="Header", fields=("DOB",))
def born_before_year_end(ctx: Context) -> pl.DataFrame:
    """DOB must not be after 31 March of the collection year."""
    header = ctx.table("Header")
    return flagged(header, date(header, "DOB") > ctx.reference_date)


@rule("302", table="Header", fields=("DECOM", "DOB"))
def first_episode_after_birth(ctx: Context) -> list[Flag]:
    """The child's first episode (earliest DECOM in the return) must not start before the
    date of birth. Flags that episode and the header."""
    header = ctx.table("Header")
    eps = ctx.table("Episodes")
    first = first_per_child(eps, "DECOM").select(CHILD, ROW_NUMBER, "DECOM")
    joined = first.join(
        header.select(CHILD, pl.col(ROW_NUMBER).alias("H"), pl.col("DOB")), on=CHILD, how="inner"
    )
    bad = joined.filter(pl.col("DOB") > pl.col("DECOM"))
    return [
        Flag("Episodes", rows_of(eps, bad[ROW_NUMBER])),
        Flag("Header", rows_of(header, bad["H"])),
    ]


@rule("303", table="UASC", fields=("DUC", "UASC"))
def duc_only_for_uasc(ctx: Context) -> list[Flag]:
    """If a DUC is given, the child's UASC status must be 1. Checked where the header carries a
    status (XML); in CSV returns a child with a UASC row is UASC by definition."""
    status = header_uasc(ctx)
    uasc = ctx.table("UASC")
    if status is None or not ctx.supplied("Header"):
        return []
    joined = uasc.filter(provided(uasc, "DUC")).join(
        status.select(CHILD, pl.col(ROW_NUMBER).alias("H"), "UASC"), on=CHILD, how="inner"
    )
    bad = joined.filter(pl.col("UASC").ne_missing("1"))
    return [
        Flag("UASC", rows_of(uasc, bad[ROW_NUMBER])),
        Flag("Header", rows_of(ctx.table("Header"), bad["H"])),
    ]


@rule("304", table="UASC", fields=("DUC",))
def duc_by_18th_birthday(ctx: Context) -> pl.DataFrame:
    """DUC must be on or before the child's 18th birthday (DOB on the UASC row)."""
    uasc = ctx.table("UASC")
    return flagged(uasc, date(uasc, "DUC") > add_years(date(uasc, "DOB"), 18))
