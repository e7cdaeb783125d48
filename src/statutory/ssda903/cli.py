"""`alliance 903 …`: the SSDA903 commands.

Exit status 0 when the command ran (whatever validation found); 1 with a one-line message on
stderr when it could not (bad input, unknown year, unwritable report); 2 for usage errors.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from statutory.engine.commands import (
    DEFAULT_LA,
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
from statutory.reference import council

app = typer.Typer(
    help="SSDA903 (children looked after and care leavers).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

YearOption = Annotated[
    int, typer.Option("--year", help="The year the collection ends (2025 = 2024/25).")
]


def _ons_code(code: str | None) -> str | None:
    """`--la` as the council's ONS code (given as DfE 3-digit or ONS)."""
    return council(code).ons_code if code else None


def _number(value: float | int | None) -> str:
    if value is None:
        return ""
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.1f}"


@app.command()
def validate(
    path: Annotated[Path, typer.Argument(help="A folder of CSVs, a .zip of them, or an XML file.")],
    year: YearOption,
    previous: Annotated[
        Path | None, typer.Option("--previous", help="Last year's return (folder, zip or XML).")
    ] = None,
    report: Annotated[
        Path | None, typer.Option("--report", help="Write findings to .csv, .json or .xlsx.")
    ] = None,
    threads: Annotated[
        int, typer.Option(help="Run checks on this many threads (2 measured fastest here).")
    ] = 2,
    la: Annotated[
        str | None,
        typer.Option("--la", help="The council's code (else rules infer it from home postcodes)."),
    ] = None,
    providers: Annotated[
        list[Path] | None,
        typer.Option(
            "--providers",
            help="Ofsted's provider list (CSV or .xlsx; give it again for a second list), for "
            "the URN rules 219, 221, 224, 227, 228, 229 and 1008 (without it they do not run).",
        ),
    ] = None,
) -> None:
    """Validate a return with the DfE rules for the year; print a summary, optionally a report."""
    from statutory.ssda903.providers import NOT_RUN  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`
    from statutory.ssda903.reader import read_return  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`

    console = make_console()
    with plainly():
        check_report_path(report)
        return_ = read_return(path, year, previous=previous, providers=providers or None)
        return_.la_code = _ons_code(la)
        for note in return_.notes + (return_.previous.notes if return_.previous else []):
            print_note(console, note)
        findings = check_and_report(console, "903", return_, year, threads, report)
        if NOT_RUN in findings.not_run.values():
            console.print(
                "Give Ofsted's provider lists with --providers FILE to run those rules.",
                soft_wrap=True,
            )


@app.command()
def rules(
    year: Annotated[
        int | None, typer.Option("--year", help="Only the rules listed for this year.")
    ] = None,
) -> None:
    """Each listed DfE rule, implemented or missing; the last line counts them."""
    with plainly():
        print_rules("903", year)


@app.command()
def indicators(
    path: Annotated[Path, typer.Argument(help="A folder of CSVs, a .zip of them, or an XML file.")],
    year: YearOption,
    la: Annotated[
        str | None,
        typer.Option("--la", help="The council's DfE 3-digit code or ONS code (for rates)."),
    ] = None,
    previous: Annotated[Path | None, typer.Option("--previous")] = None,
    out: Annotated[
        Path | None, typer.Option("--out", help="Write the indicators to .csv or .json.")
    ] = None,
) -> None:
    """The DfE indicators computed from the records (see docs/statutory/ssda903-indicators.md)."""
    from statutory.ssda903.indicators import compute  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`
    from statutory.ssda903.reader import read_return  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`

    console = make_console()
    with plainly():
        return_ = read_return(path, year, previous=previous)
        return_.la_code = _ons_code(la)
        result = compute(return_, la=la)
        show_indicators(console, result, whole_counts_only=False)
        if out is not None:
            write_indicators(console, out, result)


@app.command()
def pseudonymise(
    path: Annotated[Path, typer.Argument(help="A folder of CSVs, a .zip of them, or an XML file.")],
    out: Annotated[Path, typer.Option("--out", help="Folder to write the pseudonymised CSVs to.")],
    key_file: Annotated[
        Path | None,
        typer.Option("--key-file", help="The council's key (else $ALLIANCE_PSEUDONYMISE_KEY)."),
    ] = None,
    year: Annotated[
        int, typer.Option("--year", help="Collection year (to recognise tables).")
    ] = 2025,
) -> None:
    """Child ids -> keyed hash, dates of birth -> first of the month, postcodes -> sector."""
    from statutory.ssda903.pseudonymise import load_key, pseudonymise_path  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`

    console = make_console()
    with plainly():
        key = load_key(key_file, os.environ.get("ALLIANCE_PSEUDONYMISE_KEY"))
        written = pseudonymise_path(path, out, key, year=year)
        console.print(f"Pseudonymised {len(written)} tables into {out}")


@app.command()
def generate(
    children: Annotated[int, typer.Option("--children", help="How many children.", min=1)],
    out: Annotated[Path, typer.Option("--out", help="Writes OUT/current and OUT/previous.")],
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="The collection year (2026 = 2025/26). Default: the latest finished year the "
            "rules cover, one the service accepts.",
        ),
    ] = None,
    la: Annotated[
        str,
        typer.Option("--la", help="The council's DfE 3-digit or ONS code (392: North Tyneside)."),
    ] = DEFAULT_LA,
    seed: Annotated[int, typer.Option("--seed")] = 0,
    error_rate: Annotated[
        float, typer.Option("--error-rate", help="Share of rows with a planted mistake.")
    ] = 0.01,
    planted: Annotated[
        Path | None,
        typer.Option(
            "--planted",
            help="Also write the list of planted mistakes to this CSV (outside OUT/current).",
        ),
    ] = None,
    years: Annotated[
        int | None,
        typer.Option(
            "--years",
            help="Write N consecutive years ending with --year, one council's consistent history "
            "(OUT/<year>/: Header and Episodes only, no mistakes; N children looked after at the "
            "end), for the demand forecast.",
            min=1,
            max=20,
        ),
    ] = None,
) -> None:
    """Write a realistic synthetic return (this year and last) for N children. For returns
    linked to a CIN census about the same children, see `alliance generate linked-pair`; for
    several years of one council, --years."""
    from statutory.ssda903.generator import generate_to  # noqa: PLC0415  10-90 ms each, about 0.2 s in all, off `alliance --help`
    from statutory.ssda903.schemas import supported_years  # noqa: PLC0415  off `alliance --help`

    console = make_console()
    with plainly():
        year = year if year is not None else finished_collection_year(supported_years())
        where = council(la)
        if years is not None:
            from statutory.ssda903.generator.multi_year import generate_years  # noqa: PLC0415  off `alliance --help`

            with console.status("Generating…"):
                folders = generate_years(
                    out, children, year, years, seed=seed,
                    home_district=where.ons_code, la_number=int(where.dfe_code),
                )  # fmt: skip
            console.print(f"Wrote {len(folders)} years: {', '.join(str(f) for f in folders)}")
            return
        with console.status("Generating…"):
            current, previous = generate_to(
                out,
                children,
                year,
                seed=seed,
                error_rate=error_rate,
                planted=planted,
                home_district=where.ons_code,
                la_number=int(where.dfe_code),
            )
        console.print(f"Wrote {current} and {previous}")
        if planted is not None:
            console.print(f"Wrote the planted mistakes to {planted}")
