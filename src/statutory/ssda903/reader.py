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
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO

import polars as pl
from lxml import etree

from statutory.engine.columns import ROW_NUMBER, type_many
from statutory.engine.context import Return
from statutory.engine.errors import InputError
from statutory.engine.limits import (
    Budget,
    Counted,
    Limits,
    check_cells,
    check_ratio,
    check_rows,
    default_limits,
    read_limited,
    scan_csv,
)
from statutory.reference import year_label
from statutory.ssda903.encoding import to_utf8
from statutory.ssda903.providers import attach_providers, read_providers
from statutory.ssda903.schemas import CHILD_ID, YearSchema, load_schema

MB = 1024 * 1024
DEFAULT_MEMORY_LIMIT = int(os.environ.get("ALLIANCE_READ_MEMORY_MB", "256")) * MB

_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"
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


# --------------------------------------------------------------------------------------------
# XML

_XML_RENAMES = {"CHILDID": "CHILD", "PL": "PLACE"}
_XML_HEADER_CHILDREN = {
    "AREVIEW": "Reviews",
    "AMISSING": "Missing",
    "OC2": "OC2",
    "PERMANENCE": "PrevPerm",
    "AD_PLACED": "PlacedAdoption",
}
_XML_CHILD_TABLES = {"EPISODE": "Episodes", "SWEPISODE": "SWEpisodes", "SW_EPISODE": "SWEpisodes"}


def _leaves(element: object) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for node in element.iter():  # type: ignore[attr-defined]
        if len(node) == 0 and isinstance(node.tag, str):
            tag = _XML_RENAMES.get(node.tag.upper(), node.tag.upper())
            out[tag] = node.text
    return out


def _child_rows(child: Any, rows: dict[str, list[dict[str, str | None]]]) -> None:  # noqa: PLR0912
    """One child element -> its rows in every table (layout in the module docstring)."""
    top: dict[str, str | None] = {}
    for node in child:
        if not isinstance(node.tag, str):
            continue
        if len(node) == 0:
            tag = node.tag.upper()
            top[_XML_RENAMES.get(tag, tag)] = node.text
    base = {k: top.get(k) for k in ("CHILD", "SEX", "DOB")}
    rows["Header"].append(top)
    if top.get("DUC") or top.get("UASC") == "1":
        rows["UASC"].append({**base, "DUC": top.get("DUC")})
    if top.get("IN_TOUCH") is not None:
        rows["OC3"].append(top)
    if top.get("DATE_INT") is not None:
        rows["AD1"].append(top)
    for node in child:
        if not isinstance(node.tag, str) or len(node) == 0:
            continue
        tag = node.tag.upper()
        if tag in _XML_CHILD_TABLES and _XML_CHILD_TABLES[tag] in rows:
            rows[_XML_CHILD_TABLES[tag]].append({**base, **_leaves(node)})
        elif tag == "HEADER":
            for sub in node:
                if not isinstance(sub.tag, str):
                    continue
                table = _XML_HEADER_CHILDREN.get(sub.tag.upper())
                if table:
                    rows[table].append({**base, **_leaves(sub)})


def _read_xml(name: str, stream: Any, schema: YearSchema, into: _Collected, limits: Limits) -> None:
    """Stream the export (iterparse): each child element is turned into rows and freed, so
    memory grows with the rows kept, not with the XML tree. A child record may hold at most
    `max_columns` × 50 elements (a real one holds tens), so no one element can fill memory."""
    rows: dict[str, list[dict[str, str | None]]] = {t: [] for t in schema.tables}
    depth = 0
    children = 0
    elements = 0  # in the child record being read
    most = limits.max_columns * 50
    try:
        for event, element in etree.iterparse(
            stream, events=("start", "end"), resolve_entities=False, no_network=True
        ):
            if event == "start":
                depth += 1
                elements += 1
                if elements > most and depth > 1:
                    raise InputError(
                        name,
                        children + 1,
                        None,
                        f"this child record holds more than {most:,} elements; the limit is "
                        f"{limits.max_columns:,} columns × 50 (ALLIANCE_MAX_COLUMNS)",
                    )
                continue
            depth -= 1
            if depth == 1 and isinstance(element.tag, str):
                _child_rows(element, rows)
                children += 1
                elements = 0
                if children > limits.max_rows:
                    check_rows(name, "child", children, limits)
                element.clear()
                parent = element.getparent()
                while parent is not None and element.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = getattr(exc, "lineno", None)
        raise InputError(name, line, None, f"not well-formed XML: {exc.msg}") from None
    if not children:
        raise InputError(name, None, None, "the XML holds no child records")
    into.source_format = "xml"
    for table, records in rows.items():
        if not records and table != "Header":
            continue
        check_rows(name, table, len(records), limits)
        columns = list(schema.tables[table].all_columns)
        frame = pl.DataFrame(
            {c: [r.get(c) for r in records] for c in columns},
            schema=dict.fromkeys(columns, pl.String),
        )
        check_cells(name, table, frame, limits)
        frame = frame.with_columns(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias(ROW_NUMBER))
        into.tables[table] = RawTable(table, frame, name)
