"""Reports of a validation run, chosen by extension, and the terminal summary.

- `.csv`: one finding a row: rule_code, severity, table, row_number, child_id, fields (those the
  finding fails on), reads (the other fields the rule reads), message.
- `.json`: {"year", "rules_run", "not_run": [{rule_code, reason}], "counts": [...],
  "engine_errors": [...], "findings": [...]}.
- `.xlsx`: a Summary sheet (per-rule counts, rules not run, engine errors), a Findings sheet,
  and one sheet per
  table with its offending rows as supplied, the cells named by the findings highlighted.

Text a spreadsheet would run as a formula (a child id "=HYPERLINK(...)") is written with a
quote in front in the CSV and Excel reports (`statutory.engine.cells`).

Every report is written to a temporary file beside the target and renamed into place, so a
failed run never leaves half a report.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import polars as pl
from rich.table import Table

from statutory.engine.cells import new_workbook, write_cell, write_frame_csv, write_row
from statutory.engine.columns import RAW_SUFFIX, ROW_NUMBER

if TYPE_CHECKING:
    from rich.console import Console

    from statutory.engine.context import Return

EXCEL_MAX_ROWS = 1_048_575
# Excel is for people reading findings; past this many rows a sheet stops (the CSV has all).
EXCEL_ROWS_PER_SHEET = 10_000
REPORT_EXTENSIONS = (".csv", ".json", ".xlsx")


class _EngineError(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def error(self) -> str: ...


class Findings(Protocol):
    """What a report reads of a run's findings (`statutory.engine.findings.Findings`). Named
    here, not imported, so the findings (whose `write` calls these reports) and the reports do
    not import each other."""

    @property
    def frame(self) -> pl.DataFrame: ...
    @property
    def year(self) -> int: ...
    @property
    def rules_run(self) -> Sequence[str]: ...
    @property
    def not_run(self) -> Mapping[str, str]: ...
    @property
    def errors(self) -> Sequence[_EngineError]: ...
    @property
    def seconds(self) -> float: ...
    @property
    def return_(self) -> Return | None: ...
    @property
    def counts(self) -> pl.DataFrame: ...


def atomic_write(path: str | os.PathLike[str], write: Callable[[Path], None]) -> Path:
    """Call `write(temp_path)` then rename the temp file onto `path` (same folder, same disk)."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=target.suffix
    )
    os.close(handle)
    try:
        write(Path(temp))
        # mkstemp makes the file private (0600); give it the permissions a new file would get
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target


def write_report(findings: Findings, path: str | os.PathLike[str]) -> Path:
    suffix = Path(path).suffix.lower()
    if suffix == ".csv":
        return atomic_write(path, lambda p: write_frame_csv(findings.frame, p))
    if suffix == ".json":
        return atomic_write(path, lambda p: _write_json(findings, p))
    if suffix == ".xlsx":
        return atomic_write(path, lambda p: _write_xlsx(findings, p))
    raise ValueError(f"a report must end in {', '.join(REPORT_EXTENSIONS)} (got {path})")


def _write_json(findings: Findings, path: Path) -> None:
    head = {
        "year": findings.year,
        "rules_run": findings.rules_run,
        "not_run": [{"rule_code": c, "reason": why} for c, why in findings.not_run.items()],
        "total": findings.frame.height,
        "counts": findings.counts.to_dicts(),
        "engine_errors": [{"rule_code": e.code, "error": e.error} for e in findings.errors],
    }
    text = json.dumps(head, ensure_ascii=False, default=str)
    with path.open("w", encoding="utf-8") as handle:
        # the findings list is written by Polars (fast), spliced in as the last member
        handle.write(text[:-1] + ', "findings": ')
        handle.write(findings.frame.write_json())
        handle.write("}")


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, (int, float, str)):
        return value
    return str(value)


