"""Reading an upload's files with the statutory library: refusing the wrong return or another
council's, pseudonymising, running the rules and computing the indicators."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl
from django.db.models import Q

from alliance.organisations.models import Council
from alliance.returns import council_keys, shared_storage, storage
from alliance.returns.models import ReturnKind, Upload
from alliance.returns.services.stored_returns import PREVIOUS, PREVIOUS_TABLES, schema_for
from alliance.returns.services.uploading import provider_lists
from alliance.returns.storage import UploadProblem
from statutory.cin.pseudonymise import pseudonymise_tables as cin_pseudonymise
from statutory.cin.reader import read_return as read_cin
from statutory.ssda903.pseudonymise import pseudonymise_tables
from statutory.ssda903.reader import build_return, read_return


def council_of(upload: Upload) -> Council:
    council = Council.objects.filter(organisation_id=upload.organisation_id).first()
    if council is None:
        raise UploadProblem("Only a council can upload its statutory returns.")
    return council


def _prepare(upload: Upload) -> tuple[Path, Path | None]:
    """The folder of this year's files and of last year's (zips unpacked safely)."""
    base = storage.incoming_dir(upload.pk)
    # with a bucket, this machine's copy of the uploaded files (made like the bucket's)
    if not shared_storage.fetch(base):
        raise UploadProblem("The uploaded files are no longer here: upload the return again.")
    work = base / "unpacked"
    shutil.rmtree(work, ignore_errors=True)  # a retried run starts clean
    folders: dict[str, Path | None] = {}
    budget = storage.unzipped_limit()
    for part in ("current", "previous"):
        source = base / part
        if not source.is_dir():
            folders[part] = None
            continue
        target = work / part
        target.mkdir(parents=True, exist_ok=True)
        for file in storage.files_in(source):
            if file.suffix == ".zip":
                budget -= storage.unpack(file, target / file.stem, budget=budget)
            else:
                shutil.copyfile(file, target / file.name)
        folders[part] = target
    current = folders["current"]
    assert current is not None
    return current, folders["previous"]


def _single_xml(folder: Path) -> Path | None:
    files = list(storage.files_in(folder))
    xml = [f for f in files if f.suffix.lower() == ".xml"]
    return xml[0] if len(xml) == 1 and len(files) == 1 else None


def read_upload(
    upload: Upload, council: Council
) -> tuple[Any, Callable[[], dict[str, pl.DataFrame]]]:
    """-> (the typed return with real ids, for checking; a function making its tables
    pseudonymised, for storing, run beside the checks)."""
    current, previous = _prepare(upload)
    key = council_keys.council_key(upload.organisation_id)
    if upload.kind == ReturnKind.SSDA903:
        _refuse_cin_as_903(current)
        for folder in (current, previous):
            if folder is not None:
                _refuse_another_councils_903(folder, council)
        lists = provider_lists(upload)
        if upload.provider_file_names and not lists:
            raise UploadProblem(
                "The Ofsted provider lists are no longer here: upload the return again."
            )
        # Public data: they go to the reader (for the Ofsted-provider rules), never to `supplied`,
        # so they are neither pseudonymised nor stored with the records.
        return_ = read_return(current, upload.year, previous=previous, providers=lists or None)
        return_.la_code = council.ons_code
        supplied = {n: _as_text(return_.tables[n]) for n in sorted(return_.supplied)}
        last_year = (
            {
                n: _as_text(return_.previous.tables[n])
                for n in sorted(return_.previous.supplied)
                if n in PREVIOUS_TABLES
            }
            if return_.previous is not None
            else {}
        )

        def make_903() -> dict[str, pl.DataFrame]:
            typed = build_return(upload.year, pseudonymise_tables(supplied, key))
            out = {n: typed.tables[n] for n in supplied}
            if last_year:
                # stored beside this year's (pseudonymised the same way) so the pooled figures
                # can follow a child's care back into last year, as the council's own do
                earlier = build_return(
                    upload.year - 1,
                    pseudonymise_tables(last_year, key),
                    schema=schema_for(upload.year - 1, upload.year),
                )
                out |= {f"{PREVIOUS}/{n}": earlier.tables[n] for n in last_year}
            return out

        return return_, make_903

    _refuse_903_as_cin(current)
    source = _single_xml(current) or current
    return_ = read_cin(source, upload.year)
    return_.la_code = council.ons_code
    header = return_.tables.get("Header")
    if header is not None and header.height and "LEA" in header.columns:
        named = str(header["LEA"][0] or "").strip()
        if named and named != council.dfe_code:
            other = Council.objects.filter(dfe_code=named).first()
            raise UploadProblem(
                f"The census header names council {named}"
                + (f" ({other.name})" if other else "")
                + f", not {council.name} ({council.dfe_code}). Upload {council.name}'s own census."
            )
    supplied = {n: return_.tables[n] for n in sorted(return_.supplied)}
    return return_, lambda: _cin_pseudonymised(supplied, cin_pseudonymise, key)


def _refuse_903_as_cin(folder: Path) -> None:
    """SSDA903 files sent as the CIN census: say so, rather than the reader's complaint about a
    missing LAchildID column."""
    for file in storage.files_in(folder):
        with file.open("rb") as handle:
            head = handle.read(4096)
        text = head.decode("utf-8-sig", errors="replace")
        first = text.splitlines()[:1]
        columns = {c.strip().strip('"').upper() for c in first[0].split(",")} if first else set()
        is_903_csv = "CHILD" in columns and "LACHILDID" not in columns
        is_903_xml = text.lstrip().startswith("<") and (
            "<CHILDID>" in text.upper() or "<EPISODE>" in text.upper()
        )
        if (is_903_csv or is_903_xml) and "<LAchildID" not in text:
            raise UploadProblem(
                "This is an SSDA903 return (children looked after), not a CIN census. Upload it "
                "as the SSDA903 return."
            )


def _refuse_cin_as_903(folder: Path) -> None:
    for file in storage.files_in(folder):
        if file.suffix.lower() == ".xml":
            with file.open("rb") as handle:
                head = handle.read(4096)
            if b"<CollectionDetails" in head or b"<Collection>CIN" in head:
                raise UploadProblem(
                    "This is a children in need census file, not an SSDA903 return. Upload it as "
                    "the CIN census."
                )


# Columns some councils' SSDA903 exports add to say whose return it is. The DfE's tables have no
# such column (PL_LA is the placement's council, not the return's), so this is only a check when
# a file carries one.
LA_COLUMNS = ("LA", "LA_CODE", "LEA", "LA_NAME", "LOCAL_AUTHORITY")


def _la_column_values(file: Path) -> tuple[str, set[str]] | None:
    """(column, its distinct values) when a CSV's header has one of LA_COLUMNS, else None."""
    if file.suffix.lower() not in (".csv", ".txt", ""):
        return None
    with file.open("rb") as handle:
        head = handle.read(65536)
    if head.startswith((b"\xff\xfe", b"\xfe\xff", b"PK")):
        return None  # UTF-16 or not text: the reader decides about it
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    header = [c.strip().strip('"').upper() for c in first[0].split(",")] if first else []
    found = next((c for c in LA_COLUMNS if c in header), None)
    if found is None:
        return None
    position = header.index(found)
    frame = pl.read_csv(
        file,
        infer_schema=False,
        encoding="utf8-lossy",
        columns=[position],
        truncate_ragged_lines=True,
    )
    values = frame.to_series().drop_nulls().str.strip_chars()
    return found, {v for v in values.unique().to_list() if v}


