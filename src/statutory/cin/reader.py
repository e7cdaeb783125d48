"""Read a CIN census: the XML councils' systems export (streamed), or the flattened tables as CSV.

A plain census (what case-management systems write: the DfE's elements only) is read by
`plain_xml.read_plain`, vectorised, in slices. Any other XML is read here with
`lxml.etree.iterparse`, one `<Child>` at a time: each child is flattened into rows and then
cleared, with the siblings already read deleted, so memory holds the tables, not the tree. This
reader writes every note and error message; both give the same tables. The flattened tables (see `schemas/base.toml`) carry DfE element names as
columns plus keys that link the blocks:

- `LAchildID` in every table;
- `CINdetailsID`: the order of the `<CINdetails>` block within its child, from 1 (as the DfE's
  own flattening and the open-source validator number it);
- `CPPID`: the order of the `<ChildProtectionPlans>` block within its CIN details, from 1;
- `AssessmentID`: the order of the `<Assessments>` block within its CIN details, from 1.

`ROW_NUMBER` is the 1-based position of the row in its table, which is the order the element
appears in the file (an assessment gives one row per `<AssessmentFactors>`; a review one row
per `<CPPreviewDate>`), so it matches the row index of the open-source validator plus one.

CSV: a folder or a .zip holding one CSV per table (`ChildIdentifiers.csv`, … — found by file
name, else by header row) with the same column names; `ROW_NUMBER` is the data row in the file.

Structural problems raise `InputError` naming the line and element: XML that is malformed or
truncated, a namespace on the elements (the DfE's CIN XML has none), a root other than
`<Message>`, required blocks missing, header blocks out of order, and a file of another year's
schema (the sex element is `<GenderCurrent>` up to 2023/24 and `<Sex>` from 2024/25; a header
whose year and reference date both name another collection year).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import io
import json
import shutil
import zipfile
from pathlib import Path
from typing import IO

import polars as pl
from lxml import etree

from statutory.cin.build import _checked_build
from statutory.cin.csv_census import read_csv_tables
from statutory.cin.parallel import _check_records, _read_parallel
from statutory.cin.plain_xml import read_plain
from statutory.cin.schema import CHILD_ID, TABLES, load_schema
from statutory.cin.xml_census import _leaves, _other_sex_note, _parse
from statutory.engine.context import Return
from statutory.engine.errors import InputError
from statutory.engine.limits import (
    Limits,
    default_limits,
    human_size,
)


def read_xml(
    path: str | Path,
    year: int,
    *,
    source: IO[bytes] | None = None,
    workers: int = 1,
    fast: bool = True,
    limits: Limits | None = None,
) -> Return:
    """Stream a CIN census XML file into a `Return` for `year` (the year the census ends).

    A plain census (the DfE's elements only, as case-management systems write it) is read by
    `plain_xml.read_plain` in vectorised slices; anything else, or `fast=False`, by lxml
    here, which gives the notes and the error messages. Both give the same tables.

    `workers` > 1 parses a large file that is not plain in that many processes, each taking a
    slice of the `<Child>` elements (see `_read_parallel`); the tables are the same as a single
    pass gives.
    """
    file = str(path)
    schema = load_schema(year)
    limits = limits or default_limits()
    if fast and source is None:
        plain = read_plain(
            path,
            schema,
            lambda head: _parse(io.BytesIO(head), file, schema),
            lambda tag, line: _other_sex_note(schema, tag, line),
            max_record_bytes=limits.max_record_bytes,
        )
        if plain is not None:
            frames, notes = plain
            return _checked_build(frames, schema, file, notes, limits)
    if source is None:
        _check_records(Path(path), limits)
    if workers > 1 and source is None:
        parts = _read_parallel(Path(path), year, workers)
        if parts is not None:
            frames, notes = parts
            return _checked_build(frames, schema, file, notes, limits)
    handle: IO[bytes]
    try:
        handle = source if source is not None else open(path, "rb")  # noqa: SIM115
    except OSError as exc:
        raise InputError(file, None, None, f"cannot open: {exc.strerror or exc}") from None
    try:
        frames, notes = _parse(handle, file, schema)
    finally:
        if source is None:
            handle.close()
    return _checked_build(frames, schema, file, notes, limits)


def detect_year(path: str | Path) -> int | None:
    """The collection year a CIN XML file's header names (ReferenceDate, else Year)."""
    try:
        with open(path, "rb") as handle:
            # the header is at the top: read no more than its first megabyte
            head = io.BytesIO(handle.read(1024**2))
            for _event, elem in etree.iterparse(
                head, events=("end",), tag=("CollectionDetails",), resolve_entities=False
            ):
                values = _leaves(elem)
                ref = (values.get("ReferenceDate") or "").strip()[:10]
                with contextlib.suppress(ValueError):
                    return dt.date.fromisoformat(ref).year
                raw = (values.get("Year") or "").strip()
                return int(raw) if raw.isdigit() else None
    except (etree.XMLSyntaxError, OSError):
        return None
    return None


# England's largest council returns about 20,000 children a year (about 20 MB of XML); the whole
# country's census is about 400,000. A file far beyond that is not one council's census, and
# reading it would need memory in proportion (about 3 GB per million children with lxml), so the
# limit (`statutory.engine.limits`, 256 MB unless ALLIANCE_MAX_RETURN_MB says otherwise) keeps a
# read under 1 GB.


def read_return(
    path: str | Path,
    year: int,
    *,
    max_bytes: int | None = None,
    workers: int = 1,
    limits: Limits | None = None,
) -> Return:
    """An XML census file, or a folder / zip / CSV of the flattened tables. A file larger than
    `max_bytes` (None: the limits' `max_bytes`) is refused before anything is read; `limits`
    bound what is read (default `statutory.engine.limits.default_limits()`)."""
    limits = (limits or default_limits()).with_bytes(max_bytes)
    max_bytes = limits.max_bytes
    p = Path(path)
    if not p.exists():
        raise InputError(str(path), None, None, "no such file or folder")
    if p.is_file() and p.stat().st_size > max_bytes:
        raise InputError(
            str(path),
            None,
            None,
            f"{human_size(p.stat().st_size)} is larger than a council's census could be (limit "
            f"{human_size(max_bytes)}, ALLIANCE_MAX_RETURN_MB); check the file, or raise the "
            "limit with --max-size",
        )
    if p.is_file() and p.suffix.lower() == ".xml":
        return read_xml(p, year, workers=workers, limits=limits)
    if p.is_file() and not zipfile.is_zipfile(p) and p.suffix.lower() != ".csv":
        with p.open("rb") as handle:
            start = handle.read(64).lstrip()
        if start.startswith(b"<"):
            return read_xml(p, year, workers=workers, limits=limits)
    return read_csv_tables(p, year, limits=limits)


# -- Parquet cache -----------------------------------------------------------------------------
CACHE_VERSION = "1"


def _cache_key(path: Path, year: int) -> str:
    stat = path.stat()
    text = f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{year}|{CACHE_VERSION}"
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def read_cached(
    path: str | Path,
    year: int,
    cache_dir: str | Path,
    *,
    max_bytes: int | None = None,
    workers: int = 1,
) -> Return:
    """`read_return`, parsing the XML once and keeping the typed tables as Parquet in
    `cache_dir` (keyed by the file's path, size, modification time and the year), so later runs
    on the same file skip the XML parse. Opt-in: the cache holds the same record-level data as
    the file, so it belongs in a folder with the same protection as the file."""
    p = Path(path)
    if not p.is_file():
        return read_return(p, year, max_bytes=max_bytes, workers=workers)
    folder = Path(cache_dir) / _cache_key(p, year)
    meta_path = folder / "meta.json"
    if meta_path.exists():
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        schema = load_schema(year)
        tables = {t: pl.read_parquet(folder / f"{t}.parquet") for t in TABLES}
        return Return(
            kind="cin",
            year=year,
            tables=tables,
            supplied=frozenset(meta["supplied"]),
            codes=schema.codes,
            child_id=CHILD_ID,
            sources=meta["sources"],
            source_format=meta["format"],
            notes=meta["notes"],
        )
    result = read_return(p, year, max_bytes=max_bytes, workers=workers)
    tmp = folder.with_name(folder.name + ".part")
    tmp.mkdir(parents=True, exist_ok=True)
    for name, frame in result.tables.items():
        frame.write_parquet(tmp / f"{name}.parquet", compression="lz4")
    (tmp / "meta.json").write_text(
        json.dumps(
            {
                "supplied": sorted(result.supplied),
                "sources": result.sources,
                "format": result.source_format,
                "notes": result.notes,
            }
        ),
        encoding="utf-8",
    )
    if folder.exists():
        shutil.rmtree(tmp, ignore_errors=True)
    else:
        tmp.rename(folder)
    return result
