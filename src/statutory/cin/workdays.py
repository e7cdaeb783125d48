"""Working days in England: weekdays that are not England and Wales bank holidays.

The holidays come from the maintained `holidays` package
(`holidays.country_holidays("GB", subdiv="ENG")`), never from a list typed here. Counting and
stepping are vectorised with numpy's business-day functions over a holiday array.

Importing `holidays` and building its first calendar takes seconds (it loads every country),
which would be most of a validation run. So the dates it gives for 2000-2040 are kept in a small
JSON file in the user's cache folder (`$ALLIANCE_CACHE_DIR`, else `~/.cache/alliance`:
`statutory.engine.cache`), named with
the installed package's version: a new `holidays` release rebuilds it. If the folder cannot be
written the package is simply asked every time.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
from functools import cache
from importlib.metadata import version
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from statutory.engine.cache import cache_dir

# Building a year of holidays costs tens of milliseconds, so calendars are built for the years
# asked about (a census needs two or three), not for every year there is.
MAX_SPAN = 12


CACHED_YEARS = range(2000, 2041)


def _from_package(years: range) -> list[str]:
    import holidays  # noqa: PLC0415  only when the cache lacks a year; 25 ms at start-up

    days = holidays.country_holidays("GB", subdiv="ENG", years=years)
    return sorted(d.isoformat() for d in days)


def _cache_file() -> Path:
    name = f"bank-holidays-GB-ENG-holidays-{version('holidays')}.json"
    return cache_dir() / name


@cache
def _cached_dates() -> list[str]:
    path = _cache_file()
    with contextlib.suppress(OSError, ValueError):
        return list(json.loads(path.read_text(encoding="utf-8")))
    dates = _from_package(CACHED_YEARS)
    with contextlib.suppress(OSError):
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.part")
        tmp.write_text(json.dumps(dates), encoding="utf-8")
        tmp.replace(path)
    return dates


@cache
def bank_holidays(first: int, last: int) -> np.ndarray:
    """England and Wales bank holidays from `first` to `last` (inclusive) as datetime64[D]."""
    if first >= CACHED_YEARS.start and last < CACHED_YEARS.stop:
        dates = [d for d in _cached_dates() if first <= int(d[:4]) <= last]
    else:
        dates = _from_package(range(first, last + 1))
    return np.array(dates, dtype="datetime64[D]")


@cache
def _calendar(first: int, last: int) -> np.busdaycalendar:
    return np.busdaycalendar(weekmask="1111100", holidays=bank_holidays(first, last))


def calendar_for(*days: dt.date) -> np.busdaycalendar:
    """A working-day calendar covering the years of `days` (and one either side)."""
    years = [d.year for d in days]
    last = max(years) + 1
    first = max(min(years) - 1, last - MAX_SPAN)
    return _calendar(first, last)


def is_working_day(day: dt.date) -> bool:
    return bool(np.is_busday(np.datetime64(day, "D"), busdaycal=calendar_for(day)))


def shift_working_days(day: dt.date, n: int) -> dt.date:
    """The date `n` working days after (n > 0) or before (n < 0) `day`.

    Counting from a non-working day first rolls to the next (forward) or previous (backward)
    working day, which counts as the first step: "the reference date minus 45 working days"
    from a Sunday is the 45th working day before it.
    """
    offset: Any = np.busday_offset
    cal = calendar_for(day)
    start = np.datetime64(day, "D")
    if n == 0 or np.is_busday(start, busdaycal=cal):
        result = offset(start, n, roll="forward" if n >= 0 else "backward", busdaycal=cal)
    elif n > 0:
        result = offset(offset(start, 0, roll="forward", busdaycal=cal), n - 1, busdaycal=cal)
    else:
        result = offset(offset(start, 0, roll="backward", busdaycal=cal), n + 1, busdaycal=cal)
    return dt.date.fromisoformat(str(result))


def _days(series: pl.Series) -> np.ndarray:
    return series.cast(pl.Date).to_numpy().astype("datetime64[D]")


def working_days_between(start: pl.Series, end: pl.Series) -> pl.Series:
    """Working days from `start` to `end`, counting `end` but not `start` (so a conference the
    next working day is 1 working day after the enquiry started); null where either is null."""
    mask = start.is_null() | end.is_null()
    known = pl.concat([start.drop_nulls(), end.drop_nulls()])
    if known.is_empty():
        cal = calendar_for(dt.date.today())
    else:
        cal = calendar_for(known.min(), known.max())  # type: ignore[arg-type]
    s = _days(start.fill_null(dt.date(2000, 1, 1)))
    e = _days(end.fill_null(dt.date(2000, 1, 1)))
    one = np.timedelta64(1, "D")
    counts = np.busday_count(s + one, e + one, busdaycal=cal)
    out = pl.Series(start.name, counts, dtype=pl.Int64)
    return out.set(mask, None) if mask.any() else out


def working_days_expr(start: str, end: str) -> pl.Expr:
    """`working_days_between` as an expression over two date columns."""
    return pl.struct(start, end).map_batches(
        lambda s: working_days_between(s.struct.field(start), s.struct.field(end)),
        return_dtype=pl.Int64,
    )


def weekend(expr: pl.Expr) -> pl.Expr:
    """Saturday or Sunday (ISO weekday 6 or 7)."""
    return expr.dt.weekday() >= 6
