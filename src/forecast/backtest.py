"""The backtest: forecast from past years only and compare with what happened.

For every origin year, each method forecasts every council 1-3 years ahead from the figures up to
that year (`Panel.up_to` removes the rest); each forecast is compared with the published figure.
Scored: councils with a figure at the origin and at the target year under the same code, except
City of London and the Isles of Scilly (fewer than 30 children: one child is several per cent).
A council reorganised between origin and target has no figure under its code and is not scored.

Reported per method and horizon: the mean absolute percentage error (|forecast - actual| /
actual), and the share of outcomes inside the 80% and 95% intervals.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import polars as pl

from forecast.model import METHODS, NOT_SCORED, Method, Panel, forecast

Forecaster = Callable[[Panel, int, int, Method], pl.DataFrame]


def parse_origins(text: str) -> list[int]:
    """`2019-2022` -> [2019, 2020, 2021, 2022]; `2019,2021` -> [2019, 2021]."""
    years: list[int] = []
    try:
        for part in text.split(","):
            if "-" in part:
                first, last = (int(x) for x in part.split("-", 1))
                if last < first:
                    raise ValueError
                years.extend(range(first, last + 1))
            else:
                years.append(int(part))
    except ValueError:
        raise ValueError(f"origins must look like 2019-2022 or 2019,2020, not {text!r}") from None
    return sorted(set(years))


def outcomes(
    panel: Panel,
    origins: list[int],
    horizon: int = 3,
    methods: Mapping[str, Method] = METHODS,
    forecaster: Forecaster = forecast,
) -> pl.DataFrame:
    """One row per method, origin, council and horizon with a known outcome: the forecast, its
    intervals and the published figure (`panel.log_count`: children, or spending)."""
    actual = pl.DataFrame(
        [
            (code, int(year), float(np.exp(value)))
            for row, code in enumerate(panel.codes)
            for year, value in zip(panel.years, panel.log_count[row], strict=True)
            if not np.isnan(value)
        ],
        schema=["la_number", "year", "actual"],
        orient="row",
    )
    frames = []
    for origin in origins:
        for name, method in methods.items():
            predicted = forecaster(panel, origin, horizon, method)
            frames.append(
                predicted.with_columns(method=pl.lit(name), origin=pl.lit(origin)).join(
                    actual, on=["la_number", "year"], how="inner"
                )
            )
    return pl.concat(frames).filter(~pl.col("la_number").is_in(NOT_SCORED))


def table(rows: pl.DataFrame, methods: Mapping[str, Method] = METHODS) -> pl.DataFrame:
    """Error by method and horizon: councils scored, MAPE (%), 80% and 95% coverage (%)."""
    order = {name: rank for rank, name in enumerate(methods)}
    return (
        rows.group_by("method", "horizon")
        .agg(
            forecasts=pl.len(),
            mape=(100 * ((pl.col("forecast") - pl.col("actual")).abs() / pl.col("actual")).mean()),
            coverage80=100
            * ((pl.col("actual") >= pl.col("lower80")) & (pl.col("actual") <= pl.col("upper80")))
            .cast(pl.Float64)
            .mean(),
            coverage95=100
            * ((pl.col("actual") >= pl.col("lower95")) & (pl.col("actual") <= pl.col("upper95")))
            .cast(pl.Float64)
            .mean(),
        )
        .with_columns(rank=pl.col("method").replace_strict(order, return_dtype=pl.Int64))
        .sort("rank", "horizon")
        .drop("rank")
        .with_columns(pl.col("mape", "coverage80", "coverage95").round(2))
    )


def run(
    panel: Panel,
    origins: list[int],
    horizon: int = 3,
    methods: Mapping[str, Method] = METHODS,
    forecaster: Forecaster = forecast,
) -> pl.DataFrame:
    """The backtest table for these origins."""
    last = panel.last_year
    for origin in origins:
        if origin <= int(panel.years[0]) or origin >= last:
            raise ValueError(
                f"origin {origin} must be after {panel.years[0]} and before {last}, "
                "so that some outcome is known"
            )
    return table(outcomes(panel, origins, horizon, methods, forecaster), methods)


def markdown(result: pl.DataFrame) -> str:
    """The table as Markdown, for the terminal and the docs."""
    lines = [
        "| method | years ahead | forecasts | MAPE % | in 80% interval % | in 95% interval % |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for row in result.iter_rows(named=True):
        lines.append(
            f"| {row['method']} | {row['horizon']} | {row['forecasts']} | {row['mape']:.2f} | "
            f"{row['coverage80']:.1f} | {row['coverage95']:.1f} |"
        )
    return "\n".join(lines)
