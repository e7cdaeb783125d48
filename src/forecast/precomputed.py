"""The published-figures forecast and its backtest, computed once and stored with the day they
were computed, for the service's pages (no Django here).

Reading the published figures and running the backtest takes about a second, far over the 200 ms
a page may take, so the service computes this when it loads the reference data and its pages read
the stored result. `build` computes it from a panel; `save` writes it as JSON; `load` reads it
back (None when the file is missing or from an older version of this module). The file holds
published figures about councils: nothing about a child.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from forecast import backtest
from forecast.model import Panel, forecast

VERSION = 2
HORIZON = 3
BACKTEST_ORIGINS = (2019, 2020, 2021, 2022)
INTERVAL_COLUMNS = ("forecast", "lower80", "upper80", "lower95", "upper95")


@dataclass(frozen=True)
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


def build(
    panel: Panel,
    *,
    today: dt.date | None = None,
    horizon: int = HORIZON,
    origins: tuple[int, ...] = BACKTEST_ORIGINS,
) -> Figures:
    """The forecast from the latest published year for every council, each council's history
    and the backtest over `origins` (those whose outcome is published)."""
    origin = panel.last_year
    history = {
        code: [None if np.isnan(v) else round(math.exp(v), 1) for v in panel.log_count[row]]
        for row, code in enumerate(panel.codes)
    }
    table = forecast(panel, origin, horizon)
    forecasts: dict[str, list[dict[str, float]]] = {}
    for row in table.iter_rows(named=True):
        forecasts.setdefault(row["la_number"], []).append(
            {"year": int(row["year"]), **{c: float(row[c]) for c in INTERVAL_COLUMNS}}
        )
    usable = tuple(o for o in origins if int(panel.years[0]) < o < origin)
    scores = backtest.run(panel, list(usable), horizon) if usable else None
    return Figures(
        computed_on=today or dt.date.today(),
        origin=origin,
        first_year=int(panel.years[0]),
        history=history,
        forecasts=forecasts,
        backtest_origins=usable,
        backtest=[] if scores is None else scores.to_dicts(),
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
    )
