"""Reading a census given as CSV files, one per table (a folder or a .zip)."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl

from statutory.cin.build import _build
from statutory.cin.schema import CHILD_ID, TABLES, Schema, load_schema
from statutory.engine.context import Return
from statutory.engine.errors import InputError
from statutory.engine.limits import (
    Budget,
    Limits,
    check_ratio,
    default_limits,
    read_limited,
    scan_csv,
)


def _match_table(name: str, header: list[str], schema: Schema) -> str | None:
    stem = Path(name).stem.lower()
    for table in TABLES:
        if stem == table.lower():
            return table
    cols = set(header)
    best = None
    for table in TABLES:
        wanted = set(schema.tables[table])
        if wanted <= cols and (best is None or len(wanted) > len(schema.tables[best])):
            best = table
    return best


def _read_csv_bytes(file: str, data: bytes) -> pl.DataFrame:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    try:
        return pl.read_csv(io.StringIO(text), infer_schema=False)
    except pl.exceptions.PolarsError as exc:
        raise InputError(
            file, None, None, f"not a readable CSV: {str(exc).splitlines()[0]}"
        ) from None


def _csv_items(root: Path, budget: Budget) -> list[tuple[str, bytes]]:
    """(name, bytes) of each CSV, counted against the budget as read; a zip's declared sizes
    and compression are checked before any member is unpacked."""
    items: list[tuple[str, bytes]] = []
    if root.is_dir():
        files = sorted(root.glob("*.csv"))
        budget.declared(str(root), sum(p.stat().st_size for p in files))
        for p in files:
            with p.open("rb") as handle:
                items.append(
                    (str(p), read_limited(str(p), handle, budget, declared=p.stat().st_size))
                )
    elif zipfile.is_zipfile(root):
        try:
            archive = zipfile.ZipFile(root)
        except zipfile.BadZipFile as exc:
            raise InputError(str(root), None, None, f"not a readable zip file ({exc})") from None
        with archive:
            infos = [i for i in archive.infolist() if i.filename.lower().endswith(".csv")]
            budget.declared(str(root), sum(i.file_size for i in infos))
            for info in sorted(infos, key=lambda i: i.filename):
                name = f"{root}!{info.filename}"
                check_ratio(name, info.file_size, info.compress_size, budget.limits)
                with archive.open(info) as member:
                    items.append(
                        (name, read_limited(name, member, budget, declared=info.file_size))
                    )
    elif root.suffix.lower() == ".csv":
        budget.declared(str(root), root.stat().st_size)
        with root.open("rb") as handle:
            size = root.stat().st_size
            items = [(str(root), read_limited(str(root), handle, budget, declared=size))]
    return items


def read_csv_tables(path: str | Path, year: int, *, limits: Limits | None = None) -> Return:
    """A folder or .zip of CSVs, one per table, with the DfE column names. Each file's size,
    columns, rows and values are checked against `limits` before it is parsed; files that are
    no CIN table are skipped with a note, and if none is, the whole is refused."""
    schema = load_schema(year)
    root = Path(path)
    limits = limits or default_limits()
    items = _csv_items(root, Budget(limits))
    if not items and root.is_file():
        raise InputError(
            str(path),
            None,
            None,
            "not a CIN census: neither XML (it does not begin with '<'), a zip nor a .csv file",
        )
    if not items:
        raise InputError(str(path), None, None, "no CSV files found")
    frames: dict[str, pl.DataFrame] = {}
    sources: dict[str, str] = {}
    notes: list[str] = []
    for file, data in items:
        scan_csv(file, data, limits)
        frame = _read_csv_bytes(file, data)
        table = _match_table(file, frame.columns, schema)
        if table is None:
            notes.append(f"{file}: not recognised as a CIN table; skipped")
            continue
        if CHILD_ID not in frame.columns and table != "Header":
            raise InputError(file, 0, CHILD_ID, f"the {table} table has no {CHILD_ID} column")
        other = "GenderCurrent" if schema.sex_column == "Sex" else "Sex"
        if (
            table == "ChildIdentifiers"
            and other in frame.columns
            and schema.sex_column not in frame.columns
        ):
            # as for XML: the other years' sex column is read as this year's, with a note
            frame = frame.rename({other: schema.sex_column})
            notes.append(
                f"{file}: column {other} read as {schema.sex_column}, the {year} census column; "
                f"its codes are checked as {schema.sex_column}'s"
            )
        frames[table] = frame.drop("ROW_NUMBER", strict=False)
        sources[table] = file
    if not frames:
        shown = ", ".join(TABLES)
        raise InputError(
            str(path),
            None,
            None,
            f"no CIN table found: no file's name or columns match one of {shown}",
        )
    return _build(frames, schema, set(frames), sources, fmt="csv", notes=notes)
