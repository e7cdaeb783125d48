"""Hand-made SSDA903 tables for rule tests, typed exactly as the reader types real files.

```python
from tests.statutory.builders import episodes, run_rule, flagged_rows   # or: from builders import …

def test_103_flags_unknown_ethnicity():
    found = flagged_rows("103", Header=[
        {"CHILD": "1", "ETHNIC": "WBRI"},
        {"CHILD": "2", "ETHNIC": "XXXX"},
    ])
    assert found == [2]
```

- Rows are dicts of *text as it appears in a CSV* ("01/04/2024", "E11", "" or None for blank);
  `datetime.date` values are written as dd/mm/YYYY, numbers as text. Keys must be columns of the
  year's table (a typo raises). `ROW_NUMBER` defaults to 1..n.
- Table keywords take the DfE name (`Episodes=`, `PlacedAdoption=`) or a snake-case alias
  (`episodes=`, `placed_adoption=`, `sw_episodes=`, `prev_perm=`).
- `previous={"Episodes": [...]}` gives last year's tables (typed with last year's schema).
- `run_rule` runs one registered check on a fresh `Context` and returns the findings frame
  (`rule_code, severity, table, row_number, child_id, fields, message`); a check that raises
  raises in the test (no swallowing). `flagged_rows` gives the sorted row numbers it flagged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import polars as pl

from statutory.engine import Registry, Return, run
from statutory.ssda903.reader import build_return
from statutory.ssda903.schemas import load_schema

YEAR = 2025
Rows = Iterable[Mapping[str, Any]] | pl.DataFrame


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%d/%m/%Y %H:%M:%S")
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    return str(value)


def _canonical(name: str, year: int) -> str:
    wanted = name.replace("_", "").lower()
    for table in load_schema(year).tables:
        if table.lower() == wanted:
            return table
    raise KeyError(f"no table {name!r} in {year}")


def raw_frame(name: str, rows: Rows, *, year: int = YEAR) -> pl.DataFrame:
    """Rows -> a frame of text columns (what the reader has before typing)."""
    table = load_schema(year).table(_canonical(name, year))
    if isinstance(rows, pl.DataFrame):
        return rows.with_columns(
            pl.col(c).cast(pl.String) for c in rows.columns if c != "ROW_NUMBER"
        )
    records = [dict(r) for r in rows]
    allowed = set(table.all_columns) | {"ROW_NUMBER"}
    for record in records:
        unknown = set(record) - allowed
        if unknown:
            raise KeyError(f"{table.name} has no column(s) {sorted(unknown)} in {year}")
    data: dict[str, list[Any]] = {c: [_text(r.get(c)) for r in records] for c in table.all_columns}
    frame = pl.DataFrame(data, schema=dict.fromkeys(table.all_columns, pl.String))
    if any("ROW_NUMBER" in r for r in records):
        numbers = [r.get("ROW_NUMBER", i + 1) for i, r in enumerate(records)]
        frame = frame.with_columns(pl.Series("ROW_NUMBER", numbers, dtype=pl.Int64))
    return frame


def table(name: str, rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    """A typed table with ROW_NUMBER and `<COL>__raw`, as a real run would see it."""
    canonical = _canonical(name, year)
    return load_schema(year).table(canonical).typed(raw_frame(canonical, rows, year=year))


def header(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("Header", rows, year=year)


def episodes(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("Episodes", rows, year=year)


def reviews(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("Reviews", rows, year=year)


def uasc(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("UASC", rows, year=year)


def oc2(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("OC2", rows, year=year)


def oc3(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("OC3", rows, year=year)


def ad1(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("AD1", rows, year=year)


def placed_adoption(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("PlacedAdoption", rows, year=year)


def prev_perm(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("PrevPerm", rows, year=year)


def missing(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("Missing", rows, year=year)


def sw_episodes(rows: Rows = (), *, year: int = YEAR) -> pl.DataFrame:
    return table("SWEpisodes", rows, year=year)


def make_return(
    year: int = YEAR,
    *,
    previous: Mapping[str, Rows] | None = None,
    source_format: str = "csv",
    **tables: Rows,
) -> Return:
    """A whole return from hand-made tables; tables not given are empty (and not `supplied`)."""
    prev_return = None
    if previous is not None:
        prev_year = year - 1 if year - 1 >= 2018 else year
        prev_return = build_return(
            year - 1,
            {
                _canonical(n, prev_year): raw_frame(n, rows, year=prev_year)
                for n, rows in previous.items()
            },
            schema=load_schema(prev_year),
        )
    return build_return(
        year,
        {_canonical(n, year): raw_frame(n, rows, year=year) for n, rows in tables.items()},
        previous=prev_return,
        source_format=source_format,
    )


def every_table(year: int = YEAR) -> dict[str, Rows]:
    """Every table of the year's return, empty: `make_return(**every_table(), Episodes=...)`
    builds a return whose every table was supplied (so no rule is not run for want of one)."""
    return {name: [] for name in load_schema(year).tables}


@cache
def registry() -> Registry:
    """Every SSDA903 check in src/statutory/ssda903/rules (imported once per test session)."""
    return Registry.load("903")


def run_rule(
    code: str,
    *,
    year: int = YEAR,
    previous: Mapping[str, Rows] | None = None,
    rules: Registry | None = None,
    source_format: str = "csv",
    **tables: Rows,
) -> pl.DataFrame:
    """Run one check by code on hand-made tables -> its findings frame."""
    reg = rules or registry()
    if code not in reg:
        problems = "; ".join(
            f"{m}: {e.strip().splitlines()[-1]}" for m, e in reg.import_errors.items()
        )
        raise KeyError(
            f"rule {code} is not registered" + (f" (import errors: {problems})" if problems else "")
        )
    return_ = make_return(year, previous=previous, source_format=source_format, **tables)
    return run(reg, return_, year=year, codes=[code], raise_errors=True).frame


def flagged_rows(code: str, table_name: str | None = None, **kwargs: Any) -> list[int]:
    """Sorted row numbers the check flagged (in `table_name` only, when given)."""
    found = run_rule(code, **kwargs)
    if table_name is not None:
        found = found.filter(pl.col("table") == table_name)
    return sorted(found["row_number"].to_list())
