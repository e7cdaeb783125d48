"""What the SSDA903 and CIN command lines share: plain one-line errors, a progress bar, checking
a return with the year's rules, listing rule coverage, and showing and writing indicators. Each return's `cli.py` adds only its
own reading and options, so both commands look and work alike."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from statutory.engine import Registry, run
from statutory.engine.cells import write_frame_csv
from statutory.engine.errors import InputError, one_line
from statutory.engine.reports import REPORT_EXTENSIONS, atomic_write, print_summary

if TYPE_CHECKING:
    import polars as pl

    from statutory.engine.context import Return
    from statutory.engine.findings import Findings


def finished_collection_year(known: Iterable[int], today: dt.date | None = None) -> int:
    """The latest collection year that has ended by `today` (a collection year runs April to
    March: on 4 December 2026 that is 2026, April 2025 to March 2026) among the `known` years
    the rules cover: the year the generators write by default, one the service checks."""
    today = today or dt.date.today()
    ended = today.year if today.month >= 4 else today.year - 1
    years = sorted(known)
    return max((y for y in years if y <= ended), default=years[0])


# The council the generators write for unless told: North Tyneside (DfE 392), which runs the
# Edge of Care service the linked returns feed.
DEFAULT_LA = "392"


def make_console() -> Console:
    return Console(highlight=False, soft_wrap=False)


def fail(message: str) -> NoReturn:
    """One line on stderr, then exit status 1. The message may quote the input: it is cut to
    one printable line and shown as text, never as Rich markup."""
    Console(stderr=True, highlight=False).print(
        f"[red]error:[/red] {escape(one_line(message))}", soft_wrap=True
    )
    raise typer.Exit(1)


def note(out: Console, text: str) -> None:
    """A reader's note, as one line of text (it may quote the input: never Rich markup)."""
    out.print(f"[yellow]note:[/yellow] {escape(one_line(text, 1000))}", soft_wrap=True)


@contextmanager
def plainly() -> Iterator[None]:
    """Turn the library's expected errors into one line and exit status 1."""
    try:
        yield
    except InputError as exc:
        fail(str(exc))
    except (ValueError, KeyError, OSError) as exc:
        text = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        fail(str(text))
    except Exception as exc:
        # Whatever the input, the command answers in one line; a fault of ours says so, and
        # ALLIANCE_DEBUG=1 shows the traceback.
        if os.environ.get("ALLIANCE_DEBUG"):
            raise
        fail(
            f"the command stopped on an unexpected error ({type(exc).__name__}: {exc}); this is "
            "a fault in Alliance, not in your file: please report it (ALLIANCE_DEBUG=1 shows "
            "the details)"
        )


def progress_bar(out: Console, total: int, label: str) -> tuple[Callable[[str], None], object]:
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=out,
        transient=True,
        disable=not out.is_terminal,
    )
    task = progress.add_task(label, total=total)

    def advance(_: str) -> None:
        progress.advance(task)

    return advance, progress


def check_report_path(report: Path | None) -> None:
    if report is not None and report.suffix.lower() not in REPORT_EXTENSIONS:
        raise ValueError(f"--report must end in {', '.join(REPORT_EXTENSIONS)}")


def check_and_report(
    out: Console, kind: str, return_: Return, year: int, threads: int, report: Path | None
) -> Findings:
    """Run the year's rules on a return, print the summary and write the report if asked."""
    registry = Registry.load(kind)
    advance, progress = progress_bar(out, len(registry.applicable(year)), "Checking")
    with progress:  # type: ignore[attr-defined]
        findings = run(registry, return_, year=year, threads=threads, on_rule=advance)
    print_summary(findings, out)
    if report is not None:
        findings.write(str(report))
        out.print(f"Report written to {report}")
    return findings


def print_rules(kind: str, year: int | None) -> None:
    """Each listed DfE rule as `CODE implemented|missing MESSAGE`, then the count."""
    registry = Registry.load(kind)
    coverage = registry.coverage(year)
    stdout = sys.stdout
    for item in coverage:
        state = "implemented" if item.implemented else "missing"
        stdout.write(f"{item.code} {state} {item.message}\n")
    implemented = sum(item.implemented for item in coverage)
    stdout.write(f"implemented {implemented} / listed {len(coverage)}\n")
    for module, detail in registry.import_errors.items():
        last = detail.strip().splitlines()[-1]
        Console(stderr=True).print(f"[red]could not import[/red] {module}: {last}")


INDICATOR_SUFFIXES = (".csv", ".json")


def show_indicators(out: Console, result: pl.DataFrame, *, whole_counts_only: bool) -> None:
    """The indicators as a table: a value with no fraction is shown whole (for counts only, when
    `whole_counts_only`), the others to one decimal place, with their denominators."""
    table = Table()
    table.add_column("Indicator")
    table.add_column("Value", justify="right")
    table.add_column("Of", justify="right")
    for row in result.iter_rows(named=True):
        value = row["value"]
        whole = value is not None and float(value).is_integer()
        if whole_counts_only:
            whole = whole and row["unit"] == "count"
        if value is None:
            shown = ""
        elif whole:
            shown = f"{int(value):,}"
        else:
            shown = f"{value:,.1f}"
        of = "" if row["denominator"] is None else f"{row['denominator']:,}"
        table.add_row(row["indicator"], shown, of)
    out.print(table)


def write_indicators(out: Console, path: Path, result: pl.DataFrame) -> None:
    """Write the indicators to a .csv or .json file (whole or not at all), and say so."""
    suffix = path.suffix.lower()
    if suffix not in INDICATOR_SUFFIXES:
        raise ValueError("--out must end in .csv or .json")
    if suffix == ".csv":
        atomic_write(path, lambda p: write_frame_csv(result, p))
    else:
        atomic_write(path, result.write_json)
    out.print(f"Written to {path}")
