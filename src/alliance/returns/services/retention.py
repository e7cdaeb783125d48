"""How long findings are kept, and the daily clean-up that deletes them (see docs/returns.md)."""

from __future__ import annotations

import datetime as dt
import re

import polars as pl
from django.conf import settings
from django.utils import timezone

from alliance.returns import council_keys, shared_storage, storage
from alliance.returns.models import Upload
from alliance.returns.services.findings import (
    IDENTIFYING,
    IDENTIFYING_DATES,
    IDENTIFYING_POSTCODES,
    IDENTITIES,
    WITHHELD,
)
from statutory.engine.pseudonym import child_pseudonyms
from statutory.ssda903.pseudonymise import postcode_sector


def findings_kept(upload: Upload) -> bool:
    folder = storage.report_dir(upload.organisation_id, upload.pk)
    shared_storage.fetch(folder, problem=shared_storage.NO_STORAGE_TO_SHOW)
    return (folder / "findings.parquet").exists()


def findings_retention() -> dt.timedelta:
    return dt.timedelta(days=int(getattr(settings, "RETURNS_FINDINGS_RETENTION_DAYS", 90)))


_VALUE_PART = re.compile(
    r"^(?P<field>[A-Za-z_0-9]+)(?P<table> \([A-Za-z_0-9]+\))?: (?P<value>.*)$", re.DOTALL
)
_DAY_FIRST = re.compile(r"\b\d{2}/(\d{2}/\d{4})\b")
VALUE_COLUMNS = ("values", "read_values")


def _mask_value_text(values: str | None) -> str | None:
    """'FIELD: value; …' with direct identifiers masked as `_masked` does, for findings stored
    before they were pseudonymised. Every date loses its day (shown as the first of its month):
    with no return left to compare with, a date that is a child's birthday (a baby coming into
    care the day it was born) cannot be told from any other."""
    if values is None:
        return None
    parts = []
    for given in values.split("; "):
        part = _DAY_FIRST.sub(r"01/\1", given)
        match = _VALUE_PART.match(part)
        if match is None or match["field"] not in IDENTIFYING:
            parts.append(part)
            continue
        field, value = match["field"], match["value"]
        if value in ("(blank)", "(none for this child)") or field in IDENTIFYING_DATES:
            shown = value
        elif field in IDENTIFYING_POSTCODES:
            shown = ", ".join(
                str(pl.select(postcode_sector(pl.lit(v))).item()) for v in value.split(", ")
            )
        else:
            shown = WITHHELD
        parts.append(f"{field}{match['table'] or ''}: {shown}")
    return "; ".join(parts)


def pseudonymise_stored_findings(upload_id: int, organisation_id: int) -> bool:
    """A report written before findings were stored pseudonymised (a `findings.parquet` with
    real ids and no re-identification file) is split the way new ones are written. Returns
    whether it was."""
    folder = storage.report_dir(organisation_id, upload_id)
    present = shared_storage.names(folder)  # asked before any copy is taken from the bucket
    if "findings.parquet" not in present or f"{IDENTITIES}.parquet" in present:
        return False
    shared_storage.fetch(folder)
    path = folder / "findings.parquet"
    frame = pl.read_parquet(path)
    if frame.is_empty() or "child_id" not in frame.columns:
        return False
    identities = frame.select(
        pl.col("child_id").cast(pl.String),
        *(
            pl.col(c) if c in frame.columns else pl.lit(None, pl.String).alias(c)
            for c in VALUE_COLUMNS
        ),
    )
    key = council_keys.council_key(organisation_id)
    mapping = child_pseudonyms(key, identities["child_id"].drop_nulls().unique().to_list())
    masked = frame.with_columns(
        pl.col("child_id").cast(pl.String).replace_strict(mapping, default=None),
        *(
            pl.col(c).map_elements(_mask_value_text, return_dtype=pl.String)
            for c in VALUE_COLUMNS
            if c in frame.columns
        ),
    )
    # the re-identification file first: a report is never left without its ids half-way
    identities.write_parquet(folder / f"{IDENTITIES}.parquet.part")
    (folder / f"{IDENTITIES}.parquet.part").rename(folder / f"{IDENTITIES}.parquet")
    masked.write_parquet(folder / "findings.parquet.part")
    (folder / "findings.parquet.part").replace(path)
    for workbook in folder.glob("*.xlsx"):
        workbook.unlink()  # workbooks were once kept; they held the real ids
    shared_storage.publish(folder)
    return True


