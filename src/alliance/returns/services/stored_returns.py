"""The council's stored returns: its latest accepted, pseudonymised tables, their indicators year by
year, and the pseudonyms its children's ids are stored under."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import polars as pl
from django.db import close_old_connections

from alliance.organisations.models import Organisation
from alliance.returns import council_keys, shared_storage, storage
from alliance.returns.models import ReturnKind, Upload
from statutory.cin import indicator_codes as cin_codes
from statutory.cin import indicators as cin_indicators
from statutory.engine.pseudonym import child_pseudonym
from statutory.measures import POPULATION_NOTE, Measure
from statutory.ssda903 import indicator_codes as ssda903_codes
from statutory.ssda903 import indicators as ssda903_indicators
from statutory.ssda903.schemas import load_schema

KINDS = (ReturnKind.SSDA903.value, ReturnKind.CIN.value)


def _organisation_id(organisation: Organisation | int) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def pseudonymise_id(organisation: Organisation | int, child_id: str, kind: str = "ssda903") -> str:
    """The council's keyed pseudonym of a child id: what the stored SSDA903 tables hold in
    `CHILD` and the stored CIN census tables in `LAchildID` for that child. Both returns use one
    function (`statutory.engine.pseudonym.child_pseudonym`), so `kind` does not change the
    answer; it is accepted for callers written when the two differed. (The one exception: ids
    of one CIN census that differ only in letter case keep census-only pseudonyms there.)"""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")

    return child_pseudonym(council_keys.council_key(_organisation_id(organisation)), child_id) or ""


OLD_CIN_PSEUDONYM = re.compile(r"^P[0-9A-F]{15}$")
"""How the CIN census stored `LAchildID` before both returns shared one pseudonym (see
docs/returns.md): `P` is not a hex digit, so no pseudonym made since looks like this."""


def stored_with_old_cin_pseudonyms(organisation: Organisation | int) -> list[Upload]:
    """The council's latest accepted CIN censuses (one a year) still holding the old CIN-only
    pseudonyms, which match nothing in SSDA903: each needs uploading again."""
    stale = []
    for _year, upload in sorted(_latest_accepted(_organisation_id(organisation), "cin").items()):
        folder = version_folder(upload)
        path = folder / "ChildIdentifiers.parquet" if folder is not None else None
        if path is None or not path.is_file():
            continue
        found = path.stat()
        if _holds_old_cin_pseudonyms(str(path), found.st_mtime_ns, found.st_size):
            stale.append(upload)
    return stale


@functools.lru_cache(maxsize=1024)
def _holds_old_cin_pseudonyms(path: str, modified_ns: int, size: int) -> bool:
    """Read once per stored file (the returns page asks on every visit; a stored version does not
    change, and a file that did would have another time or size)."""
    ids = pl.read_parquet(path, columns=["LAchildID"])["LAchildID"].drop_nulls()
    return bool(ids.len() and ids.str.contains(OLD_CIN_PSEUDONYM.pattern).all())


def _latest_accepted(organisation_id: int, kind: str) -> dict[int, Upload]:
    """The latest accepted upload of each year. The rows of the latest only are read: a council
    may have uploaded a return many times, and each row carries its findings' summary and
    indicators (the returns page read and decoded them all on every visit)."""
    uploads = Upload.objects.accepted().filter(organisation_id=organisation_id, kind=kind)
    latest_ids: dict[int, int] = {}
    for year, pk in uploads.order_by("year", "uploaded_at", "id").values_list("year", "id"):
        latest_ids[year] = pk  # later uploads replace earlier ones of the same year
    if not latest_ids:
        return {}
    found = Upload.objects.in_bulk(list(latest_ids.values()))
    return {year: found[pk] for year, pk in latest_ids.items()}


def version_folder(upload: Upload) -> Path | None:
    """This machine's copy of the upload's stored version (taken from the bucket when there is
    one: a version never changes once stored, so a copy is kept), or None when it has none."""
    if not upload.stored_version:
        return None
    folder = storage.version_dir(upload.stored_version)
    found = shared_storage.fetch(folder, keep=True, problem=shared_storage.NO_STORAGE_TO_SHOW)
    return folder if found else None


def read_version(upload: Upload) -> dict[str, pl.DataFrame]:
    folder = version_folder(upload)
    if folder is None:
        return {}
    return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}


def previous_year_tables(
    organisation: Organisation | int, kind: str, year: int
) -> dict[str, pl.DataFrame]:
    """Last year's pseudonymised tables to go with the council's `year`: those sent with that
    year's latest accepted upload, else the council's own latest accepted upload of the year
    before; {} when there are none (the CIN census has no use for them)."""
    if kind != ReturnKind.SSDA903:
        return {}
    latest = _latest_accepted(_organisation_id(organisation), kind)
    version = version_folder(latest[year]) if year in latest else None
    if version is not None:
        folder = version / PREVIOUS
        if folder.is_dir():
            return {p.stem: pl.read_parquet(p) for p in sorted(folder.glob("*.parquet"))}
    return read_version(latest[year - 1]) if year - 1 in latest else {}


def latest_tables(
    organisation: Organisation | int, kind: str, year: int | None = None
) -> dict[str, pl.DataFrame]:
    """The latest accepted, pseudonymised tables of the council's uploads of `kind` for `year`,
    or every year stacked with a `YEAR` column when `year` is None; {} when nothing is uploaded."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    latest = _latest_accepted(_organisation_id(organisation), kind)
    if year is not None:
        return read_version(latest[year]) if year in latest else {}
    stacked: dict[str, list[pl.DataFrame]] = {}
    for each_year, upload in sorted(latest.items()):
        for name, frame in read_version(upload).items():
            stacked.setdefault(name, []).append(
                frame.with_columns(pl.lit(each_year, dtype=pl.Int32).alias("YEAR"))
            )
    return {name: pl.concat(frames, how="diagonal_relaxed") for name, frames in stacked.items()}


