"""Fixtures for the forecast library: the real published panel (read once) and small built ones."""

from __future__ import annotations

import math

import polars as pl
import pytest

from forecast.model import Panel, from_tables, load_panel


@pytest.fixture(scope="session")
def real_panel() -> Panel:
    return load_panel()


def tidy(rows: list[tuple[str, int, float | None]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"la_number": pl.Utf8, "year": pl.Int64, "value": pl.Float64}, orient="row"
    )


def built_panel(
    counts: dict[str, dict[int, float | None]],
    neighbours: dict[str, tuple[str, ...]] | None = None,
) -> Panel:
    """A panel from counts by council and year; every council at the same rate per 10,000 as its
    neighbours, and as many children starting as ceasing (so only the counts' own changes tell)."""
    looked_after = tidy([(c, y, v) for c, years in counts.items() for y, v in years.items()])
    rate = tidy([(c, y, 50.0) for c, years in counts.items() for y in years])
    flows = tidy([(c, y, 10.0) for c, years in counts.items() for y in years])
    everyone = tuple(counts)
    return from_tables(
        looked_after,
        rate,
        flows,
        flows,
        neighbours or {c: tuple(o for o in everyone if o != c)[:10] for c in everyone},
    )


def trending_counts(
    rates: dict[str, float], years: range = range(2013, 2026), start: float = 400.0
) -> dict[str, dict[int, float | None]]:
    """Councils whose numbers grow by a fixed proportion a year (log-linear trends)."""
    return {
        code: {y: start * math.exp(rate * (y - years[0])) for y in years}
        for code, rate in rates.items()
    }
