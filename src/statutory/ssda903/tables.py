"""From a file's rows to one of the return's tables: CSV text read as Polars frames, columns
named as the DfE names them, and each file matched to its table (this year's or last year's)."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import polars as pl

from statutory.engine.columns import ROW_NUMBER
from statutory.engine.errors import InputError
from statutory.reference import year_label
from statutory.ssda903.encoding import to_utf8
from statutory.ssda903.schemas import CHILD_ID, YearSchema

_PREVIOUS_HINTS = ("previous", "prev", "last")


@dataclass
class RawTable:
    """One table as text columns, before typing."""

    name: str
    frame: pl.DataFrame
    source: str


@dataclass
class _Collected:
    tables: dict[str, RawTable] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    source_format: str = "csv"
    # a second file of a table, named as last year's (episodes_last.csv beside episodes.csv)
    last_year: dict[str, RawTable] = field(default_factory=dict)


# --------------------------------------------------------------------------------------------
# CSV


def _csv_from_bytes(name: str, data: bytes) -> tuple[pl.DataFrame, str | None]:
    utf8, note = to_utf8(name, data)
    if not utf8.strip():
        raise InputError(name, None, None, "the file is empty")
    try:
        frame = pl.read_csv(
            io.BytesIO(utf8),
            infer_schema=False,
            has_header=True,
            truncate_ragged_lines=False,
        )
    except pl.exceptions.PolarsError as exc:
        raise _csv_problem(name, utf8, exc) from None
    return frame, note


def _csv_from_disk(name: str, path: Path, head: bytes) -> tuple[pl.DataFrame, str | None]:
    encoding = "utf8"
    note = None
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # A cut multi-byte character at the end of the sample is not an error.
        if exc.start < len(head) - 4:
            encoding = "utf8-lossy"
            note = f"{name}: not UTF-8; unreadable characters were replaced"
    try:
        frame = pl.read_csv(
            path,
            infer_schema=False,
            has_header=True,
            encoding=encoding,
            truncate_ragged_lines=False,
            low_memory=True,
        )
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            name, None, None, f"could not be read as CSV: {_first_line(exc)}"
        ) from None
    return frame, note


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__


def _csv_problem(name: str, utf8: bytes, exc: BaseException) -> InputError:
    """Find the first row whose field count differs from the header's, to name it."""
    reader = csv.reader(io.StringIO(utf8.decode("utf-8", errors="replace")))
    header = next(reader, None)
    if not header:
        return InputError(name, None, None, "the file is empty")
    for number, row in enumerate(reader, start=1):
        if row and len(row) != len(header):
            column = header[len(row)] if len(row) < len(header) else None
            return InputError(
                name,
                number,
                column,
                f"this row has {len(row)} values but the header has {len(header)} columns",
            )
    return InputError(name, None, None, f"could not be read as CSV: {_first_line(exc)}")


def _normalise_columns(name: str, frame: pl.DataFrame) -> pl.DataFrame:
    cleaned = [c.replace("\ufeff", "").strip().strip('"').upper() for c in frame.columns]
    seen: set[str] = set()
    for column in cleaned:
        if column in seen:
            raise InputError(name, 0, column, "this column appears twice in the header row")
        seen.add(column)
    return frame.rename(dict(zip(frame.columns, cleaned, strict=True)))


def identify_table(name: str, columns: list[str], schema: YearSchema) -> tuple[str, list[str]]:
    """Which table a header row is (-> table name, extra columns), or an InputError."""
    have = set(columns)
    candidates = [
        (len(table.columns), table_name)
        for table_name, table in schema.tables.items()
        if set(table.columns) <= have
    ]
    if candidates:
        _, best = max(candidates)
        known = set(schema.tables[best].all_columns)
        return best, [c for c in columns if c not in known]
    # Nothing matches in full: name the closest table and what it lacks.
    scored = sorted(
        (
            (len(have & set(table.columns)) / len(table.columns), table_name)
            for table_name, table in schema.tables.items()
        ),
        reverse=True,
    )
    score, closest = scored[0]
    label = year_label(schema.year)
    if score >= 0.5 and CHILD_ID in have:
        missing = [c for c in schema.tables[closest].columns if c not in have]
        raise InputError(
            name,
            0,
            missing[0],
            f"looks like the {closest} table but lacks the column(s) {', '.join(missing)} "
            f"that {label} needs",
        )
    shown = ", ".join(c[:40] for c in columns[:12]) + (" …" if len(columns) > 12 else "")
    raise InputError(
        name,
        0,
        None,
        f"the columns ({shown}) do not match any SSDA903 table for {label}",
    )


def _place(
    name: str, frame: pl.DataFrame, schema: YearSchema, into: _Collected, note: str | None = None
) -> None:
    if note:
        into.notes.append(note)
    frame = _normalise_columns(name, frame)
    # trailing commas in the header row (spreadsheet exports) make unnamed empty columns
    blank = [
        c
        for c in frame.columns
        if (c == "" or c.startswith("_DUPLICATED_"))
        and frame.get_column(c).null_count() == frame.height
    ]
    if blank:
        frame = frame.drop(blank)
    table, extra = identify_table(name, frame.columns, schema)
    if extra:
        into.notes.append(f"{name}: ignored column(s) not in {table}: {', '.join(extra)}")
        frame = frame.drop(extra)
    if table in into.tables:
        # Two files of one table in one place: the one named as last year's (…_last,
        # previous_…, prev…) is last year's, when exactly one of them is.
        other = into.tables[table]
        if _looks_previous(name) == _looks_previous(other.source) or table in into.last_year:
            raise InputError(
                name,
                None,
                None,
                f"two files hold the {table} table ({other.source} and this one); give last "
                "year's with --previous, or name it with 'previous' or 'last'",
            )
        if _looks_previous(name):
            into.last_year[table] = _numbered(name, frame, table, into)
            return
        into.last_year[table] = other
    into.tables[table] = _numbered(name, frame, table, into)


def _numbered(name: str, frame: pl.DataFrame, table: str, into: _Collected) -> RawTable:
    # one hash per row: far cheaper than n_unique over every text column
    duplicates = frame.height - frame.hash_rows(seed=7).n_unique() if frame.height else 0
    if duplicates:
        into.notes.append(f"{name}: {duplicates} row(s) repeat an earlier row exactly")
    frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW_NUMBER))
    return RawTable(table, frame, name)


def _looks_previous(name: str) -> bool:
    stem = PurePosixPath(name.replace("\\", "/").split("!")[-1]).stem.lower()
    return any(hint in stem for hint in _PREVIOUS_HINTS)
