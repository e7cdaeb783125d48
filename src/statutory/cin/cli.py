"""`alliance cin …`: the CIN census commands.

Exit status 0 when the command ran (whatever validation found); 1 with a one-line message on
stderr when it could not (bad input, unknown year, unwritable report); 2 for usage errors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from statutory.engine.commands import (
    DEFAULT_LA,
    INDICATOR_SUFFIXES,
    check_and_report,
    check_report_path,
    finished_collection_year,
    make_console,
    plainly,
    print_rules,
    show_indicators,
    write_indicators,
)
from statutory.engine.commands import (
    note as print_note,
)

if TYPE_CHECKING:
    from statutory.engine import Return

app = typer.Typer(
    help="CIN census (children in need, child protection).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

PathArgument = Annotated[
    Path, typer.Argument(help="A CIN census XML file, or a folder / .zip of the tables as CSV.")
]
YearOption = Annotated[
    int | None,
    typer.Option(
        "--year",
        help="The year the census ends (2025 = 2024/25); default: the one the header names.",
    ),
]
WorkersOption = Annotated[
    int,
    typer.Option(
        "--workers",
        help="Read a large census that is not plain in this many processes (a plain census is already read on two threads).",
        min=1,
        max=8,
    ),
]
MaxSizeOption = Annotated[
    int | None,
    typer.Option(
        "--max-size",
        help="Refuse files larger than this many MB (default: ALLIANCE_MAX_RETURN_MB, else 256).",
        min=1,
    ),
]
CacheOption = Annotated[
    Path | None,
    typer.Option(
        "--cache",
        help="Keep the parsed tables as Parquet in this folder, so a rerun skips the XML parse.",
    ),
]


def _year(path: Path, year: int | None) -> int:
    if year is not None:
        return year
    from statutory.cin.reader import detect_year  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`

    found = detect_year(path) if path.is_file() else None
    if found is None:
        raise ValueError("give --year: the file's header does not name the census year")
    return found


def _read(
    path: Path, year: int, cache: Path | None = None, max_mb: int | None = None, workers: int = 1
) -> Return:
    from statutory.cin.reader import read_cached, read_return  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`

    limit = max_mb * 1024**2 if max_mb else None
    if cache is not None:
        return read_cached(path, year, cache, max_bytes=limit, workers=workers)
    return read_return(path, year, max_bytes=limit, workers=workers)


@app.command()
def validate(
    path: PathArgument,
    year: YearOption = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write findings to .csv, .json or .xlsx.")
    ] = None,
    threads: Annotated[int, typer.Option(help="Run checks on this many threads.")] = 2,
    cache: CacheOption = None,
    max_size: MaxSizeOption = None,
    workers: WorkersOption = 1,
) -> None:
    """Validate a census with the DfE rules for the year; print a summary, optionally a report."""

    console = make_console()
    with plainly():
        check_report_path(report)
        year = _year(path, year)
        with console.status("Reading…"):
            return_ = _read(path, year, cache, max_size, workers)
        for note in return_.notes:
            print_note(console, note)
        check_and_report(console, "cin", return_, year, threads, report)


@app.command()
def rules(
    year: Annotated[
        int | None, typer.Option("--year", help="Only the rules listed for this year.")
    ] = None,
) -> None:
    """Each listed DfE rule, implemented or missing; the last line counts them."""
    with plainly():
        print_rules("cin", year)


@app.command()
def indicators(
    path: PathArgument,
    year: YearOption = None,
    la: Annotated[
        str | None,
        typer.Option("--la", help="DfE 3-digit or ONS code for rates (default: header LEA)."),
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the indicators to .csv or .json.")
    ] = None,
    cache: CacheOption = None,
    max_size: MaxSizeOption = None,
    workers: WorkersOption = 1,
) -> None:
    """The DfE indicators computed from the records (see docs/statutory/cin-indicators.md)."""
    from statutory.cin.indicators import compute  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`

    console = make_console()
    with plainly():
        if out is not None and out.suffix.lower() not in INDICATOR_SUFFIXES:
            raise ValueError("--out must end in .csv or .json")
        year = _year(path, year)
        result = compute(_read(path, year, cache, max_size, workers), la=la)
        show_indicators(console, result, whole_counts_only=True)
        if out is not None:
            write_indicators(console, out, result)


@app.command()
def pseudonymise(
    path: PathArgument,
    out: Annotated[
        Path, typer.Option("--out", help="The pseudonymised XML file (or CSV folder for CSVs).")
    ],
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="The council's key (else $ALLIANCE_PSEUDONYMISE_KEY)."),
    ] = None,
) -> None:
    """Child ids and UPNs -> keyed pseudonyms, dates of birth -> first of the month."""
    from statutory.cin.pseudonymise import load_key, pseudonymise_path  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`

    console = make_console()
    with plainly():
        key = load_key(key_file, os.environ.get("ALLIANCE_PSEUDONYMISE_KEY"))
        written = pseudonymise_path(path, out, key)
        console.print(f"Pseudonymised into {', '.join(str(p) for p in written[:3])}")


@app.command()
def generate(
    children: Annotated[int, typer.Option("--children", help="How many children.", min=1)],
    out: Annotated[Path, typer.Option("--out", help="The XML file to write.")],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="The census year (2026 = 2025/26). Default: the latest finished year the rules "
            "cover, one the service accepts.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    error_rate: Annotated[
        float, typer.Option("--error-rate", help="Share of children with a planted mistake.")
    ] = 0.01,
    la: Annotated[
        str,
        typer.Option("--la", help="DfE 3-digit code in the header and UPNs (392: North Tyneside)."),
    ] = DEFAULT_LA,
) -> None:
    """Write a realistic synthetic CIN census XML for N children. For a census linked to
    SSDA903 returns about the same children, see `alliance generate linked-pair`."""
    from statutory.cin.generator import generate as write  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`
    from statutory.cin.schema import years  # noqa: PLC0415  off `alliance --help`

    console = make_console()
    with plainly():
        year = year if year is not None else finished_collection_year(years())
        with console.status("Generating…"):
            path = write(out, children, year=year, seed=seed, error_rate=error_rate, la=la)
        console.print(f"Wrote {path}")
