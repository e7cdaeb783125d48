"""Working days: England and Wales bank holidays from the holidays package."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest

from statutory.cin import workdays
from statutory.cin.workdays import (
    _from_package,
    bank_holidays,
    shift_working_days,
    working_days_between,
)


def test_cached_dates_are_the_packages() -> None:
    assert [str(d) for d in bank_holidays(2023, 2026)] == _from_package(range(2023, 2027))


def test_the_holidays_are_kept_in_the_documented_cache_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`$ALLIANCE_CACHE_DIR` (docs/settings.md), the folder the postcode directory uses too."""
    monkeypatch.setenv("ALLIANCE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("ALLIANCE_CACHE", raising=False)
    workdays._cached_dates.cache_clear()
    try:
        assert workdays._cached_dates() == _from_package(workdays.CACHED_YEARS)
        written = list(tmp_path.glob("bank-holidays-GB-ENG-holidays-*.json"))
        assert [p.parent for p in written] == [tmp_path]
    finally:
        workdays._cached_dates.cache_clear()


def test_shift_over_easter_and_from_a_weekend() -> None:
    # Easter 2024: Good Friday 29 March, Easter Monday 1 April
    assert shift_working_days(dt.date(2024, 4, 2), -1) == dt.date(2024, 3, 28)
    assert shift_working_days(dt.date(2024, 4, 1), -1) == dt.date(2024, 3, 28)
    assert shift_working_days(dt.date(2025, 3, 31), -45) == dt.date(2025, 1, 27)
    # 31 March 2024 was a Sunday: Thursday 28 March is the first working day before it
    assert shift_working_days(dt.date(2024, 3, 31), -1) == dt.date(2024, 3, 28)


def test_working_days_between() -> None:
    start = pl.Series([dt.date(2024, 3, 28), dt.date(2024, 3, 28), None])
    end = pl.Series([dt.date(2024, 4, 2), dt.date(2024, 3, 28), dt.date(2024, 4, 2)])
    assert working_days_between(start, end).to_list() == [1, 0, None]