def remove_expired_findings(now: dt.datetime | None = None) -> int:
    """Delete the findings (and their re-identification file and any workbook) of every upload
    checked longer ago than the retention period; the counts in the upload's summary stay.
    Reports within it written before findings were stored pseudonymised are split the way new
    ones are (`pseudonymise_stored_findings`). Returns how many reports were deleted. Run daily
    by the scheduler."""
    cutoff = (now or timezone.now()) - findings_retention()
    removed = 0
    recent = Upload.objects.filter(
        status=Upload.Status.ACCEPTED, finished_at__gte=cutoff
    ).values_list("pk", "organisation_id")
    for upload_id, organisation_id in recent.iterator():
        pseudonymise_stored_findings(upload_id, organisation_id)
    old = Upload.objects.filter(finished_at__lt=cutoff).values_list("pk", "organisation_id")
    for upload_id, organisation_id in old.iterator():
        folder = storage.report_dir(organisation_id, upload_id)
        if shared_storage.exists(folder):
            shared_storage.remove(folder)  # here and in the bucket
            removed += 1
    return removed


# An object no upload refers to is left this long before it is swept: an upload being received
# puts its files in the bucket just before its row is committed.
ORPHAN_AGE = dt.timedelta(hours=1)


def remove_orphaned_files(now: dt.datetime | None = None) -> int:
    """With a bucket: delete what no upload should still have there, which a put or delete cut
    short by the bucket failing can leave behind: the uploaded files (real ids) of uploads that
    are decided or were never recorded, and the reports and versions of uploads that were not
    accepted. Returns how many folders were deleted. Run daily with the retention clean-up."""
    if not shared_storage.in_use():
        return 0
    now = now or timezone.now()
    status = dict(Upload.objects.values_list("pk", "status"))
    waiting = {Upload.Status.QUEUED, Upload.Status.CHECKING}
    removed = 0

    def sweep(prefix: str, upload_id: int | None, keep: set[str]) -> None:
        nonlocal removed
        state = status.get(upload_id) if upload_id is not None else None
        if state is not None and state in keep:
            return
        if state is None or state == Upload.Status.FAILED:
            # not recorded yet (an upload being received) or failed (being tried again): only
            # what has been left alone for a while
            newest = shared_storage.newest_change(prefix)
            if newest is not None and now - newest < ORPHAN_AGE:
                return
        if shared_storage.forget(prefix):
            removed += 1

    for name in shared_storage.folders("incoming"):
        # a failed upload keeps its files to be tried again
        sweep(f"incoming/{name}", _number(name), {*waiting, Upload.Status.FAILED})
    for organisation in shared_storage.folders("reports"):
        for name in shared_storage.folders(f"reports/{organisation}"):
            sweep(
                f"reports/{organisation}/{name}", _number(name), {*waiting, Upload.Status.ACCEPTED}
            )
    for organisation in shared_storage.folders("store"):
        for kind in shared_storage.folders(f"store/{organisation}"):
            for year in shared_storage.folders(f"store/{organisation}/{kind}"):
                base = f"store/{organisation}/{kind}/{year}"
                for name in shared_storage.folders(base):
                    sweep(f"{base}/{name}", _number(name), {*waiting, Upload.Status.ACCEPTED})
    return removed


def _number(name: str) -> int | None:
    digits = name.removeprefix("upload-")
    return int(digits) if digits.isdigit() else None