def _write_xlsx(findings: Findings, path: Path) -> None:
    # cells are data, never links or formulas; text a spreadsheet would run is neutralised
    workbook = new_workbook(str(path), {"constant_memory": True})
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    flagged = workbook.add_format({"bg_color": "#FFDD00", "bold": True})

    summary = workbook.add_worksheet("Summary")
    write_row(summary, 0, 0, ["Collection year ending", findings.year], bold)
    write_row(summary, 1, 0, ["Rules run", len(findings.rules_run)])
    write_row(summary, 2, 0, ["Findings", findings.frame.height])
    write_row(summary, 3, 0, ["Engine errors", len(findings.errors)])
    if findings.frame.height > EXCEL_ROWS_PER_SHEET:
        summary.write(
            4,
            0,
            f"Each sheet shows its first {EXCEL_ROWS_PER_SHEET:,} rows; the CSV report has all "
            f"{findings.frame.height:,} findings.",
        )
    headings = ["rule_code", "severity", "findings", "children", "message"]
    write_row(summary, 5, 0, headings, bold)
    row = 6
    for item in findings.counts.select(headings).iter_rows():
        write_row(summary, row, 0, [_cell(v) for v in item])
        row += 1
    if findings.not_run:
        row += 1
        write_row(summary, row, 0, ["Rules not run", "reason"], bold)
        for code, why in findings.not_run.items():
            row += 1
            write_row(summary, row, 0, [code, why])
    if findings.errors:
        row += 1
        write_row(summary, row, 0, ["Engine errors: rule", "error"], bold)
        for error in findings.errors:
            row += 1
            write_row(summary, row, 0, [error.code, error.error])
    summary.set_column(0, 3, 12)
    summary.set_column(4, 4, 100, wrap)

    sheet = workbook.add_worksheet("Findings")
    # the message is on the Summary sheet, once per rule
    listed = findings.frame.drop("message").head(EXCEL_ROWS_PER_SHEET)
    write_row(sheet, 0, 0, listed.columns, bold)
    for i, item in enumerate(listed.iter_rows(), start=1):
        write_row(sheet, i, 0, item)
    sheet.set_column(0, len(listed.columns) - 1, 14)

    if findings.return_ is not None and findings.frame.height:
        for table in findings.frame["table"].unique(maintain_order=True).to_list():
            _table_sheet(workbook, findings, table, bold, flagged)
    workbook.close()


def _table_sheet(workbook: Any, findings: Findings, table: str, bold: Any, flagged: Any) -> None:
    return_ = findings.return_
    assert return_ is not None
    if table not in return_.tables:
        return
    frame = return_.tables[table]
    per_row = (
        findings.frame.filter(pl.col("table") == table)
        .group_by("row_number", maintain_order=True)
        .agg(
            pl.col("rule_code").unique(maintain_order=True).str.join(" ").alias("rules"),
            pl.col("fields").str.split(";").explode().unique().alias("cells"),
        )
    )
    shown = [c for c in frame.columns if c != ROW_NUMBER and not c.endswith(RAW_SUFFIX)]
    # show what was supplied: the raw text where a typed column kept it
    display = [
        pl.col(f"{c}{RAW_SUFFIX}").alias(c) if f"{c}{RAW_SUFFIX}" in frame.columns else pl.col(c)
        for c in shown
    ]
    rows = (  # columns: ROW_NUMBER, the table's columns, rules, cells
        frame.select(pl.col(ROW_NUMBER), *display)
        .join(per_row, left_on=ROW_NUMBER, right_on="row_number", how="inner")
        .sort(ROW_NUMBER)
        .head(EXCEL_ROWS_PER_SHEET)
    )
    sheet = workbook.add_worksheet(table[:31])
    write_row(sheet, 0, 0, ["row_number", "rules", *shown], bold)
    position = {column: j for j, column in enumerate(shown, start=2)}
    width = len(shown)
    for i, record in enumerate(rows.iter_rows(), start=1):
        values = [_cell(v) for v in record[1 : width + 1]]
        write_row(sheet, i, 0, [record[0], record[width + 1], *values])
        # then the offending cells again, highlighted (same row: allowed in constant memory)
        for column in record[width + 2] or ():
            j = position.get(column)
            if j is not None:
                value = values[j - 2]
                write_cell(sheet, i, j, "" if value is None else value, flagged)
    sheet.set_column(0, 1, 12)
    sheet.freeze_panes(1, 2)


def print_summary(findings: Findings, console: Console, *, limit: int = 60) -> None:
    """Per-rule counts as a rich table, totals, and any engine errors."""
    counts = findings.counts
    children = findings.frame["child_id"].n_unique() if findings.frame.height else 0
    console.print(
        f"[bold]{findings.frame.height:,}[/bold] findings from [bold]{counts.height}[/bold] "
        f"rules, about {children:,} {'child' if children == 1 else 'children'}; "
        f"{len(findings.rules_run)} rules run in {findings.seconds:.2f}s."
    )
    if counts.height:
        table = Table(show_lines=False)
        table.add_column("Rule", style="bold")
        table.add_column("Findings", justify="right")
        table.add_column("Children", justify="right")
        table.add_column("Message", overflow="fold")
        for item in counts.head(limit).iter_rows(named=True):
            table.add_row(
                item["rule_code"],
                f"{item['findings']:,}",
                f"{item['children']:,}",
                item["message"],
            )
        console.print(table)
        if counts.height > limit:
            console.print(f"… and {counts.height - limit} more rules (see the report).")
    reasons: dict[str, list[str]] = {}
    for code, why in findings.not_run.items():
        reasons.setdefault(why, []).append(code)
    for why, codes in reasons.items():
        console.print(
            f"[yellow]{len(codes)} {'rule' if len(codes) == 1 else 'rules'} {why}:[/yellow] "
            + ", ".join(codes),
            soft_wrap=True,
        )
    for error in findings.errors:
        console.print(f"[red]engine error[/red] {error.code}: {error.error}")
