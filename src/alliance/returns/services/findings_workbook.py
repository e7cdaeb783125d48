"""The findings workbook: built as its own task after an upload is accepted, read from the stored
findings a slice at a time."""

from __future__ import annotations

import time
from pathlib import Path

import polars as pl

from alliance.returns import queue, shared_storage, storage
from alliance.returns.models import Upload
from alliance.returns.services.findings import IDENTITIES
from alliance.returns.services.retention import findings_retention
from statutory.engine.cells import neutralise_frame, new_workbook, write_row
from statutory.engine.reports import EXCEL_MAX_ROWS, atomic_write

# `fields` and `values`: what the finding fails on; `reads` and `read_values`: the other fields
# its rule reads
FINDINGS_COLUMNS = (
    "rule_code",
    "severity",
    "table",
    "row_number",
    "child_id",
    "fields",
    "values",
    "reads",
    "read_values",
)
WORKBOOK_SLICE = 50_000  # findings read from the parquet file at a time
WORKBOOK_PENDING_SECONDS = 15 * 60  # a request for the workbook older than this is tried again


def excel_report_path(upload: Upload) -> Path:
    """Where this machine has the workbook (taken from the bucket when there is one): it exists
    once it is built."""
    folder = storage.report_dir(upload.organisation_id, upload.pk)
    shared_storage.fetch(folder, problem=shared_storage.NO_STORAGE_TO_SHOW)
    return folder / "findings.xlsx"


def excel_report(upload: Upload) -> Path:
    """The findings as an Excel workbook (a summary sheet, then every finding with its values
    and the council's own child ids, put back from the re-identification file), built once and
    kept beside the report for the council's own download only. It is deleted with the findings
    at the end of the retention period (`remove_expired_findings`). Built by the task worker
    (after the checks, or when first asked for), never in a web request: a million findings take
    about a minute. Memory stays bounded: the findings are read from the parquet files a slice at
    a time and the workbook is written row by row (xlsxwriter's constant-memory mode). Every cell
    goes through `statutory.engine.cells`, so a child id typed as a formula is shown as text."""
    path = excel_report_path(upload)
    if path.exists():
        return path
    folder = storage.report_dir(upload.organisation_id, upload.pk)
    source = folder / "findings.parquet"
    available = pl.read_parquet_schema(source) if source.exists() else {}
    columns = [c for c in FINDINGS_COLUMNS if c in available]
    if "message" in available:
        columns.append("message")
    stored = pl.scan_parquet(source).select(pl.len()).collect().item() if columns else 0
    total = min(stored, EXCEL_MAX_ROWS)
    # the council's own ids and values, put back row for row from the re-identification file
    identities = folder / f"{IDENTITIES}.parquet"
    real = pl.scan_parquet(identities) if identities.exists() else None
    put_back: list[str] = []
    if real is not None and real.select(pl.len()).collect().item() == stored:
        names = real.collect_schema().names()
        put_back = [c for c in ("child_id", "values", "read_values") if c in columns and c in names]

    def write(target: Path) -> None:
        book = new_workbook(str(target), {"constant_memory": True})
        bold = book.add_format({"bold": True})
        summary = book.add_worksheet("Summary")
        write_row(summary, 0, 0, ["Return", upload.get_kind_display()], bold)
        write_row(summary, 1, 0, ["Collection year", upload.year_label])
        write_row(summary, 2, 0, ["Uploaded", f"{upload.uploaded_at:%d %B %Y %H:%M}"])
        write_row(summary, 3, 0, ["Findings", upload.summary.get("findings", 0)])
        if not stored and upload.summary.get("findings", 0):
            write_row(
                summary,
                4,
                0,
                [
                    "Rows",
                    f"Deleted after {findings_retention().days} days (the retention period): "
                    "upload the return again to see them",
                ],
            )
        write_row(summary, 5, 0, ["Rule", "Type", "Findings", "Children", "Message"], bold)
        for i, item in enumerate(upload.summary.get("counts", []), start=6):
            write_row(
                summary,
                i,
                0,
                [
                    item["rule_code"],
                    item["severity"],
                    item["findings"],
                    item["children"],
                    item["message"],
                ],
            )
        summary.set_column(4, 4, 100)
        sheet = book.add_worksheet("Findings")
        write_row(sheet, 0, 0, columns, bold)
        scan = pl.scan_parquet(source).select(columns) if columns else None
        row = 1
        for offset in range(0, total, WORKBOOK_SLICE):
            assert scan is not None
            size = min(WORKBOOK_SLICE, total - offset)
            part = scan.slice(offset, size).collect()
            if real is not None and put_back:
                ids = real.slice(offset, size).select(put_back).collect()
                part = part.with_columns([ids[c] for c in put_back])
            part = neutralise_frame(part)
            # neutralised above, and the workbook writes no formulas or links from text, so
            # xlsxwriter's own write_row (faster than a call per cell) is safe here
            for values in part.iter_rows():
                sheet.write_row(row, 0, values)
                row += 1
        sheet.set_column(0, max(len(columns) - 1, 0), 16)
        book.close()

    built = atomic_write(path, write)
    shared_storage.publish_file(built)
    return built


def _pending_marker(upload: Upload) -> Path:
    return storage.report_dir(upload.organisation_id, upload.pk) / "findings.xlsx.requested"


def request_excel_report(upload: Upload) -> bool:
    """Ask the task worker to build the workbook, unless it was asked recently (the page that
    waits for it refreshes, and must not queue it again each time). -> whether it was queued."""
    marker = _pending_marker(upload)
    if marker.exists() and time.time() - marker.stat().st_mtime < WORKBOOK_PENDING_SECONDS:
        return False
    marker.parent.mkdir(parents=True, exist_ok=True)
    marker.touch()
    queue.enqueue(queue.PREPARE_FINDINGS_WORKBOOK, upload.pk)
    return True


def prepare_excel_report(upload_id: int) -> str:
    """Build an accepted upload's workbook (the task's work)."""
    upload = Upload.objects.filter(pk=upload_id, status=Upload.Status.ACCEPTED).first()
    if upload is None:
        return "skipped"
    try:
        excel_report(upload)
    finally:
        _pending_marker(upload).unlink(missing_ok=True)
    return "built"