def _council_named(value: str) -> Council | None:
    text = value.strip()
    return (
        Council.objects.filter(
            Q(dfe_code=text)
            | Q(ons_code__iexact=text)
            | Q(name__iexact=text)
            | Q(ofsted_name__iexact=text)
        )
        .select_related("organisation")
        .first()
    )


def _refuse_another_councils_903(folder: Path, council: Council) -> None:
    """An SSDA903 file that names its council in an LA column must name the uploader's. Values
    that name no council are not evidence either way; nothing else in the return (placement
    postcodes, PL_LA, UPNs) says whose return it is, so nothing else is guessed from."""
    for file in storage.files_in(folder):
        try:
            found = _la_column_values(file)
        except (OSError, pl.exceptions.PolarsError):
            continue  # the reader reports unreadable files in its own words
        if not found:
            continue
        column, values = found
        named = {c for c in (_council_named(v) for v in values) if c is not None}
        others = sorted((c for c in named if c.pk != council.pk), key=lambda c: c.name)
        if others:
            listed = ", ".join(f"{c.name} ({c.dfe_code})" for c in others)
            raise UploadProblem(
                f"The {column} column of {file.name} names {listed}, not {council.name} "
                f"({council.dfe_code}). Upload {council.name}'s own return."
            )


def _as_text(frame: pl.DataFrame) -> pl.DataFrame:
    """A typed table back to the text the library's pseudonymising step reads (the original text
    where a value did not parse, dates as dd/mm/YYYY)."""
    raw = {c for c in frame.columns if c.endswith("__raw")}
    exprs = []
    for column in frame.columns:
        if column in raw or column == "ROW_NUMBER":
            continue
        dtype = frame.schema[column]
        text = (
            pl.col(column).dt.strftime("%d/%m/%Y")
            if dtype == pl.Date
            else pl.col(column).cast(pl.String)
        )
        if f"{column}__raw" in raw:
            text = pl.coalesce(text, pl.col(f"{column}__raw"))
        exprs.append(text.alias(column))
    return frame.select(exprs)


def _cin_pseudonymised(
    tables: dict[str, pl.DataFrame], pseudonymise: Any, key: bytes
) -> dict[str, pl.DataFrame]:
    dates = ("PersonBirthDate", "ExpectedPersonBirthDate")
    as_text = {
        name: frame.with_columns(pl.col(c).cast(pl.String) for c in dates if c in frame.columns)
        for name, frame in tables.items()
    }
    out = pseudonymise(as_text, key)
    return {
        name: frame.with_columns(
            pl.col(c).str.to_date("%Y-%m-%d", strict=False).cast(tables[name].schema[c])
            for c in dates
            if c in frame.columns
        )
        for name, frame in out.items()
    }
