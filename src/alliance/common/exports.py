"""Every CSV and Excel download the service offers goes through here.

The cells are made safe by `statutory.engine.cells` (the one place that neutralises text a
spreadsheet would run as a formula: see docs/security.md); this module wraps it for HTTP
responses. CSV is streamed line by line or slice by slice, so a large export is never held
whole in memory; a workbook is built in a temporary file, not in memory.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

import polars as pl
from django.http import FileResponse, StreamingHttpResponse

from statutory.engine.cells import csv_lines, frame_csv_chunks, new_workbook

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _attachment(response: StreamingHttpResponse, filename: str) -> StreamingHttpResponse:
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def csv_response(
    filename: str, header: Sequence[str] | None, rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Rows (lists of values) streamed as a CSV attachment, every cell neutralised. `rows` may
    be a generator: it is read as the response is sent."""
    return _attachment(
        StreamingHttpResponse(csv_lines(header, rows), content_type=CSV_TYPE), filename
    )


def frame_csv_response(filename: str, frame: pl.DataFrame) -> StreamingHttpResponse:
    """A Polars frame streamed as a CSV attachment, text columns neutralised."""
    return _attachment(
        StreamingHttpResponse(frame_csv_chunks(frame), content_type=CSV_TYPE), filename
    )


def xlsx_response(filename: str, build: Callable[[Any], None]) -> FileResponse:
    """A workbook built by `build(workbook)` (an xlsxwriter workbook that writes no formulas
    from text; write its cells with `statutory.engine.cells.write_row`/`write_cell`), sent as
    an attachment from a temporary file that goes when the response is closed."""
    handle = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115 (closed by the response)
    book = new_workbook(handle)
    build(book)
    book.close()
    handle.seek(0)
    return xlsx_file_response(handle, filename)


def xlsx_file_response(source: Any, filename: str) -> FileResponse:
    """A workbook already built (an open binary file, or a path) as an attachment."""
    stream = source.open("rb") if isinstance(source, Path) else source
    response = FileResponse(stream, as_attachment=True, filename=filename, content_type=XLSX_TYPE)
    response["X-Content-Type-Options"] = "nosniff"
    return response
