"""SSDA903 integrity checks: INT01-INT36, EPI and NoE.

These are not DfE rules: the open-source validator councils use (data-to-insight's
``csc-validator-be-903``) adds them, and councils rely on them, to catch tables that do not
agree with one another (a child in a table but not in the Header, a date of birth or sex that
differs between tables, a child listed twice) and returns that do not agree with last year's
(episodes missing for a child already looked after). They are written to flag the same rows
that validator flags.
"""

from __future__ import annotations

import polars as pl

from statutory.engine import Context, rule
from statutory.ssda903.rules._helpers import CHILD

ROW = "ROW_NUMBER"


def _not_in_header(ctx: Context, table: str) -> pl.DataFrame:
    """Rows of ``table`` whose child has no Header row (only when a Header was supplied)."""
    frame = ctx.table(table)
    if not ctx.supplied("Header"):
        return frame.clear()
    return frame.join(ctx.table("Header").select(CHILD), on=CHILD, how="anti", nulls_equal=True)


def _differs_from_header(ctx: Context, table: str, column: str) -> pl.DataFrame:
    """Rows of ``table`` whose ``column`` differs from the child's Header value (both given)."""
    frame = ctx.table(table)
    header = ctx.table("Header").select(CHILD, pl.col(column).alias("__header"))
    pairs = frame.select(ROW, CHILD, column).join(header, on=CHILD)
    bad = pairs.filter(
        pl.col(column).is_not_null()
        & pl.col("__header").is_not_null()
        & (pl.col(column).cast(pl.String) != pl.col("__header").cast(pl.String))
    )
    return frame.filter(pl.col(ROW).is_in(bad[ROW].implode()))


def _duplicated(ctx: Context, table: str) -> pl.DataFrame:
    """Every row of a child that appears more than once in ``table`` (blank ids are not
    counted)."""
    frame = ctx.table(table)
    return frame.filter(pl.col(CHILD).is_not_null() & (pl.len().over(CHILD) > 1))


# -- child in a table but not in the Header ------------------------------------------------


@rule("INT01", table="AD1", fields=("CHILD",))
def ad1_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in AD1 with no Header row."""
    return _not_in_header(ctx, "AD1")


@rule("INT02", table="PlacedAdoption", fields=("CHILD",))
def placed_adoption_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in PlacedAdoption with no Header row."""
    return _not_in_header(ctx, "PlacedAdoption")


@rule("INT03", table="Episodes", fields=("CHILD",))
def episodes_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in Episodes with no Header row."""
    return _not_in_header(ctx, "Episodes")


@rule("INT04", table="Missing", fields=("CHILD",))
def missing_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in Missing with no Header row."""
    return _not_in_header(ctx, "Missing")


@rule("INT05", table="OC2", fields=("CHILD",))
def oc2_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in OC2 with no Header row."""
    return _not_in_header(ctx, "OC2")


@rule("INT06", table="OC3", fields=("CHILD",))
def oc3_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in OC3 with no Header row."""
    return _not_in_header(ctx, "OC3")


@rule("INT07", table="PrevPerm", fields=("CHILD",))
def prev_perm_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in PrevPerm with no Header row."""
    return _not_in_header(ctx, "PrevPerm")


@rule("INT08", table="Reviews", fields=("CHILD",))
def reviews_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in Reviews with no Header row."""
    return _not_in_header(ctx, "Reviews")


@rule("INT09", table="UASC", fields=("CHILD",))
def uasc_child_not_in_header(ctx: Context) -> pl.DataFrame:
    """A child in UASC with no Header row."""
    return _not_in_header(ctx, "UASC")


# -- date of birth and sex that differ from the Header ------------------------------------


@rule("INT11", table="AD1", fields=("DOB",))
def ad1_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in AD1 differs from the Header's."""
    return _differs_from_header(ctx, "AD1", "DOB")


@rule("INT12", table="PlacedAdoption", fields=("DOB",))
def placed_adoption_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in PlacedAdoption differs from the Header's."""
    return _differs_from_header(ctx, "PlacedAdoption", "DOB")


