"""`alliance forecast …`: forecasts of children looked after, and of spending on them, from the
published figures.

Heavy modules (Polars, NumPy) are imported inside the commands, so `alliance --help` stays quick.
"""

from __future__ import annotations

import os
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    help="Forecast children looked after, and spending on them, for every council from the "
    "published figures; or children looked after for one council from its own returns.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

COLUMNS = ["la_number", "year", "forecast", "lower80", "upper80"]


class Measure(StrEnum):
    """What to forecast: children looked after at 31 March, or spending on them (£, the
    financial year ending 31 March)."""

    children = "children"
    spending = "spending"


MEASURE_HELP = (
    "children: children looked after at 31 March; spending: gross spending on children looked "
    "after in the financial year ending 31 March (£)"
)


def _fail(message: str) -> typer.Exit:
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code=1)


def _check_writable(path: Path) -> None:
    """Fail before any work when `path` cannot be written (without creating it)."""
    if path.is_dir():
        raise _fail(f"cannot write {path}: it is a folder")
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise _fail(f"cannot write {path}: folder {folder} does not exist")
    if not os.access(path if path.exists() else folder, os.W_OK):
        raise _fail(f"cannot write {path}: permission denied")


@app.command()
def published(
    up_to: Annotated[
        int, typer.Option("--up-to", help="the last 31 March year to use (e.g. 2025)")
    ],
    out: Annotated[Path, typer.Option("--out", help="the CSV file to write")],
    horizon: Annotated[int, typer.Option(help="years ahead to forecast (1-5)")] = 3,
    measure: Annotated[Measure, typer.Option(help=MEASURE_HELP)] = Measure.children,
) -> None:
    """Forecast every council's children looked after (or spending on them, with --measure
    spending) for the years after --up-to, from the published figures up to and including that
    year only."""
    from forecast import spending  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast
    from forecast.model import MAX_HORIZON, forecast, load_panel  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast
    from forecast.published import PublishedDataError  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast

    if not 1 <= horizon <= MAX_HORIZON:
        raise _fail(f"--horizon must be between 1 and {MAX_HORIZON}, not {horizon}")
    _check_writable(out)
    try:
        panel = load_panel()
        first = int(panel.years[0])
        if measure is Measure.spending:
            panel, first = spending.load_spending_panel(panel), spending.FIRST_YEAR
        if not first < up_to <= panel.last_year:
            raise _fail(
                f"--up-to must be a year from {first + 1} to {panel.last_year} "
                f"(the published figures run {first}-{panel.last_year}), not {up_to}"
            )
        if measure is Measure.spending:
            table = spending.forecast(panel, up_to, horizon)
        else:
            table = forecast(panel, up_to, horizon)
    except (PublishedDataError, ValueError) as exc:
        raise _fail(str(exc)) from None
    import polars as pl  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast

    from forecast.published import REORGANISATIONS  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast

    former = {code for change in REORGANISATIONS for code in change.before}
    known = panel.up_to(up_to)
    existed = {code for row, code in enumerate(known.codes) if (known.log_count[row] > 0).any()}
    missing = sorted(existed - set(table["la_number"].to_list()) - former)
    figures = ("forecast", "lower80", "upper80")
    if measure is Measure.spending:  # whole pounds
        rounded = [pl.col(c).round(0).cast(pl.Int64) for c in figures]
    else:
        rounded = [pl.col(c).round(1) for c in figures]
    table.select("la_number", "year", *rounded).write_csv(out)
    councils = table["la_number"].n_unique()
    what = (
        "spending in £, financial years ending 31 March" if measure is Measure.spending else "years"
    )
    typer.echo(f"Wrote {out}: {councils} councils, {what} {up_to + 1}-{up_to + horizon}.")
    if missing:
        figure = (
            f"No spending published for the year ending 31 March {up_to}"
            if measure is Measure.spending
            else f"No figure published at 31 March {up_to}"
        )
        typer.echo(
            f"{figure} (so no forecast) for {len(missing)} council code(s): {', '.join(missing)}.",
            err=True,
        )


@app.command()
def backtest(
    origins: Annotated[
        str, typer.Option(help="origin years, e.g. 2019-2022 or 2019,2021")
    ] = "2019-2022",
    horizon: Annotated[int, typer.Option(help="years ahead to check (1-5)")] = 3,
    out: Annotated[
        Path | None, typer.Option("--out", help="also write the table to this CSV file")
    ] = None,
    measure: Annotated[Measure, typer.Option(help=MEASURE_HELP)] = Measure.children,
) -> None:
    """Forecast from each origin year using earlier figures only, compare with what happened, and
    print each method's error (MAPE) and interval coverage by horizon."""
    from forecast import backtest as bt  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast
    from forecast import spending  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast
    from forecast.model import MAX_HORIZON, load_panel  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast
    from forecast.published import PublishedDataError  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast

    if not 1 <= horizon <= MAX_HORIZON:
        raise _fail(f"--horizon must be between 1 and {MAX_HORIZON}, not {horizon}")
    if out is not None:
        _check_writable(out)
    try:
        years = bt.parse_origins(origins)
        if measure is Measure.spending:
            result = bt.run(
                spending.load_spending_panel(), years, horizon, spending.METHODS, spending.forecast
            )
        else:
            result = bt.run(load_panel(), years, horizon)
    except (PublishedDataError, ValueError) as exc:
        raise _fail(str(exc)) from None
    typer.echo(bt.markdown(result))
    if out is not None:
        result.write_csv(out)
        typer.echo(f"Wrote {out}.")


@app.command()
def returns(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="one council's returns, a folder (or zip) a year, at least three years"
        ),
    ],
    out: Annotated[Path, typer.Option("--out", help="the CSV file to write")],
    horizon: Annotated[int, typer.Option(help="years ahead to forecast (1-5)")] = 3,
    la: Annotated[
        str, typer.Option("--la", help="the council's DfE 3-digit code, written in la_number")
    ] = "",
    seed: Annotated[int, typer.Option(help="the random seed: the same seed, the same answer")] = 0,
    by_state: Annotated[
        bool, typer.Option("--by-state", help="also write a row for each kind of placement")
    ] = False,
) -> None:
    """Forecast children looked after at 31 March from a council's own SSDA903 returns (the
    bottom-up model: children moving between kinds of placement), for the years after the last
    return."""
    from forecast.bottom_up import ForecastInputError, fit, load_history, project  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast
    from forecast.bottom_up.simulate import ALL, MAX_HORIZON  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast

    if not 1 <= horizon <= MAX_HORIZON:
        raise _fail(f"--horizon must be between 1 and {MAX_HORIZON}, not {horizon}")
    _check_writable(out)
    try:
        projection = project(fit(load_history(paths)), horizon, seed=seed)
    except ForecastInputError as exc:
        raise _fail(str(exc)) from None
    import polars as pl  # noqa: PLC0415  Polars and NumPy: keeps `alliance --help` fast

    table = projection.totals if by_state else projection.totals.filter(pl.col("state") == ALL)
    columns = [
        pl.lit(la).alias("la_number"),
        "year",
        pl.col("mean").round(1).alias("forecast"),
        pl.col("lower80").round(1),
        pl.col("upper80").round(1),
    ]
    if by_state:
        columns.append("state")
    table.select(columns).write_csv(out)
    typer.echo(f"Wrote {out}: years {projection.years[0]}-{projection.years[-1]}.")
