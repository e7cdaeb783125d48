"""Header rules."""

from __future__ import annotations

import polars as pl

from statutory.engine import Context, rule


@rule("100", table="Header", fields=("ReferenceDate",))
def reference_date_correct(ctx: Context) -> pl.DataFrame:
    """The header's ReferenceDate must be 31 March of the census year (missing counts as wrong)."""
    header = ctx.table("Header")
    return header.filter(
        pl.col("ReferenceDate").is_null() | (pl.col("ReferenceDate") != ctx.reference_date)
    )
