"""Small vectorised pieces the CIN rules share (no rules here)."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from statutory.engine import Context

CHILD = "LAchildID"
CIN_KEY = (CHILD, "CINdetailsID")
TRUE_VALUES = ("1", "TRUE")
FALSE_VALUES = ("0", "FALSE")


def is_true(column: str) -> pl.Expr:
    """xs:boolean true: `1` or `true` (text is upper-cased when read)."""
    return pl.col(column).is_in(TRUE_VALUES).fill_null(False)


def is_false(column: str) -> pl.Expr:
    return pl.col(column).is_in(FALSE_VALUES).fill_null(False)


def in_year(column: str, ctx: Context) -> pl.Expr:
    """Within the census year: 1 April before to the reference date, inclusive."""
    return pl.col(column).is_between(ctx.collection_start, ctx.reference_date)


def outside_year(column: str, ctx: Context) -> pl.Expr:
    """Present and outside the census year."""
    return pl.col(column).is_not_null() & ~in_year(column, ctx)


def sex_column(ctx: Context) -> str:
    """`GenderCurrent` up to 2023/24, `Sex` from 2024/25 (as the year's schema names it)."""
    return "Sex" if "Sex" in ctx.table("ChildIdentifiers").columns else "GenderCurrent"


def rows_of(table: pl.DataFrame, row_numbers: pl.Series | pl.DataFrame) -> pl.DataFrame:
    """The rows of `table` whose ROW_NUMBER is in `row_numbers` (a series or a frame with it)."""
    if isinstance(row_numbers, pl.DataFrame):
        row_numbers = row_numbers.get_column("ROW_NUMBER")
    return table.filter(pl.col("ROW_NUMBER").is_in(row_numbers.unique().implode()))


def with_cin(table: pl.DataFrame, ctx: Context, columns: Sequence[str]) -> pl.DataFrame:
    """`table` with columns of its CIN details episode joined on (LAchildID, CINdetailsID)."""
    cin = ctx.table("CINdetails").select(*CIN_KEY, *[c for c in columns if c not in CIN_KEY])
    cin = cin.unique(subset=list(CIN_KEY), keep="first")
    return table.join(cin, on=list(CIN_KEY), how="left", suffix="_cin", nulls_equal=False)


def with_child(table: pl.DataFrame, ctx: Context, columns: Sequence[str]) -> pl.DataFrame:
    """`table` with ChildIdentifiers columns joined on LAchildID (first record of a child)."""
    ids = ctx.table("ChildIdentifiers").select(CHILD, *[c for c in columns if c != CHILD])
    ids = ids.filter(pl.col(CHILD).is_not_null()).unique(subset=CHILD, keep="first")
    return table.join(ids, on=CHILD, how="left", suffix="_child")


def pairs(frame: pl.DataFrame, on: Sequence[str], columns: Sequence[str]) -> pl.DataFrame:
    """Every ordered pair of different rows sharing `on`: columns of the first row keep their
    names, the second row's get `_other` (ROW_NUMBER too)."""
    keep = list(dict.fromkeys(["ROW_NUMBER", *on, *columns]))
    left = frame.select(keep).filter(pl.all_horizontal(pl.col(c).is_not_null() for c in on))
    right = left.rename({c: f"{c}_other" for c in keep if c not in on})
    return left.join(right, on=list(on), how="inner").filter(
        pl.col("ROW_NUMBER") != pl.col("ROW_NUMBER_other")
    )


def la_level(ctx: Context, table: str) -> pl.DataFrame:
    """One row standing for the whole return (no row number, no child)."""
    del ctx, table
    return pl.DataFrame(
        {"ROW_NUMBER": [None], CHILD: [None]}, schema={"ROW_NUMBER": pl.Int64, CHILD: pl.String}
    )


def no_rows() -> pl.DataFrame:
    return pl.DataFrame(schema={"ROW_NUMBER": pl.Int64, CHILD: pl.String})
