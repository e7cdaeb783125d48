"""The published-figures forecast and its backtest, computed once and stored with the day they
were computed, for the service's pages (no Django here).

Reading the published figures and running the backtest takes about a second, far over the 200 ms
a page may take, so the service computes this when it loads the reference data and its pages read
the stored result. With it, when the spending panel is given, the forecast of each council's
spending on children looked after (`forecast.spending`) and its own backtest. `build` computes it from a panel; `save` writes it as JSON; `load` reads it
back (None when the file is missing or from an older version of this module). The file holds
published figures about councils: nothing about a child.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from forecast import backtest, spending
from forecast.model import Panel, forecast

VERSION = 3
HORIZON = 3
BACKTEST_ORIGINS = (2019, 2020, 2021, 2022)
INTERVAL_COLUMNS = ("forecast", "lower80", "upper80", "lower95", "upper95")


@dataclasses.dataclass(frozen=True)
class Spending:
    """The spending forecast (£, financial years ending 31 March) in the same shapes as the
    children's: history from `first_year`, rows a year ahead, and the backtest of its methods."""

    origin: int
    first_year: int
    history: dict[str, list[float | None]]
    forecasts: dict[str, list[dict[str, float]]]
    method: str  # the method forecast with, as named in the backtest
    backtest: list[dict[str, Any]]

    def years(self) -> list[int]:
        return list(
            range(self.first_year, self.first_year + len(next(iter(self.history.values()))))
        )

    def accuracy(self) -> list[dict[str, Any]]:
        """The forecast's own backtest rows (one a horizon) with naive persistence's error
        beside each (`naive_mape`, None when not run)."""
        naive = {
            r["horizon"]: r["mape"] for r in self.backtest if r["method"] == "naive persistence"
        }
        return [
            {**r, "naive_mape": naive.get(r["horizon"])}
            for r in self.backtest
            if r["method"] == self.method
        ]


@dataclasses.dataclass(frozen=True)
class Figures:
    computed_on: dt.date
    origin: int  # the last 31 March the published figures reach
    first_year: int  # the first year of the history
    # la_number -> children looked after at 31 March of each year from `first_year` (None: not
    # published)
    history: dict[str, list[float | None]]
    # la_number -> one row a year ahead: year, forecast, lower80, upper80, lower95, upper95
    forecasts: dict[str, list[dict[str, float]]]
    backtest_origins: tuple[int, ...]
    # one row per method and horizon: method, horizon, forecasts, mape, coverage80, coverage95
    backtest: list[dict[str, Any]]
    spending: Spending | None = None

    def years(self) -> list[int]:
        return list(
            range(self.first_year, self.first_year + len(next(iter(self.history.values()))))
        )

    def improvement(self, horizon: int) -> float | None:
        """How much lower the model's error is than naive persistence's at `horizon`, in per cent
        of persistence's (positive: the model is better)."""
        rows = {(r["method"], r["horizon"]): r["mape"] for r in self.backtest}
        naive, model = rows.get(("naive persistence", horizon)), rows.get(("model", horizon))
        if naive is None or model is None or naive == 0:
            return None
        return 100 * (naive - model) / naive


def _history(panel: Panel, first_year: int) -> dict[str, list[float | None]]:
    start = [int(y) for y in panel.years].index(first_year)
    return {
        code: [None if np.isnan(v) else round(math.exp(v), 1) for v in panel.log_count[row][start:]]
        for row, code in enumerate(panel.codes)
    }


def _by_council(table: pl.DataFrame) -> dict[str, list[dict[str, float]]]:
    forecasts: dict[str, list[dict[str, float]]] = {}
    for row in table.iter_rows(named=True):
        forecasts.setdefault(row["la_number"], []).append(
            {"year": int(row["year"]), **{c: float(row[c]) for c in INTERVAL_COLUMNS}}
        )
    return forecasts


def build_spending(
    panel: Panel, *, horizon: int = HORIZON, origins: tuple[int, ...] = BACKTEST_ORIGINS
) -> Spending:
    """The spending forecast from the spending panel's latest year, its history from the first
    year published and the backtest of `spending.METHODS` over `origins`."""
    origin = panel.last_year
    usable = [o for o in origins if spending.FIRST_YEAR < o < origin]
    scores = (
        backtest.run(panel, usable, horizon, spending.METHODS, spending.forecast)
        if usable
        else None
    )
    return Spending(
        origin=origin,
        first_year=spending.FIRST_YEAR,
        history=_history(panel, spending.FIRST_YEAR),
        forecasts=_by_council(spending.forecast(panel, origin, horizon)),
        method=next(name for name, m in spending.METHODS.items() if m is spending.BEST),
        backtest=[] if scores is None else scores.to_dicts(),
    )


def build(
    panel: Panel,
    *,
    today: dt.date | None = None,
    horizon: int = HORIZON,
    origins: tuple[int, ...] = BACKTEST_ORIGINS,
    spending_panel: Panel | None = None,
) -> Figures:
    """The forecast from the latest published year for every council, each council's history
    and the backtest over `origins` (those whose outcome is published); the same for spending
    when `spending_panel` is given."""
    origin = panel.last_year
    usable = tuple(o for o in origins if int(panel.years[0]) < o < origin)
    scores = backtest.run(panel, list(usable), horizon) if usable else None
    return Figures(
        computed_on=today or dt.date.today(),
        origin=origin,
        first_year=int(panel.years[0]),
        history=_history(panel, int(panel.years[0])),
        forecasts=_by_council(forecast(panel, origin, horizon)),
        backtest_origins=usable,
        backtest=[] if scores is None else scores.to_dicts(),
        spending=None
        if spending_panel is None
        else build_spending(spending_panel, horizon=horizon, origins=origins),
    )


def save(figures: Figures, path: Path) -> None:
    """Write the figures as JSON, replacing any earlier file in one step (a page reading it at
    the same moment sees the old file or the new, never half of one)."""
    document = {
        "version": VERSION,
        "computed_on": figures.computed_on.isoformat(),
        "origin": figures.origin,
        "first_year": figures.first_year,
        "history": figures.history,
        "forecasts": figures.forecasts,
        "backtest_origins": list(figures.backtest_origins),
        "backtest": figures.backtest,
        "spending": None if figures.spending is None else dataclasses.asdict(figures.spending),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.{os.getpid()}.part")
    partial.write_text(json.dumps(document))
    partial.replace(path)


def load(path: Path) -> Figures | None:
    """The stored figures, or None when there are none (or only from an older version)."""
    try:
        document = json.loads(path.read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return None
    if document.get("version") != VERSION:
        return None
    return Figures(
        computed_on=dt.date.fromisoformat(document["computed_on"]),
        origin=int(document["origin"]),
        first_year=int(document["first_year"]),
        history=document["history"],
        forecasts=document["forecasts"],
        backtest_origins=tuple(document["backtest_origins"]),
        backtest=document["backtest"],
        spending=None if document["spending"] is None else Spending(**document["spending"]),
    )