def tables_by_year(
    organisation: Organisation | int, kind: str
) -> dict[int, dict[str, pl.DataFrame]]:
    """The latest accepted, pseudonymised tables of the council's uploads of `kind`, one set per
    collection year it has (the year of 31 March), oldest first; {} when nothing is accepted."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    latest = _latest_accepted(_organisation_id(organisation), kind)
    found = {year: read_version(upload) for year, upload in sorted(latest.items())}
    return {year: tables for year, tables in found.items() if tables}


def accepted_versions(organisation: Organisation | int, kind: str) -> dict[int, int]:
    """{collection year: the id of the upload whose tables `tables_by_year` reads}: changes
    whenever a newer upload of a year is accepted, so a figure computed from the tables can be
    kept until then."""
    latest = _latest_accepted(_organisation_id(organisation), kind)
    return {year: upload.pk for year, upload in sorted(latest.items())}


def measures(kind: str) -> dict[str, Measure]:
    """The library's indicators of the return `kind` by code (labels, published measures)."""
    return ssda903_codes.MEASURES if kind == ReturnKind.SSDA903 else cin_codes.MEASURES


def code_of(kind: str, item: dict[str, Any]) -> str:
    """A stored indicator's code: as stored, or, for figures stored before indicators had codes
    (label only), the code the library gives that label."""
    code = item.get("code")
    if code:
        return str(code)
    return (ssda903_codes if kind == ReturnKind.SSDA903 else cin_codes).code_for(item["indicator"])


def stored_indicators(upload: Upload) -> list[dict[str, Any]]:
    """The upload's indicators as stored, each with its `code` (see `code_of`)."""
    return [{**item, "code": code_of(upload.kind, item)} for item in upload.indicators]


def indicator_history(organisation: Organisation | int, kind: str) -> list[dict[str, Any]]:
    """Rows {year, code, indicator (the code too), label, published, value, numerator,
    denominator, unit}, computed by statutory.<kind>.indicators when each year's upload was
    accepted; [] when nothing is. Join on `code`, never on the label (free to reword)."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    rows: list[dict[str, Any]] = []
    known = measures(kind)
    for year, upload in sorted(_latest_accepted(_organisation_id(organisation), kind).items()):
        for item in stored_indicators(upload):
            measure = known.get(item["code"])
            rows.append(
                {
                    "year": year,
                    "code": item["code"],
                    "indicator": item["code"],
                    "label": POPULATION_NOTE.sub("", item["indicator"]),
                    "published": measure.published if measure else "",
                    "value": item["value"],
                    "numerator": item.get("numerator"),
                    "denominator": item.get("denominator"),
                    "unit": item.get("unit", ""),
                }
            )
    return rows


PREVIOUS = "previous"
"""The sub-folder of a stored SSDA903 version holding last year's tables sent with it."""
PREVIOUS_TABLES = ("Episodes",)
"""Last year's tables kept: only those the indicators read (a child's care followed back into
last year); nothing more of last year's return is stored."""


def indicators_of(kind: str) -> Callable[..., pl.DataFrame]:
    """The statutory library's `compute(return_, la=...)` for the return `kind`."""
    return ssda903_indicators.compute if kind == ReturnKind.SSDA903 else cin_indicators.compute


def schema_for(year: int, fallback: int) -> Any:
    try:
        return load_schema(year)
    except (ValueError, FileNotFoundError, KeyError):
        return load_schema(fallback)


def latest_uploads_for(
    organisation_ids: Iterable[int] | None, kind: str, year: int
) -> list[Upload]:
    """The latest accepted upload of `kind` for `year` of each council (all when ids is None)."""
    uploads = Upload.objects.accepted().filter(kind=kind, year=year).select_related("organisation")
    if organisation_ids is not None:
        uploads = uploads.filter(organisation_id__in=list(organisation_ids))
    latest: dict[int, Upload] = {}
    for upload in uploads.order_by("uploaded_at", "id"):
        latest[upload.organisation_id] = upload
    return sorted(latest.values(), key=lambda u: u.organisation.name)


def close_connections() -> None:
    close_old_connections()
