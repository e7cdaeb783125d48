"""Reports by extension, written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest
from builders import make_return
from openpyxl import load_workbook

from statutory.engine import Context, Registry, run
from statutory.engine.reports import atomic_write, print_summary, write_report


@pytest.fixture
def findings():  # type: ignore[no-untyped-def]
    registry = Registry("903")

    @registry.rule("103", table="Header", fields=("ETHNIC",))
    def ethnic(ctx: Context) -> pl.DataFrame:
        header = ctx.table("Header")
        return header.filter(~pl.col("ETHNIC").is_in(ctx.codes("ETHNIC")).fill_null(False))

    @registry.rule("102", table="Header", fields=("DOB",))
    def broken(ctx: Context) -> pl.DataFrame:
        raise RuntimeError("boom")

    return_ = make_return(
        Header=[
            {"CHILD": "A", "ETHNIC": "WBRI", "DOB": "01/02/2010"},
            {"CHILD": "B", "ETHNIC": "XXXX", "DOB": "31/02/2010"},
        ]
    )
    return run(registry, return_)


def test_csv(findings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_report(findings, tmp_path / "out.csv")
    frame = pl.read_csv(path, infer_schema=False)
    assert frame.columns[:8] == [
        "rule_code",
        "severity",
        "table",
        "row_number",
        "child_id",
        "fields",
        "reads",
        "message",
    ]
    assert frame.select("rule_code", "table", "row_number", "child_id").rows() == [
        ("103", "Header", "2", "B")
    ]


def test_json(findings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    document = json.loads(write_report(findings, tmp_path / "out.json").read_text())
    assert document["total"] == 1
    assert document["counts"][0]["rule_code"] == "103"
    assert document["engine_errors"][0]["rule_code"] == "102"


def test_xlsx_highlights_offending_cells(findings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    path = write_report(findings, tmp_path / "out.xlsx")
    book = load_workbook(path)
    assert book.sheetnames == ["Summary", "Findings", "Header"]
    sheet = book["Header"]
    headings = [c.value for c in sheet[1]]
    ethnic = headings.index("ETHNIC") + 1
    dob = headings.index("DOB") + 1
    assert sheet.cell(2, ethnic).value == "XXXX"
    assert sheet.cell(2, ethnic).fill.fgColor.rgb.endswith("FFDD00")
    assert sheet.cell(2, dob).value == "31/02/2010"  # shown as supplied
    assert not sheet.cell(2, dob).fill.fgColor.rgb.endswith("FFDD00")


def test_unknown_extension(findings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match=r"\.csv"):
        write_report(findings, tmp_path / "out.txt")


def test_nothing_half_written(tmp_path: Path) -> None:
    target = tmp_path / "r.csv"
    target.write_text("old")

    def fail(path: Path) -> None:
        path.write_text("partial")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic_write(target, fail)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["r.csv"]


def test_terminal_summary(findings) -> None:  # type: ignore[no-untyped-def]
    from rich.console import Console

    console = Console(record=True, width=120)
    print_summary(findings, console)
    text = console.export_text()
    assert "1 findings" in text
    assert "103" in text
    assert "engine error" in text
