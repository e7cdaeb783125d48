"""The CIN census schema for one collection year, read from the data files in `schemas/`.

`schemas/base.toml` holds the structure and code lists every year shares; `schemas/cin<YEAR>.toml`
(YEAR = the year the collection ends) names the base and lists what that year changed. Nothing
about tables, columns or codes is typed in code.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SCHEMA_DIR = Path(__file__).parent / "schemas"
TABLES = (
    "Header",
    "ChildIdentifiers",
    "ChildCharacteristics",
    "Disabilities",
    "CINdetails",
    "Assessments",
    "CINplanDates",
    "Section47",
    "ChildProtectionPlans",
    "Reviews",
)
CHILD_ID = "LAchildID"
# Columns whose case is kept (ids are not codes).
KEEP_CASE = ("LAchildID", "SoftwareCode", "Release", "DateTime", "SerialNo")


@dataclass(frozen=True)
class Schema:
    year: int
    sex_column: str
    tables: dict[str, dict[str, str]]
    codes: dict[str, list[str]]
    structure: dict[str, list[str]]
    header: dict[str, list[str]]

    def columns(self, table: str) -> dict[str, str]:
        return self.tables[table]


def years() -> list[int]:
    """The collection years a schema file exists for."""
    return sorted(int(p.stem[3:]) for p in SCHEMA_DIR.glob("cin*.toml"))


def _read(name: str) -> dict[str, Any]:
    with (SCHEMA_DIR / f"{name}.toml").open("rb") as handle:
        return tomllib.load(handle)


@cache
def load_schema(year: int) -> Schema:
    """The schema for `year` (2025 = 2024/25). Raises ValueError for a year with no file."""
    path = SCHEMA_DIR / f"cin{year}.toml"
    if not path.exists():
        known = ", ".join(str(y) for y in years())
        raise ValueError(f"no CIN census schema for {year} (years: {known})")
    spec = _read(f"cin{year}")
    base = _read(spec.get("extends", "base"))
    sex = spec["sex_column"]
    tables: dict[str, dict[str, str]] = {}
    for name in TABLES:
        columns = dict(base["tables"][name]["columns"])
        if "SEX" in columns:
            columns = {(sex if c == "SEX" else c): t for c, t in columns.items()}
        tables[name] = columns
    codes = {k: list(v) for k, v in base["codes"].items()}
    for key, values in spec.get("codes", {}).items():
        if key.endswith("_add"):
            codes[key[: -len("_add")]] = codes.get(key[: -len("_add")], []) + list(values)
        else:
            codes[key] = list(values)
    return Schema(
        year=year,
        sex_column=sex,
        tables=tables,
        codes=codes,
        structure={k: list(v) for k, v in base["structure"].items()},
        header={k: list(v) for k, v in base["header"].items()},
    )
