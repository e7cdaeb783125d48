"""Read an SSDA903 return: a folder of CSVs, a .zip of them, or the XML export.

Tables are found by their header row (the set of columns), never by file name. Every table is
typed by the year's schema (`statutory.ssda903.schemas`) with the same code the test builders
use (`statutory.engine.columns.type_columns`), so checks see the same frames in tests and runs.

Current and previous year: `read_return(path, year, previous=other_path)`. When no previous path
is given, a folder (or zip) holding `current/` and `previous/` sub-folders (what `alliance 903
generate` writes) is read as both years; otherwise a file whose name contains `last`, `prev` or
`previous` is taken as last year's table when another file holds this year's.

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM, else cp1252 (then latin-1). Files up to
`memory_limit` are decoded in memory; bigger ones are read by Polars straight from disk
(characters that are not UTF-8 replaced). Bad input raises `InputError` naming the file, row and
column.

Limits (`statutory.engine.limits`): before Polars parses a CSV, its bytes are counted (one
year's files together, zip members as they come out), its header is matched to a table and its
columns, rows, line lengths and long values are checked; an XML export is counted as it streams,
each child record may hold at most a bounded number of elements, and its tables' rows and
values are checked before they are typed. Anything over a limit is refused in one line.

The XML layout supported is the one councils' case-management systems export for the DfE
collection and that the open-source validator reads (data-to-insight/csc-validator-be-903,
`lac_validator/ingress.py`, `read_xml_from_text`): a root element whose children are one element
per child. Each child element holds the child-level items as leaves (`CHILDID` = CHILD, `SEX`,
`DOB`, `ETHNIC`, `UPN`, `MOTHER`, `MC_DOB`, `UASC`, `DUC`, the OC3 items, the AD1 items), one
`EPISODE` element per episode (`PL` = PLACE) and a `HEADER` element holding `AREVIEW` (Reviews),
`AMISSING` (Missing), `OC2`, `PERMANENCE` (PrevPerm) and `AD_PLACED` (PlacedAdoption) elements,
plus `SWEPISODE` elements (SWEpisodes) where the year has them. Row numbers in XML are the order
of the element within its table.
"""

from __future__ import annotations

import csv
import io
import mmap
import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path, PurePosixPath
from typing import BinaryIO

import polars as pl

from statutory.engine.columns import type_many
from statutory.engine.context import Return
from statutory.engine.errors import InputError
from statutory.engine.limits import (
    Budget,
    Counted,
    Limits,
    check_ratio,
    default_limits,
    read_limited,
    scan_csv,
)
from statutory.reference import year_label
from statutory.ssda903.providers import attach_providers, read_providers
from statutory.ssda903.schemas import CHILD_ID, YearSchema, load_schema
from statutory.ssda903.tables import (
    RawTable,
    _Collected,
    _csv_from_bytes,
    _csv_from_disk,
    _place,
    identify_table,
)
from statutory.ssda903.xml_return import _read_xml

MB = 1024 * 1024
DEFAULT_MEMORY_LIMIT = int(os.environ.get("ALLIANCE_READ_MEMORY_MB", "256")) * MB

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


# --------------------------------------------------------------------------------------------
# Public API


