"""`alliance insight …`: improvement across the country, from Ofsted's published judgements.

Exit status 0 when the file was written; 1 with a one-line message on stderr when it could not
be (a published file missing or not in the expected shape, an output folder that does not exist
or cannot be written); 2 for usage errors. Heavy modules are imported inside the commands so
that `alliance --help` stays quick.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from insight.improvement import Estimate
    from insight.judgements import History

app = typer.Typer(
    help="Improvement across the country, from Ofsted's published judgements (no database).",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

OutOption = Annotated[Path, typer.Option("--out", help="The CSV file to write.")]
DataOption = Annotated[
    Path | None,
    typer.Option(
        "--data-dir",
        help="The shared data folder (default: ALLIANCE_SHARED_DATA, else ../shared/data).",
    ),
]

IMPROVEMENT_COLUMNS = (
    "start_judgement",
    "framework",
    "years",
    "share_good_or_better",
    "lower95",
    "upper95",
    "at_risk",
)
TRANSITION_COLUMNS = (
    "from_framework",
    "to_framework",
    "change",
    "from_judgement",
    "to_judgement",
    "count",
    "share",
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(1)


def _check_out(out: Path) -> None:
    if out.is_dir():
        raise _fail(f"{out} is a folder: give a file name for --out")
    if not out.parent.is_dir():
        raise _fail(f"folder {out.parent} does not exist")


def _history(data_dir: Path | None) -> History:
    from insight.judgements import InsightDataError, load_history  # noqa: PLC0415  Polars stays off `alliance --help`

    try:
        return load_history(data_dir)
    except InsightDataError as exc:
        raise _fail(str(exc)) from None


def _write(out: Path, columns: Sequence[str], rows: Iterable[Sequence[object]]) -> int:
    written = 0
    try:
        with out.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(columns)
            for row in rows:
                writer.writerow(row)
                written += 1
    except OSError as exc:
        raise _fail(f"could not write {out}: {exc.strerror or exc}") from None
    return written


def _number(value: float | None, places: int = 4) -> str:
    return "" if value is None else f"{value:.{places}f}"


@app.command()
def improvement(
    out: OutOption,
    by_region: Annotated[
        bool,
        typer.Option(
            "--by-region",
            help="Group by starting judgement and Ofsted region (adds a region column) instead of by framework.",
        ),
    ] = False,
    data_dir: DataOption = None,
) -> None:
    """How long councils judged requires improvement or inadequate take to be judged good or better.

    Kaplan-Meier estimates with pointwise 95% intervals, every quarter year and at each time a
    spell ended in improvement; see docs/insight.md for every choice.
    """
    _check_out(out)
    history = _history(data_dir)
    from insight.improvement import estimates  # noqa: PLC0415  Polars stays off `alliance --help`

    try:
        rows = estimates(history, by_region=by_region)
    except ValueError as exc:  # a history the spells cannot be built from
        raise _fail(str(exc)) from None
    columns = list(IMPROVEMENT_COLUMNS)
    if by_region:
        columns.insert(2, "region")

    def line(e: Estimate) -> list[object]:
        values: list[object] = [e.start_judgement, e.framework]
        if by_region:
            values.append(e.region)
        values += [
            _number(e.years),
            _number(e.share_good_or_better),
            _number(e.lower95),
            _number(e.upper95),
            e.at_risk,
        ]
        return values

    _report(out, _write(out, columns, map(line, rows)), history)


@app.command()
def transitions(out: OutOption, data_dir: DataOption = None) -> None:
    """How councils' overall judgements move from one inspection to the next, with counts."""
    _check_out(out)
    history = _history(data_dir)
    from insight.transitions import transitions as table  # noqa: PLC0415  Polars stays off `alliance --help`

    try:
        found = table(history)
    except ValueError as exc:  # judgements out of order
        raise _fail(str(exc)) from None
    rows = (
        [
            t.from_framework,
            t.to_framework,
            t.change,
            t.from_judgement,
            t.to_judgement,
            t.count,
            _number(t.share),
        ]
        for t in found
    )
    _report(out, _write(out, TRANSITION_COLUMNS, rows), history)


def _report(out: Path, written: int, history: History) -> None:
    typer.echo(
        f"Wrote {written} rows to {out} (judgements published up to {history.latest_publication():%d %B %Y})"
    )


@app.command()
def precompute(
    out: Annotated[Path, typer.Option("--out", help="The JSON file to write.")],
    data_dir: DataOption = None,
) -> None:
    """Compute every figure the Insight pages show and store it, dated, for the pages to read."""
    _check_out(out)
    history = _history(data_dir)
    from insight.associations import read_measures  # noqa: PLC0415  scipy and Polars off `--help`
    from insight.history import InsightDataError  # noqa: PLC0415  with the reading it names
    from insight.precomputed import build, save  # noqa: PLC0415  Polars stays off `alliance --help`

    try:
        # the published measures from the same folder as the judgements
        figures = build(history, measures=read_measures(data_dir))
        save(figures, out)
    except (ValueError, InsightDataError) as exc:  # spells cannot be built; a measure file bad
        raise _fail(str(exc)) from None
    except OSError as exc:
        raise _fail(f"could not write {out}: {exc.strerror or exc}") from None
    typer.echo(
        f"Wrote the Insight figures to {out} (computed {figures.computed_on:%d %B %Y}, "
        f"judgements published up to {figures.data_until:%d %B %Y})"
    )
