"""The census's tables as a `Return`: every table of the year, its columns typed, within the limits."""

from __future__ import annotations

import polars as pl

from statutory.cin.schema import CHILD_ID, KEEP_CASE, TABLES, Schema
from statutory.engine.columns import type_columns
from statutory.engine.context import Return
from statutory.engine.limits import (
    Limits,
    check_cells,
    check_rows,
)


def _checked_build(
    frames: dict[str, pl.DataFrame], schema: Schema, file: str, notes: list[str], limits: Limits
) -> Return:
    """The census's tables, once each is within the row and value limits."""
    for name, frame in frames.items():
        check_rows(file, name, frame.height, limits)
        check_cells(file, name, frame, limits)
    return _build(frames, schema, set(TABLES), dict.fromkeys(TABLES, file), fmt="xml", notes=notes)


def _build(
    frames: dict[str, pl.DataFrame],
    schema: Schema,
    supplied: set[str],
    sources: dict[str, str],
    *,
    fmt: str,
    notes: list[str],
) -> Return:
    tables = {
        name: type_columns(
            frames.get(name, pl.DataFrame(schema=dict.fromkeys(cols, pl.String))),
            cols,
            keep_case=KEEP_CASE,
        )
        for name, cols in schema.tables.items()
    }
    return Return(
        kind="cin",
        year=schema.year,
        tables=tables,
        supplied=frozenset(supplied),
        codes=schema.codes,
        child_id=CHILD_ID,
        sources=sources,
        source_format=fmt,
        notes=notes,
    )


# -- CSV ------------------------------------------------------------------------------------------
