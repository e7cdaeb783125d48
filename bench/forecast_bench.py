"""Forecast benchmark: every council's forecast from the published figures, and the backtest.

    .venv/bin/python bench/forecast_bench.py [--repeat 5] [--out bench/results/forecast.md]
        [--note "..."]

Measured, each `--repeat` times, the median kept (the machine may be shared; the load average is
recorded):

- `published, cold`: a fresh process running `alliance forecast published --up-to 2025
  --horizon 3 --out FILE` -- Python start, imports, reading the published files, the forecast
  for every council with its intervals, writing the CSV (the issue's goal: under 10 s);
- `backtest, cold`: a fresh process running `alliance forecast backtest --origins 2019-2022`;
- `spending, cold`: the same as `published, cold` with `--measure spending`;
- `read the figures`, `forecast every council`, `backtest 2019-2022`: the same steps inside one
  process, after the imports.

The backtest tables (children, then spending) are written below the timings. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = str(Path(sys.executable).with_name("alliance"))


def median_seconds(step: Callable[[], Any], repeat: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times


def command(*args: str) -> Callable[[], None]:
    env = {**os.environ, "POLARS_MAX_THREADS": "2"}

    def run() -> None:
        subprocess.run([ALLIANCE, *args], check=True, capture_output=True, cwd=ROOT, env=env)

    return run


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results" / "forecast.md"))
    parser.add_argument("--note", default="", help="a line about the machine, for the results")
    args = parser.parse_args()

    from forecast import backtest, spending
    from forecast.model import forecast, load_panel

    out_csv = Path(tempfile.gettempdir()) / "alliance-forecast-bench.csv"
    loads = [os.getloadavg()[0]]
    rows: list[tuple[str, float, list[float]]] = []
    cold = command(
        "forecast", "published", "--up-to", "2025", "--horizon", "3", "--out", str(out_csv)
    )
    rows.append(
        (
            "published, cold: `alliance forecast published --up-to 2025 --horizon 3`",
            *median_seconds(cold, args.repeat),
        )
    )
    loads.append(os.getloadavg()[0])
    cold_backtest = command("forecast", "backtest", "--origins", "2019-2022")
    rows.append(
        (
            "backtest, cold: `alliance forecast backtest --origins 2019-2022`",
            *median_seconds(cold_backtest, args.repeat),
        )
    )
    loads.append(os.getloadavg()[0])
    cold_spending = command(
        "forecast", "published", "--measure", "spending", "--up-to", "2025", "--horizon", "3",
        "--out", str(out_csv),
    )  # fmt: skip
    rows.append(
        (
            "spending, cold: `alliance forecast published --measure spending --up-to 2025`",
            *median_seconds(cold_spending, args.repeat),
        )
    )
    rows.append(
        (
            "start and imports only: `alliance --help`",
            *median_seconds(command("--help"), args.repeat),
        )
    )
    rows.append(("read the figures (in process)", *median_seconds(load_panel, args.repeat)))
    panel = load_panel()
    rows.append(
        (
            "forecast every council, 3 years, with intervals (in process)",
            *median_seconds(lambda: forecast(panel, 2025, 3), args.repeat),
        )
    )
    rows.append(
        (
            "backtest 2019-2022, three methods (in process)",
            *median_seconds(lambda: backtest.run(panel, [2019, 2020, 2021, 2022]), args.repeat),
        )
    )
    loads.append(os.getloadavg()[0])
    councils = forecast(panel, 2025, 3)["la_number"].n_unique()
    table = backtest.markdown(backtest.run(panel, [2019, 2020, 2021, 2022]))
    tuning = backtest.markdown(backtest.run(panel, [2016, 2017, 2018]))
    money = spending.load_spending_panel(panel)
    spent = backtest.markdown(
        backtest.run(money, [2019, 2020, 2021, 2022], 3, spending.METHODS, spending.forecast)
    )
    write(Path(args.out), rows, loads, councils, table, tuning, spent, args.note, args.repeat)
    for name, seconds, _ in rows:
        print(f"{seconds:7.2f} s  {name}")


def write(
    path: Path,
    rows: list[tuple[str, float, list[float]]],
    loads: list[float],
    councils: int,
    table: str,
    tuning: str,
    spent: str,
    note: str,
    repeat: int,
) -> None:
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Forecast benchmark",
        "",
        f"`bench/forecast_bench.py`, {when}, Python {platform.python_version()}, "
        f"{os.cpu_count()} cores, POLARS_MAX_THREADS=2. Median of {repeat} runs; load average "
        f"during the run {min(loads):.1f}-{max(loads):.1f}. {note}".rstrip(),
        "",
        "Reproduce: `.venv/bin/python bench/forecast_bench.py --repeat 5`",
        "",
        "| step | median (s) | all runs (s) |",
        "|---|---:|---|",
        *(
            f"| {name} | **{seconds:.2f}** | {', '.join(f'{t:.2f}' for t in times)} |"
            for name, seconds, times in rows
        ),
        "",
        f"The forecast covers {councils} councils (every council with a published figure at "
        "31 March 2025). A cold run includes starting Python and importing Polars and NumPy.",
        "",
        "## Backtest, rolling origins 2019-2022",
        "",
        "Reproduce: `.venv/bin/alliance forecast backtest --origins 2019-2022`",
        "",
        table,
        "",
        "## Spending on children looked after: backtest, rolling origins 2019-2022",
        "",
        "Reproduce: `.venv/bin/alliance forecast backtest --measure spending --origins "
        "2019-2022`. Gross spending on children looked after (LAIT `TotalLACFinance`, S251 "
        "outturn), financial years ending 31 March 2017-2025; the forecast is the typical "
        "council's rise.",
        "",
        spent,
        "",
        "## Backtest, earlier origins 2016-2018 (used while choosing the model)",
        "",
        "Reproduce: `.venv/bin/alliance forecast backtest --origins 2016-2018`. The model has too "
        "few past outcomes at these origins to learn its two- and three-year weights (the rates "
        "and flows it reads start in 2016), so there it mostly equals persistence.",
        "",
        tuning,
        "",
    ]
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
