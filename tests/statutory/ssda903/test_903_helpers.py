"""The shared rule helpers: ages, ranges, episode chains, periods of care."""

from __future__ import annotations

import datetime as dt

import polars as pl
from builders import make_return

from statutory.engine import Context
from statutory.ssda903.rules._helpers import (
    add_years,
    age_at,
    episode_chain,
    looked_after_on,
    open_on,
    overlaps,
    periods_of_care,
    rows_of,
    with_header,
)


def _one(expr: pl.Expr) -> object:
    return pl.select(expr).item()


def test_age_on_birthdays_and_leap_days() -> None:
    leap = dt.date(2008, 2, 29)
    assert _one(age_at(leap, dt.date(2025, 2, 28))) == 16
    assert _one(age_at(leap, dt.date(2025, 3, 1))) == 17
    assert _one(age_at(dt.date(2010, 4, 1), dt.date(2025, 3, 31))) == 14
    assert _one(age_at(dt.date(2010, 4, 1), dt.date(2025, 4, 1))) == 15
    assert _one(add_years(leap, 1)) == dt.date(2009, 2, 28)


def test_ranges_with_open_ends() -> None:
    a, b = dt.date(2024, 4, 1), dt.date(2024, 5, 1)
    assert _one(overlaps(a, b, b, pl.lit(None, dtype=pl.Date)))
    assert not _one(overlaps(a, a, b, b))
    assert _one(open_on(a, pl.lit(None, dtype=pl.Date), dt.date(2030, 1, 1)))
    assert not _one(open_on(b, pl.lit(None, dtype=pl.Date), a))


def test_episode_chain_and_periods() -> None:
    ctx = Context(
        make_return(
            Header=[{"CHILD": "1", "DOB": "01/01/2010"}],
            Episodes=[
                {"CHILD": "2", "DECOM": "05/06/2024"},
                {"CHILD": "1", "DECOM": "01/05/2024"},
                {"CHILD": "1", "DECOM": "01/04/2024", "DEC": "01/05/2024"},
                {"CHILD": "2", "DECOM": "01/06/2024", "DEC": "02/06/2024"},
            ],
        )
    )
    chain = episode_chain(ctx)
    assert chain.select("CHILD", "EPISODE_INDEX", "IS_FIRST", "IS_LAST").rows() == [
        ("1", 0, True, False),
        ("1", 1, False, True),
        ("2", 0, True, False),
        ("2", 1, False, True),
    ]
    assert chain["PREV_ROW_NUMBER"].to_list() == [None, 3, None, 4]
    assert chain["NEXT_DECOM"].to_list()[0] == dt.date(2024, 5, 1)
    periods = periods_of_care(ctx)
    assert periods.select("CHILD", "PERIOD", "EPISODES").rows() == [
        ("1", 0, 2),
        ("2", 0, 1),
        ("2", 1, 1),
    ]
    assert sorted(looked_after_on(ctx, dt.date(2025, 3, 31)).to_list()) == ["1", "2"]
    joined = with_header(ctx, ctx.table("Episodes"))
    assert joined.filter(pl.col("CHILD") == "1")["DOB"].to_list() == [dt.date(2010, 1, 1)] * 2
    assert rows_of(ctx.table("Episodes"), chain.head(1))["ROW_NUMBER"].to_list() == [3]
