"""Where the shared reference data lives, and the DfE rule lists read from it.

The data sits beside the repository in `../shared/data/` (the environment variable
`ALLIANCE_SHARED_DATA` points elsewhere when set). Nothing here copies reference data into code:
the rule codes, messages and years are read from the CSV files the DfE's lists were taken into.

Collection years are written in the files as labels like `lac2022_23` (SSDA903) or `cin2022_23`
(CIN census); the library uses the year the collection *ends* (2023 for 2022/23) everywhere.

How the year columns are read:
- `first_year` is the first rule set the rule was seen in; `lac2022_23` is the oldest rule set
  carried, so it means "2022/23 or earlier" and such a rule applies to every earlier year too.
- `changed_in` lists the years whose rule set changed the check (the check branches on
  `ctx.year`).
- `removed_in` is the first rule set that no longer has the rule: it applies up to the year
  before and not from that year on (`../shared/data/README.md`). `lac2024_25` means "up to
  2023/24": the open-source validator's 2024/25 rule set deletes every rule the list marks so.
  A rule whose `first_year` equals its `removed_in` (SW15STG2, SW16a-cSTG2) never applies: the
  DfE drafted it for 2024/25 and withdrew it before the collection (docs/statutory/ssda903.md).
"""

from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

Kind = Literal["903", "cin"]
Severity = Literal["error", "query"]

_YEAR_LABEL = re.compile(r"^(?:lac|cin)?(\d{4})_(\d{2})$")

RULE_FILES: dict[str, str] = {"903": "ssda903-rules.csv", "cin": "cin-rules.csv"}


def repo_root() -> Path:
    """The repository root: this file is `<root>/src/statutory/reference.py`."""
    return Path(__file__).resolve().parents[2]


def shared_data_dir() -> Path:
    """`$ALLIANCE_SHARED_DATA`, else `<repo root>/../shared/data`."""
    override = os.environ.get("ALLIANCE_SHARED_DATA")
    if override:
        return Path(override)
    return repo_root().parent / "shared" / "data"


def shared_path(*parts: str) -> Path:
    """A path inside the shared data folder (not checked for existence)."""
    return shared_data_dir().joinpath(*parts)


def collection_year_end(label: str) -> int:
    """`lac2022_23` / `cin2022_23` / `2022_23` -> 2023 (the year the collection ends)."""
    match = _YEAR_LABEL.match(label.strip())
    if not match:
        raise ValueError(f"not a collection-year label: {label!r}")
    start = int(match.group(1))
    end = int(match.group(2))
    if (start + 1) % 100 != end:
        raise ValueError(f"collection-year label does not span one year: {label!r}")
    return start + 1


def year_label(year: int) -> str:
    """2025 -> '2024/25'."""
    return f"{year - 1}/{year % 100:02d}"


@dataclass(frozen=True)
class RuleSpec:
    """One listed DfE rule: what the DfE says it checks, and the years it applies to."""

    code: str
    message: str
    tables: tuple[str, ...]
    fields: tuple[str, ...]
    first_year: int
    changed_in: tuple[int, ...]
    removed_in: int | None
    source: str
    severity: Severity = "error"
    module: str = ""
    # True when first_year is the oldest rule set carried ("this year or earlier").
    open_start: bool = False

    def applies_in(self, year: int) -> bool:
        if year < self.first_year and not self.open_start:
            return False
        return self.removed_in is None or year < self.removed_in


def _split(value: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (value or "").split(";") if part.strip())


def _years(value: str | None) -> tuple[int, ...]:
    return tuple(collection_year_end(part) for part in _split(value))


@cache
def load_rule_specs(kind: Kind) -> dict[str, RuleSpec]:
    """The listed rules for a return, keyed by code, in file order."""
    path = shared_path(RULE_FILES[kind])
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    oldest = min(collection_year_end(row["first_year"]) for row in rows if row["first_year"])
    specs: dict[str, RuleSpec] = {}
    for row in rows:
        first = collection_year_end(row["first_year"])
        removed = _years(row.get("removed_in"))
        if kind == "cin":
            tables = _split(row.get("module"))
            severity: Severity = "query" if row.get("rule_type", "").upper() == "QUERY" else "error"
            source = "dfe"
        else:
            tables = _split(row.get("tables"))
            severity = "error"
            source = row.get("source") or "dfe"
        specs[row["code"].strip()] = RuleSpec(
            code=row["code"].strip(),
            message=row["message"],
            tables=tables,
            fields=_split(row.get("fields")),
            first_year=first,
            changed_in=_years(row.get("changed_in")),
            removed_in=removed[-1] if removed else None,
            source=source,
            severity=severity,
            module=row.get("module", "") or "",
            open_start=first == oldest,
        )
    return specs


@dataclass(frozen=True)
class Council:
    dfe_code: str  # the DfE's 3-digit code, e.g. "393"
    ons_code: str  # the ONS code, e.g. "E08000023"
    name: str


@cache
def councils() -> dict[str, Council]:
    """The 153 councils (2024 geography), keyed by both their DfE and ONS codes."""
    path = shared_path("reference", "derived", "la_reference_153_2024.csv")
    out: dict[str, Council] = {}
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            council = Council(
                row["old_la_code"].strip(), row["new_la_code"].strip(), row["la_name"]
            )
            out[council.dfe_code] = council
            out[council.ons_code.upper()] = council
    return out


def council(code: str) -> Council:
    """A council by DfE 3-digit or ONS code; ValueError naming the code when unknown."""
    found = councils().get(code.strip().upper())
    if found is None:
        raise ValueError(f"unknown council code {code!r} (give the DfE 3-digit or ONS code)")
    return found
