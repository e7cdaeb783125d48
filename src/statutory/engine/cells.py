"""Cells for spreadsheets people open: CSV and Excel files made safe from formula injection.

A spreadsheet program treats a cell that begins with `=`, `+`, `-` or `@` (and, in some
programs, a tab or carriage return before one of them) as a formula, so a child id, a business
name or a username typed as `=HYPERLINK(...)` would run when an analyst opens the export. As
OWASP advises (https://owasp.org/www-community/attacks/CSV_Injection), every text value that
begins with one of those characters is written with a single quote in front, which the
spreadsheet shows as text. Numbers stay numbers: a negative number written as a number is not a
formula, but the text "-1+1" is.

This module is the one place that does it, for the statutory library's reports and (wrapped
by `alliance.common.exports`) every download the service offers. It uses no Django.
"""

from __future__ import annotations

import csv
import datetime as dt
import os
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
_DANGEROUS_PATTERN = r"^[=+\-@\t\r]"

# cells are data, never formulas or links (and skipping xlsxwriter's checks is faster)
WORKBOOK_OPTIONS: dict[str, Any] = {"strings_to_formulas": False, "strings_to_urls": False}


def is_dangerous(text: str) -> bool:
    return text.startswith(DANGEROUS)


def neutralise(value: Any) -> Any:
    """The value, with a quote in front when it is text a spreadsheet would take as a formula.
    Numbers, dates and None are returned as they are; anything else becomes its text."""
    if value is None or isinstance(value, bool | int | float | Decimal | dt.date):
        return value
    text = value if isinstance(value, str) else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def csv_text(value: Any) -> Any:
    """A value for a CSV cell: None is empty, text is neutralised, numbers are as written."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return neutralise(value)


class _Echo:
    """A file-like object whose write returns the line, so csv.writer can feed a stream."""

    def write(self, value: str) -> str:
        return value


def csv_lines(header: Sequence[str] | None, rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """CSV text one line at a time (for streaming): every cell neutralised."""
    writer = csv.writer(_Echo())
    if header is not None:
        yield writer.writerow([csv_text(h) for h in header])
    for row in rows:
        yield writer.writerow([csv_text(v) for v in row])


def neutralise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame with every text column (categorical ones too) neutralised; numeric and date
    columns untouched."""
    text = [
        pl.when(pl.col(name).cast(pl.String).str.contains(_DANGEROUS_PATTERN))
        .then(pl.lit("'") + pl.col(name).cast(pl.String))
        .otherwise(pl.col(name).cast(pl.String))
        .alias(name)
        for name, dtype in frame.schema.items()
        if dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)
    ]
    if not text:
        return frame
    return frame.with_columns(text)


def frame_csv_chunks(frame: pl.DataFrame, rows_per_chunk: int = 50_000) -> Iterator[bytes]:
    """A frame as CSV bytes in slices (header first), text neutralised: the whole file is
    never held as one string."""
    safe = neutralise_frame(frame)
    if safe.height == 0:
        yield safe.write_csv().encode()
        return
    for i, part in enumerate(safe.iter_slices(rows_per_chunk)):
        yield part.write_csv(include_header=i == 0).encode()


def write_frame_csv(frame: pl.DataFrame, path: str | os.PathLike[str]) -> None:
    neutralise_frame(frame).write_csv(Path(path))


def new_workbook(target: Any, options: dict[str, Any] | None = None) -> Any:
    """An xlsxwriter workbook (to a path or a binary file) that never writes formulas or links
    from text."""
    return xlsxwriter.Workbook(target, {**(options or {}), **WORKBOOK_OPTIONS})


def write_cell(sheet: Any, row: int, col: int, value: Any, cell_format: Any = None) -> None:
    """One cell by its type: text as text (neutralised), numbers as numbers, dates as dates
    (under the cell's format), None as a blank."""
    if value is None:
        sheet.write_blank(row, col, None, cell_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, col, value, cell_format)
    elif isinstance(value, int | float | Decimal):
        sheet.write_number(row, col, value, cell_format)
    elif isinstance(value, dt.datetime | dt.date | dt.time):
        if cell_format is None:
            sheet.write_string(row, col, value.isoformat())
        else:
            sheet.write_datetime(row, col, value, cell_format)
    else:
        sheet.write_string(row, col, neutralise(value), cell_format)


def write_row(
    sheet: Any, row: int, col: int, values: Iterable[Any], cell_format: Any = None
) -> None:
    for j, value in enumerate(values, start=col):
        write_cell(sheet, row, j, value, cell_format)
