"""Tools every reference-data loader uses: reading public files strictly, naming file, row and
column when something is wrong, and counting what a load changed.

A loader is a function `load(data_dir: Path) -> list[LoadReport]` named in an app config's
`reference_loaders`; `alliance load-reference` runs them all in one transaction, so one bad file
changes nothing.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Model

# Official statistics mark values they do not publish; these are missing, never zero.
SUPPRESSION_MARKERS = frozenset(
    {"c", "z", "x", "low", "-", "..", ":", "", "#VALUE!", "u", "k", "NA", "n/a"}
)


class ReferenceFileError(Exception):
    """A reference file is not as expected. Says which file, row and column."""

    def __init__(
        self, path: Path | str, message: str, *, row: int | None = None, column: str | None = None
    ) -> None:
        self.path = Path(path)
        self.row = row
        self.column = column
        self.message = message
        where = self.path.name
        if row is not None:
            where += f", row {row}"
        if column is not None:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass
class LoadReport:
    name: str
    loaded: int = 0
    changed: int = 0
    unchanged: int = 0
    rejected: int = 0
    notes: list[str] = field(default_factory=list)

    def line(self) -> str:
        text = f"{self.name}: {self.loaded} loaded, {self.changed} changed, {self.unchanged} unchanged, {self.rejected} rejected"
        return text + "".join(f"\n    {note}" for note in self.notes)


def read_csv_rows(path: Path, required: list[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Rows of a CSV as (row number in the file, counting the header as row 1; row). Checks the
    header has the required columns. Handles a UTF-8 byte-order mark."""
    if not path.exists():
        raise ReferenceFileError(path, "file not found")
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        try:
            header = reader.fieldnames or []
        except UnicodeDecodeError as exc:
            raise ReferenceFileError(path, f"not UTF-8 text ({exc.reason})", row=1) from None
        missing = [c for c in required if c not in header]
        if missing:
            raise ReferenceFileError(
                path, f"missing column(s) {', '.join(missing)}", row=1, column=missing[0]
            )
        try:
            for number, row in enumerate(reader, start=2):
                if None in row:
                    raise ReferenceFileError(path, "more values than columns", row=number)
                yield number, {k: (v or "").strip() for k, v in row.items()}
        except UnicodeDecodeError as exc:
            raise ReferenceFileError(path, f"not UTF-8 text ({exc.reason})") from None


def require(
    path: Path, row: int, data: Mapping[str, str], column: str, pattern: str | None = None
) -> str:
    value = data.get(column, "")
    if not value:
        raise ReferenceFileError(path, "value is missing", row=row, column=column)
    if pattern is not None and not re.fullmatch(pattern, value):
        raise ReferenceFileError(path, f"{value!r} is not a valid value", row=row, column=column)
    return value


def upsert(
    model: type[Model], lookup: dict[str, Any], values: dict[str, Any], report: LoadReport
) -> Model:
    """Create or update one row, counting whether it was new, changed or unchanged."""
    obj = model._default_manager.filter(**lookup).first()
    if obj is None:
        obj = model._default_manager.create(**lookup, **values)
        report.loaded += 1
        return obj
    changed = [k for k, v in values.items() if getattr(obj, k) != v]
    if changed:
        for key in changed:
            setattr(obj, key, values[key])
        obj.save(update_fields=changed)
        report.changed += 1
    else:
        report.unchanged += 1
    return obj


def number_or_none(raw: str) -> float | None:
    """A published figure, or None where it is suppressed or missing."""
    value = raw.strip()
    if value in SUPPRESSION_MARKERS:
        return None
    try:
        return float(value.replace(",", ""))
    except ValueError:
        return None
