"""SSDA903 tables, columns, types and code lists per collection year, read from data files.

`base.toml` is 2017/18; each `lacYYYY_YY.toml` holds only what changed in that year, and a
year's schema is the base with every difference up to that year applied in order (the way
liia-tools keeps its schemas). A difference file may contain:

- `[tables.NAME]` with `columns` (and optional `optional`, `required`): a new or replaced table;
  with `add_columns` / `drop_columns`: a change to an existing table; `drop_tables = [...]`;
- `[codes]` replaces whole lists, `[codes_add]` / `[codes_remove]` edit them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import polars as pl

from statutory.engine.columns import TYPES, empty_typed, type_columns
from statutory.reference import collection_year_end

FIRST_YEAR = 2018
LAST_YEAR = 2027
CHILD_ID = "CHILD"


@dataclass(frozen=True)
class TableSchema:
    name: str
    columns: dict[str, str]
    optional: dict[str, str] = field(default_factory=dict)
    required: bool = False

    @property
    def all_columns(self) -> dict[str, str]:
        return {**self.columns, **self.optional}

    def typed(self, frame: pl.DataFrame, *, extra: bool = False) -> pl.DataFrame:
        """Type a frame of text columns the way the reader does (see engine.columns)."""
        return type_columns(frame, self.all_columns, extra=extra)

    def empty(self) -> pl.DataFrame:
        return empty_typed(self.all_columns)


@dataclass(frozen=True)
class YearSchema:
    year: int
    tables: dict[str, TableSchema]
    codes: dict[str, tuple[str, ...]]

    def table(self, name: str) -> TableSchema:
        try:
            return self.tables[name]
        except KeyError:
            raise KeyError(
                f"no table {name!r} in {self.year} (tables: {', '.join(self.tables)})"
            ) from None

    @property
    def required_tables(self) -> list[str]:
        return [name for name, table in self.tables.items() if table.required]


def _read(name: str) -> dict[str, Any]:
    text = resources.files(__package__).joinpath(name).read_text(encoding="utf-8")
    return tomllib.loads(text)


def _diff_files() -> list[tuple[int, str]]:
    names = [
        entry.name
        for entry in resources.files(__package__).iterdir()
        if entry.name.startswith("lac") and entry.name.endswith(".toml")
    ]
    return sorted((collection_year_end(name.removesuffix(".toml")), name) for name in names)


def _table(name: str, spec: dict[str, Any]) -> TableSchema:
    for column, kind in {**spec.get("columns", {}), **spec.get("optional", {})}.items():
        if kind not in TYPES:
            raise ValueError(f"schema: {name}.{column} has unknown type {kind!r}")
    return TableSchema(
        name=name,
        columns=dict(spec.get("columns", {})),
        optional=dict(spec.get("optional", {})),
        required=bool(spec.get("required", False)),
    )


def _apply(
    tables: dict[str, TableSchema], codes: dict[str, list[str]], diff: dict[str, Any]
) -> None:
    for name in diff.get("drop_tables", []):
        tables.pop(name, None)
    for name, spec in diff.get("tables", {}).items():
        if "columns" in spec:
            tables[name] = _table(name, spec)
            continue
        old = tables[name]
        columns = {c: t for c, t in old.columns.items() if c not in spec.get("drop_columns", [])}
        columns.update(spec.get("add_columns", {}))
        tables[name] = TableSchema(
            name, columns, dict(old.optional), bool(spec.get("required", old.required))
        )
    for list_name, values in diff.get("codes", {}).items():
        codes[list_name] = list(values)
    for list_name, values in diff.get("codes_add", {}).items():
        codes[list_name] = [
            *codes.get(list_name, []),
            *(v for v in values if v not in codes.get(list_name, [])),
        ]
    for list_name, values in diff.get("codes_remove", {}).items():
        codes[list_name] = [v for v in codes.get(list_name, []) if v not in values]


def supported_years() -> range:
    return range(FIRST_YEAR, LAST_YEAR + 1)


@cache
def load_schema(year: int) -> YearSchema:
    """The schema for the collection year ending in `year` (2025 = 2024/25)."""
    if year not in supported_years():
        raise ValueError(
            f"collection year {year} is not supported (SSDA903 {FIRST_YEAR}-{LAST_YEAR}: "
            f"give the year the collection ends, e.g. 2025 for 2024/25)"
        )
    base = _read("base.toml")
    tables = {name: _table(name, spec) for name, spec in base["tables"].items()}
    codes: dict[str, list[str]] = {k: list(v) for k, v in base["codes"].items()}
    for diff_year, name in _diff_files():
        if diff_year <= year:
            _apply(tables, codes, _read(name))
    return YearSchema(year, tables, {k: tuple(v) for k, v in codes.items()})