def read_return(
    path: str | os.PathLike[str],
    year: int,
    *,
    previous: str | os.PathLike[str] | None = None,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    limits: Limits | None = None,
    check_year: bool = True,
    providers: str | os.PathLike[str] | Sequence[str | os.PathLike[str]] | None = None,
) -> Return:
    """Read this year's return (and last year's) into typed frames.

    `providers` is Ofsted's provider information (one file or several, CSV or Ofsted's .xlsx:
    `statutory.ssda903.providers`), which rules 219, 221, 224, 227, 228, 229 and 1008 need; it
    is read first, so a bad file fails before the return is read. `limits` bound what is read
    (default: `statutory.engine.limits.default_limits()`); each year's files have their own."""
    limits = limits or default_limits()
    provider_info = None
    if providers is not None:
        provider_info = read_providers(providers, limits=limits)
    schema = load_schema(year)
    prev_schema = load_schema(year - 1) if year - 1 >= 2018 else schema
    source = Path(path)
    if not source.exists():
        raise InputError(str(source), None, None, "no such file or folder")
    current_raw, previous_raw = _collect_both(source, previous, schema, memory_limit, limits)
    if previous is not None:
        prev_path = Path(previous)
        if not prev_path.exists():
            raise InputError(str(prev_path), None, None, "no such file or folder")
        previous_raw, _ = _collect_both(prev_path, None, prev_schema, memory_limit, limits)
    for name in schema.required_tables:
        if name not in current_raw.tables:
            columns = ", ".join(schema.table(name).columns)
            raise InputError(
                str(source),
                None,
                None,
                f"no {name} table found (a {name} file has the columns {columns})",
            )
    prev_return = None
    if previous_raw is not None and previous_raw.tables:
        prev_return = build_return(
            year - 1,
            {n: t.frame for n, t in previous_raw.tables.items()},
            sources={n: t.source for n, t in previous_raw.tables.items()},
            notes=previous_raw.notes,
            source_format=previous_raw.source_format,
            schema=_schema_or(year - 1, schema),
        )
    result = build_return(
        year,
        {n: t.frame for n, t in current_raw.tables.items()},
        sources={n: t.source for n, t in current_raw.tables.items()},
        notes=current_raw.notes,
        source_format=current_raw.source_format,
        previous=prev_return,
        schema=schema,
    )
    if check_year:
        check_collection_year(result)
        if result.previous is not None and result.previous.supplied:
            check_collection_year(result.previous, hint="--previous should be last year's return")
    if provider_info is not None:
        attach_providers(result, provider_info)
    return result


def read_raw_tables(
    path: str | os.PathLike[str],
    year: int,
    *,
    memory_limit: int = DEFAULT_MEMORY_LIMIT,
    limits: Limits | None = None,
) -> tuple[dict[str, RawTable], dict[str, RawTable]]:
    """The tables as text, untyped: (this year's, last year's if the source holds them)."""
    schema = load_schema(year)
    source = Path(path)
    if not source.exists():
        raise InputError(str(source), None, None, "no such file or folder")
    current, previous = _collect_both(
        source, None, schema, memory_limit, limits or default_limits()
    )
    return current.tables, (previous.tables if previous else {})


def _schema_or(year: int, fallback: YearSchema) -> YearSchema:
    try:
        return load_schema(year)
    except ValueError:
        return fallback


def build_return(
    year: int,
    raw_tables: dict[str, pl.DataFrame],
    *,
    sources: dict[str, str] | None = None,
    notes: list[str] | None = None,
    source_format: str = "csv",
    previous: Return | None = None,
    schema: YearSchema | None = None,
) -> Return:
    """Type text tables by the year's schema; tables not given become empty typed frames."""
    schema = schema or load_schema(year)
    given = {name: frame for name, frame in raw_tables.items() if name in schema.tables}
    typed = type_many(given, {name: schema.tables[name].all_columns for name in given})
    tables: dict[str, pl.DataFrame] = {
        name: typed[name] if name in typed else table.empty()
        for name, table in schema.tables.items()
    }
    return Return(
        kind="903",
        year=year,
        tables=tables,
        supplied=frozenset(raw_tables),
        codes=schema.codes,
        child_id=CHILD_ID,
        previous=previous
        or Return(
            kind="903",
            year=year - 1,
            tables={},
            supplied=frozenset(),
            codes=schema.codes,
            child_id=CHILD_ID,
        ),
        sources=dict(sources or {}),
        source_format=source_format,
        notes=list(notes or []),
    )


