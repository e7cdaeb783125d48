"""`alliance generate …`: synthetic returns that belong together (the single-return generators
are `alliance cin generate` and `alliance 903 generate`)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from statutory.engine.commands import DEFAULT_LA, finished_collection_year, make_console, plainly

app = typer.Typer(
    help="Synthetic returns that belong together.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)


def linked_year(today: dt.date | None = None) -> int:
    """The latest finished CIN census year whose next SSDA903 year the rules also cover."""
    from statutory.cin.schema import years as cin_years  # noqa: PLC0415  off `alliance --help`
    from statutory.ssda903.schemas import supported_years  # noqa: PLC0415  off `alliance --help`

    ssda903 = set(supported_years())
    usable = [y for y in cin_years() if y in ssda903 and y + 1 in ssda903]
    return finished_collection_year(usable, today)


@app.command("linked-pair")
def linked_pair(
    out: Annotated[Path, typer.Option("--out", help="The folder to write the returns to.")],
    children: Annotated[
        int, typer.Option("--children", help="Children in the CIN census.", min=1)
    ] = 2000,
    looked_after: Annotated[
        int | None,
        typer.Option(
            "--looked-after",
            help="Other children looked after in the SSDA903 returns (default: a fifth of --children).",
            min=1,
        ),
    ] = None,
    year: Annotated[
        int | None,
        typer.Option(
            "--year",
            help="The census year (2026 = 2025/26); the SSDA903 returns are for it and the next. "
            "Default: the latest finished year the rules cover.",
        ),
    ] = None,
    la: Annotated[
        str, typer.Option("--la", help="The council's DfE 3-digit or ONS code.")
    ] = DEFAULT_LA,
    seed: Annotated[int, typer.Option("--seed")] = 1,
    error_rate: Annotated[
        float, typer.Option("--error-rate", help="Share of children with a planted mistake.")
    ] = 0.0,
) -> None:
    """A CIN census and two years of SSDA903 returns about the same children: some children in
    need enter care, with the same id, date of birth and sex in both. OUT/README.txt says what
    to upload as which year."""
    from statutory.linked_pair import generate_linked_pair  # noqa: PLC0415  off `alliance --help`

    console = make_console()
    with plainly():
        with console.status("Generating…"):
            pair = generate_linked_pair(
                out,
                children,
                year if year is not None else linked_year(),
                looked_after=looked_after,
                la=la,
                seed=seed,
                error_rate=error_rate,
            )
        console.print(pair.instructions.read_text(encoding="utf-8"), soft_wrap=True)
