"""Pooled figures: the indicators over the sharing councils' pooled records, council by council,
and the breakdowns the aggregates page shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import polars as pl

from alliance.returns.models import ReturnKind, Upload
from alliance.returns.services.stored_returns import indicators_of, schema_for, stored_indicators
from statutory.cin.schema import CHILD_ID as CIN_CHILD
from statutory.cin.schema import load_schema as cin_schema
from statutory.engine import Return
from statutory.measures import Breakdown
from statutory.ssda903.schemas import CHILD_ID, load_schema
from statutory.suppression import suppress, with_totals


def pooled_figures(
    kind: str,
    year: int,
    tables: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None = None,
) -> tuple[list[dict[str, Any]], dict[str, dict[str, dict[str, Any]]]]:
    """The indicators over the pooled records, and council by council over the same records,
    with the same definitions: (pooled rows, {council: {indicator: row}}). A child is one
    council's child: ids are kept apart by council (two councils' keys could, very rarely, give
    one pseudonym), so a pooled share always lies between its councils' shares."""
    if not tables:
        return [], {}
    child = "CHILD" if kind == ReturnKind.SSDA903 else "LAchildID"

    def apart(frames: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
        return {
            name: frame.with_columns(
                pl.concat_str(pl.col("COUNCIL"), pl.lit("/"), pl.col(child)).alias(child)
            )
            if child in frame.columns and "COUNCIL" in frame.columns
            else frame
            for name, frame in frames.items()
        }

    def only(frames: dict[str, pl.DataFrame], council: str) -> dict[str, pl.DataFrame]:
        return {
            n: f.filter(pl.col("COUNCIL") == council) if "COUNCIL" in f.columns else f
            for n, f in frames.items()
        }

    now, before = apart(tables), apart(previous or {})
    councils = sorted(
        {c for frame in now.values() if "COUNCIL" in frame.columns for c in frame["COUNCIL"]}
    )
    per_council = {
        council: {
            row["code"]: row
            for row in pooled_indicators(
                kind, year, only(now, council), only(before, council) or None
            )
        }
        for council in councils
    }
    return pooled_indicators(kind, year, now, before or None), per_council


def pooled_indicators(
    kind: str,
    year: int,
    tables: dict[str, pl.DataFrame],
    previous: dict[str, pl.DataFrame] | None = None,
) -> list[dict[str, Any]]:
    """The library's indicators over the pooled records (rates need one council's population,
    so they are left out). `previous` is last year's SSDA903 tables of the same councils, which
    the indicators use to follow a child's care back into last year (`pooled_previous`)."""
    if not tables:
        return []
    earlier: Return | None = None
    if kind == ReturnKind.SSDA903:
        schema = load_schema(year)
        full = {
            n: tables.get(n, t.empty()).drop("COUNCIL", strict=False)
            for n, t in schema.tables.items()
        }
        codes: Any = schema.codes
        child_id = CHILD_ID
        if previous:
            last = schema_for(year - 1, year)
            earlier = Return(
                kind="903",
                year=year - 1,
                tables={
                    n: previous.get(n, t.empty()).drop("COUNCIL", "YEAR", strict=False)
                    for n, t in last.tables.items()
                },
                supplied=frozenset(previous),
                codes=last.codes,
                child_id=CHILD_ID,
            )
    else:
        schema_cin = cin_schema(year)
        full = {n: f.drop("COUNCIL", strict=False) for n, f in tables.items()}
        if "Header" in full:
            full["Header"] = full["Header"].clear()
        codes, child_id = schema_cin.codes, CIN_CHILD
    return_ = Return(
        kind="903" if kind == ReturnKind.SSDA903 else "cin",
        year=year,
        tables={n: f.drop("YEAR", strict=False) for n, f in full.items()},
        supplied=frozenset(tables),
        codes=codes,
        child_id=child_id,
        previous=earlier,
    )
    result = indicators_of(kind)(return_, la=None)
    return [r for r in result.iter_rows(named=True) if "per 10,000" not in r["unit"]]


def aggregate_breakdown(
    uploads: Iterable[Upload], breakdown: Breakdown
) -> tuple[list[str], list[tuple[str, list[int]]]]:
    """Counts of a breakdown's members council by council: (column headings, [(council,
    counts)]), as `breakdown_counts` gives them."""
    _categories, headings, rows = breakdown_counts(uploads, breakdown)
    return headings, rows


def breakdown_counts(
    uploads: Iterable[Upload], breakdown: Breakdown
) -> tuple[list[str], list[str], list[tuple[str, list[int]]]]:
    """Counts of a breakdown's members (by code, e.g. `cla_starts_by_need:N1`), council by
    council: (categories, column headings, [(council, counts)]). A column is headed by the
    member's label without the breakdown's prefix (its category when worded otherwise)."""
    per_council: list[tuple[str, dict[str, int]]] = []
    headings: dict[str, str] = {}
    for upload in uploads:
        found: dict[str, int] = {}
        for item in stored_indicators(upload):
            category = breakdown.category(item["code"])
            if category is None:
                continue
            found[category] = int(item["value"] or 0)
            label = str(item["indicator"])
            headings.setdefault(
                category,
                label[len(breakdown.prefix) :] if label.startswith(breakdown.prefix) else category,
            )
        per_council.append((upload.organisation.name, found))
    categories = sorted(headings, key=lambda c: headings[c])
    return (
        categories,
        [headings[c] for c in categories],
        [(name, [found.get(c, 0) for c in categories]) for name, found in per_council],
    )


def breakdown_tables(
    uploads: Sequence[Upload], breakdowns: Iterable[tuple[str, Breakdown]]
) -> list[dict[str, Any]]:
    """The aggregates page's tables: each breakdown's counts council by council, with totals,
    small numbers suppressed (statutory.suppression)."""
    tables = []
    for caption, breakdown in breakdowns:
        columns, rows = aggregate_breakdown(uploads, breakdown)
        if not columns:
            continue
        grid = suppress(with_totals([counts for _, counts in rows]))
        tables.append(
            {
                "caption": caption,
                "columns": [*columns, "Total"],
                "rows": [(name, grid[i]) for i, (name, _) in enumerate(rows)]
                + [("All councils shown", grid[-1])],
            }
        )
    return tables
