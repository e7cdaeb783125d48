"""Hand-made CIN census tables for rule tests, typed exactly as the reader types real files.

```python
from cin_builders import flagged

def test_8500_flags_missing_id():
    assert flagged("8500", ChildIdentifiers=[{"LAchildID": "a"}, {"LAchildID": None}]) == {
        ("ChildIdentifiers", 2)
    }
```

Rows are dicts of text as it appears in the XML (`"2024-05-01"`, `"N4"`, None for absent);
`datetime.date` values are written ISO. Keys must be columns of the year's table (a typo
raises). `CINdetailsID` defaults to 1 where the table has it. A Header with the right reference
date is supplied unless one is given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import polars as pl

from statutory.cin.build import _build
from statutory.cin.schema import TABLES, load_schema
from statutory.engine import Registry, Return, run

YEAR = 2025
Rows = Iterable[Mapping[str, Any]]
_REGISTRY: Registry | None = None


def registry() -> Registry:
    global _REGISTRY  # noqa: PLW0603 (one registry per test session)
    if _REGISTRY is None:
        _REGISTRY = Registry.load("cin")
    return _REGISTRY


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def make_return(year: int = YEAR, **tables: Rows) -> Return:
    schema = load_schema(year)
    frames: dict[str, pl.DataFrame] = {}
    tables.setdefault("Header", [{"Collection": "CIN", "ReferenceDate": f"{year}-03-31"}])
    for name, rows in tables.items():
        if name not in TABLES:
            raise KeyError(f"no CIN table {name!r}")
        columns = list(schema.tables[name])
        records = [dict(r) for r in rows]
        for record in records:
            unknown = set(record) - set(columns)
            if unknown:
                raise KeyError(f"{name} has no column(s) {sorted(unknown)} in {year}")
            if "CINdetailsID" in columns:
                record.setdefault("CINdetailsID", 1)
            if "CPPID" in columns:
                record.setdefault("CPPID", 1)
            if "AssessmentID" in columns:
                record.setdefault("AssessmentID", 1)
        data = {c: [_text(r.get(c)) for r in records] for c in columns}
        frames[name] = pl.DataFrame(data, schema=dict.fromkeys(columns, pl.String))
    return _build(frames, schema, set(frames), {}, fmt="test", notes=[])


def findings(code: str, year: int = YEAR, **tables: Rows) -> pl.DataFrame:
    result = run(
        registry(), make_return(year, **tables), year=year, codes=[code], raise_errors=True
    )
    return result.frame


def flagged(code: str, year: int = YEAR, **tables: Rows) -> set[tuple[str, int | None]]:
    """(table, row_number) pairs the rule flagged."""
    frame = findings(code, year, **tables)
    return {(r["table"], r["row_number"]) for r in frame.iter_rows(named=True)}


def rows(code: str, table: str, year: int = YEAR, **tables: Rows) -> list[int]:
    """Sorted row numbers of `table` the rule flagged."""
    return sorted(r for t, r in flagged(code, year, **tables) if t == table and r is not None)


def la_level(code: str, year: int = YEAR, **tables: Rows) -> bool:
    """Whether an LA-level rule fired (one finding with no row number)."""
    return (None, None) in {(None, r) for _t, r in flagged(code, year, **tables)}