def check_collection_year(return_: Return, hint: str | None = None) -> None:
    """Refuse a return that is plainly from another year (no episode touches the year, or most
    episodes start after it ends): a clear message beats hundreds of date findings."""
    episodes = return_.table("Episodes")
    if episodes.height == 0:
        return
    start = pl.date(return_.year - 1, 4, 1)
    end = pl.date(return_.year, 3, 31)
    stats = episodes.select(
        in_year=(
            (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") >= start))
        ).sum(),
        dated=pl.col("DECOM").is_not_null().sum(),
        after=(pl.col("DECOM") > end).sum(),
        latest=pl.max_horizontal(pl.col("DECOM").max(), pl.col("DEC").max()),
    ).row(0, named=True)
    file = return_.sources.get("Episodes")
    label = year_label(return_.year)
    advice = hint or f"--year {return_.year}"
    if stats["dated"] == 0:
        return
    if stats["in_year"] == 0:
        latest = stats["latest"]
        raise InputError(
            file,
            None,
            "DECOM",
            f"no episode falls in the {label} collection year (latest date "
            f"{latest:%d/%m/%Y}); is this another year's return? ({advice})",
        )
    if stats["after"] * 2 > stats["dated"]:
        raise InputError(
            file,
            None,
            "DECOM",
            f"most episodes start after 31/03/{return_.year}; is this a later year's return? "
            f"({advice})",
        )


# --------------------------------------------------------------------------------------------
# Collecting files


def _collect_both(
    source: Path,
    previous: str | os.PathLike[str] | None,
    schema: YearSchema,
    memory_limit: int,
    limits: Limits,
) -> tuple[_Collected, _Collected | None]:
    """Read the source; returns (current, previous-if-found-inside-the-source)."""
    current = _Collected()
    found_previous = _Collected()
    members = list(_members(source))
    budget = Budget(limits)
    if source.is_dir():
        # name a file, not the folder (the service shows files as uploaded, not its folders)
        largest = max(members, key=lambda m: m[2])[0]
        budget.declared(largest, sum(m[2] for m in members), of_many=len(members) > 1)
    budget.declared(str(source), sum(m[2] for m in members))
    for name, opener, size, _ in members:
        if size == 0:
            raise InputError(name, None, None, "the file is empty")
        if not isinstance(opener, Path):
            check_ratio(name, opener[1].file_size, opener[1].compress_size, limits)
    csvs = [m for m in members if not m[0].lower().endswith(".xml")]
    # Files on disk are parsed two at a time (Polars releases the GIL); a zip one by one.
    workers = 2 if source.is_dir() and len(csvs) > 1 else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        parsed = pool.map(
            lambda m: _parse_csv(m[0], m[1], m[2], memory_limit, schema, limits, budget), csvs
        )
        by_name = dict(zip((m[0] for m in csvs), parsed, strict=True))
    for name, opener, _, in_previous_folder in members:
        target = found_previous if in_previous_folder and previous is None else current
        if name in by_name:
            frame, note = by_name[name]
            _place(name, frame, schema, target, note)
        else:
            with _open(opener) as stream:
                _read_xml(name, Counted(name, stream, budget), schema, target, limits)
    if current.last_year and previous is None:
        for table, raw in current.last_year.items():
            found_previous.tables.setdefault(table, raw)
        current.notes.append(
            "taken as last year's by their names: "
            + ", ".join(raw.source for raw in current.last_year.values())
        )
    return current, (found_previous if found_previous.tables else None)


def _is_previous_path(parts: tuple[str, ...]) -> bool:
    folders = [p.lower() for p in parts[:-1]]
    return any(f in ("previous", "prev", "last", "last_year", "previous_year") for f in folders)


Opener = Path | tuple[zipfile.ZipFile, zipfile.ZipInfo]


def _members(source: Path) -> Iterator[tuple[str, Opener, int, bool]]:
    """(display name, opener, size, in a previous-year folder) for every CSV/XML in the source."""
    if source.is_dir():
        files = sorted(
            p for p in source.rglob("*") if p.is_file() and p.suffix.lower() in (".csv", ".xml")
        )
        if not files:
            raise InputError(str(source), None, None, "the folder holds no .csv or .xml files")
        for p in files:
            rel = p.relative_to(source).parts
            yield str(p), p, p.stat().st_size, _is_previous_path(rel)
        return
    if source.suffix.lower() == ".zip" or zipfile.is_zipfile(source):
        if source.suffix.lower() != ".zip" and source.suffix.lower() == ".csv":
            _refuse_excel(str(source), _head(source))
        try:
            archive = zipfile.ZipFile(source)
        except zipfile.BadZipFile as exc:
            raise InputError(str(source), None, None, f"not a readable zip file ({exc})") from None
        members = [
            info
            for info in archive.infolist()
            if not info.is_dir()
            and PurePosixPath(info.filename).suffix.lower() in (".csv", ".xml")
            and not PurePosixPath(info.filename).name.startswith(".")
            and "__MACOSX" not in info.filename
        ]
        if not members:
            raise InputError(str(source), None, None, "the zip holds no .csv or .xml files")
        for info in sorted(members, key=lambda i: i.filename):
            parts = PurePosixPath(info.filename).parts
            yield (
                f"{source}!{info.filename}",
                (archive, info),
                info.file_size,
                _is_previous_path(parts),
            )
        return
    yield str(source), source, source.stat().st_size, False


def _head(path: Path, n: int = 8) -> bytes:
    with path.open("rb") as handle:
        return handle.read(n)


def _refuse_excel(name: str, head: bytes) -> None:
    if head.startswith(_XLSX_MAGIC) or head.startswith(_XLS_MAGIC):
        raise InputError(
            name,
            None,
            None,
            "this is an Excel workbook saved with a .csv name; open it in Excel and "
            "'Save As' CSV (UTF-8)",
        )


def _parse_csv(
    name: str,
    opener: Opener,
    size: int,
    memory_limit: int,
    schema: YearSchema,
    limits: Limits,
    budget: Budget,
) -> tuple[pl.DataFrame, str | None]:
    """One CSV file -> its text frame (and a note on its encoding). Its bytes are counted and
    its shape checked against the limits, and its header matched to a table, before Polars
    parses it."""
    if size > memory_limit:
        path, cleanup = _on_disk(name, opener, budget)
        try:
            head = _head(path, 4096)
            _refuse_excel(name, head)
            with (
                path.open("rb") as handle,
                mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as view,
            ):
                scan_csv(name, view, limits, lambda header: _check_shape(name, header, schema))
            return _csv_from_disk(name, path, head)
        finally:
            if cleanup:
                path.unlink(missing_ok=True)
    with _open(opener) as stream:
        data = read_limited(name, stream, budget, declared=size)
    _refuse_excel(name, data[:8])
    scan_csv(name, data, limits, lambda header: _check_shape(name, header, schema))
    return _csv_from_bytes(name, data)


def _check_shape(name: str, header: bytes, schema: YearSchema) -> None:
    """Match the header row to a table before the file is parsed: a file that is no SSDA903
    table is refused without reading its rows. (UTF-16 headers are left to the full read.)"""
    if header.startswith((b"\xff\xfe", b"\xfe\xff")):
        return
    try:
        text = header.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = header.decode("cp1252", errors="replace")
    try:
        cells = next(csv.reader(io.StringIO(text, newline="")), [])
    except csv.Error:  # not CSV: its commas are as near as it has to columns
        cells = text.split(",")
    columns = [c.replace("\ufeff", "").strip().strip('"').upper() for c in cells]
    identify_table(name, [c for c in columns if c], schema)


def _open(opener: Opener) -> BinaryIO:
    if isinstance(opener, Path):
        return opener.open("rb")
    archive, info = opener
    return archive.open(info)  # type: ignore[return-value]


def _on_disk(name: str, opener: Opener, budget: Budget) -> tuple[Path, bool]:
    if isinstance(opener, Path):
        budget.take(name, opener.stat().st_size)
        return opener, False
    archive, info = opener
    handle, temp = tempfile.mkstemp(suffix=".csv")
    try:
        with os.fdopen(handle, "wb") as out, archive.open(info) as src:
            shutil.copyfileobj(Counted(name, src, budget), out, 4 * MB)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return Path(temp), True