@rule("INT13", table="Missing", fields=("DOB",))
def missing_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in Missing differs from the Header's."""
    return _differs_from_header(ctx, "Missing", "DOB")


@rule("INT14", table="OC2", fields=("DOB",))
def oc2_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in OC2 differs from the Header's."""
    return _differs_from_header(ctx, "OC2", "DOB")


@rule("INT15", table="OC3", fields=("DOB",))
def oc3_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in OC3 differs from the Header's."""
    return _differs_from_header(ctx, "OC3", "DOB")


@rule("INT16", table="PrevPerm", fields=("DOB",))
def prev_perm_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in PrevPerm differs from the Header's."""
    return _differs_from_header(ctx, "PrevPerm", "DOB")


@rule("INT17", table="Reviews", fields=("DOB",))
def reviews_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in Reviews differs from the Header's."""
    return _differs_from_header(ctx, "Reviews", "DOB")


@rule("INT18", table="UASC", fields=("DOB",))
def uasc_dob_differs(ctx: Context) -> pl.DataFrame:
    """DOB in UASC differs from the Header's."""
    return _differs_from_header(ctx, "UASC", "DOB")


@rule("INT21", table="UASC", fields=("SEX",))
def uasc_sex_differs(ctx: Context) -> pl.DataFrame:
    """SEX in UASC differs from the Header's."""
    return _differs_from_header(ctx, "UASC", "SEX")


# -- a child listed twice ------------------------------------------------------------------


@rule("INT31", table="AD1", fields=("CHILD",))
def ad1_child_twice(ctx: Context) -> pl.DataFrame:
    """A child with more than one AD1 row (all of its rows are flagged)."""
    return _duplicated(ctx, "AD1")


@rule("INT32", table="Header", fields=("CHILD",))
def header_child_twice(ctx: Context) -> pl.DataFrame:
    """A child with more than one Header row (all of its rows are flagged)."""
    return _duplicated(ctx, "Header")


@rule("INT33", table="OC2", fields=("CHILD",))
def oc2_child_twice(ctx: Context) -> pl.DataFrame:
    """A child with more than one OC2 row (all of its rows are flagged)."""
    return _duplicated(ctx, "OC2")


@rule("INT34", table="OC3", fields=("CHILD",))
def oc3_child_twice(ctx: Context) -> pl.DataFrame:
    """A child with more than one OC3 row (all of its rows are flagged)."""
    return _duplicated(ctx, "OC3")


@rule("INT35", table="PrevPerm", fields=("CHILD",))
def prev_perm_child_twice(ctx: Context) -> pl.DataFrame:
    """A child with more than one PrevPerm row (all of its rows are flagged)."""
    return _duplicated(ctx, "PrevPerm")


@rule("INT36", table="UASC", fields=("CHILD",))
def uasc_child_twice(ctx: Context) -> pl.DataFrame:
    """A child with more than one UASC row (all of its rows are flagged)."""
    return _duplicated(ctx, "UASC")


# -- episodes expected -----------------------------------------------------------------------


@rule("EPI", table="Header", fields=("CHILD",))
def header_child_without_episodes(ctx: Context) -> pl.DataFrame:
    """A Header child with no episodes and no OC3 row (a care leaver needs no episodes this
    year): the DfE's portal cannot validate such a child until episodes are loaded."""
    header = ctx.table("Header")
    others = pl.concat(
        [ctx.table("Episodes").select(CHILD), ctx.optional("OC3").select(CHILD)]
    ).unique()
    return header.join(others, on=CHILD, how="anti", nulls_equal=True)


@rule("NoE", table="Episodes", fields=("DECOM",))
def no_episodes_last_year(ctx: Context) -> pl.DataFrame:
    """An episode that started before this collection year, for a child with no episodes in
    last year's return. Not run without last year's Episodes."""
    eps = ctx.table("Episodes")
    last_year = ctx.previous("Episodes").select(CHILD).unique()
    before = eps.filter((pl.col("DECOM") < pl.lit(ctx.collection_start)).fill_null(False))
    return before.join(last_year, on=CHILD, how="anti", nulls_equal=True)
