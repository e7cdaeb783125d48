"""The forecast of each council's spending on children looked after, 1-3 years ahead, in £.

The figure forecast is LAIT's `TotalLACFinance`: gross spending on children looked after in the
S251 outturn for the financial year ending 31 March (residential care, fostering, adoption,
special guardianship support, other services for children looked after, short breaks, children
placed with family and friends, their education, leaving care support and services for
asylum-seeking children). Published for 2016-17 to 2024-25 (years 2017-2025 here).

In words: each council's spending in its latest year, raised each year ahead by the typical
council's yearly rise over the last three years (the typical council is the median of every
council's change, so a few councils' unusual years do not move it).

The range comes from this method's one-year errors at every earlier origin, by size of council,
widened in proportion to the years ahead (twice as wide two years ahead, three times three years
ahead). Much of the error in spending is shared by every council and persists (the rise in prices
and in the cost of placements since 2022), so it grows with the years ahead faster than a
council's own ups and downs would (which would widen by the square root). Taken from the one-year
errors because too few two- and three-year outcomes are known (spending is published from
2016-17). Chosen after seeing origins 2019-2022: the square root held only 68-74% of outcomes in
the 80% ranges; in proportion holds 74% one year ahead, 85% two and 91% three (too wide).

Tried and kept for comparison in the backtest (`METHODS`): naive persistence, and the number of
children the council will look after (the children's forecast, `forecast.model`) times its
spending per child, carried forward and raised by the typical rise in spending per child. On
origins 2019-2022 the typical rise was the more accurate at every horizon (see docs/forecast.md):
spending per child moves a lot from year to year within a council, so multiplying by it adds
noise that the children's forecast does not make up for.

Spending per child here is the year's spending divided by the children looked after at its
31 March (as LAIT's weekly unit cost `LACFinance` is). It is not a placement's weekly cost: it
also pays for leaving care support and other services.

Nothing after the origin is read (`Panel.up_to`).
"""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import polars as pl

from forecast import model, published
from forecast.model import Method, Panel

FIRST_YEAR = 2017  # the first financial year (2016-17) with published spending
CHILDREN = "children looked after"
CHILDREN_GROWTH = "children looked after, change"
# The years of recent change in spending per child that set its typical rise.
TREND_YEARS = 3
# The years of a council's own spending per child averaged for its level.
COST_YEARS = 2


def spending_panel(children: Panel, spending: pl.DataFrame) -> Panel:
    """The children's panel with spending (log £) in place of the number of children; the
    children's own log numbers and changes kept as indicators, for the children x cost method."""
    index = {code: row for row, code in enumerate(children.codes)}
    log_spending = model.log_matrix(spending, index, children.years)
    return replace(
        children,
        log_count=log_spending,
        growth=model.area_growth(log_spending, index, published.REORGANISATIONS),
        indicators={
            **children.indicators,
            CHILDREN: children.log_count,
            CHILDREN_GROWTH: children.growth,
        },
    )


def load_spending_panel(children: Panel | None = None) -> Panel:
    """The spending panel from the published files in the shared data folder."""
    return spending_panel(
        model.load_panel() if children is None else children,
        published.lait_measure(published.SPENDING),
    )


def _typical_change(changes: np.ndarray, years: int) -> float:
    """The mean over the last `years` columns of the median council's change (0 if none)."""
    medians = []
    for column in range(changes.shape[1] - 1, -1, -1):
        values = changes[:, column]
        values = values[np.isfinite(values)]
        if len(values) >= 30:
            medians.append(float(np.median(values)))
        if len(medians) == years:
            break
    return float(np.mean(medians)) if medians else 0.0


def national_trend(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """Each council's latest spending raised by the typical council's recent yearly rise."""
    known = panel.up_to(origin)
    level = known.log_count[:, -1]
    # councils' own changes: a new council's borrowed history would count its area twice
    rise = _typical_change(np.diff(known.log_count, axis=1), TREND_YEARS)
    return level[:, None] + rise * np.arange(1, horizon + 1)[None, :]


def _children(panel: Panel) -> Panel:
    return replace(
        panel, log_count=panel.indicators[CHILDREN], growth=panel.indicators[CHILDREN_GROWTH]
    )


def children_times_cost(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """The children's forecast times spending per child: the council's average over its last
    two years, raised by the typical council's recent yearly rise."""
    known = panel.up_to(origin)
    children = _children(known)
    log_cost = known.log_count - children.log_count
    cost_change = np.full_like(log_cost, np.nan)
    cost_change[:, 1:] = np.diff(log_cost, axis=1)
    rise = _typical_change(cost_change, TREND_YEARS)
    recent = log_cost[:, -COST_YEARS:]
    # the older year raised to the origin's prices by the typical rise
    recent = recent + rise * np.arange(recent.shape[1] - 1, -1, -1)[None, :]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a council with no spending yet
        cost = np.nanmean(recent, axis=1)
    cost[np.isnan(known.log_count[:, -1])] = np.nan
    counts = model.pooled_model(children, origin, horizon)
    return counts + cost[:, None] + rise * np.arange(1, horizon + 1)[None, :]


METHODS: dict[str, Method] = {
    "naive persistence": model.persistence,
    "typical council's rise": national_trend,
    "children x spending per child": children_times_cost,
}
BEST: Method = national_trend


def in_proportion(horizon: int) -> float:
    """How much wider than one year ahead the range is `horizon` years ahead."""
    return float(horizon)


def forecast(panel: Panel, origin: int, horizon: int = 3, method: Method = BEST) -> pl.DataFrame:
    """Every council with spending published for the year ending 31 March `origin`: la_number,
    year, horizon, forecast, lower80, upper80, lower95, upper95 (£), from years up to `origin`."""
    if origin <= FIRST_YEAR:
        raise ValueError(
            f"spending is published from the year ending 31 March {FIRST_YEAR}: forecasting "
            f"needs at least two years, so the origin must be after {FIRST_YEAR}, not {origin}"
        )
    return model.forecast(panel, origin, horizon, method, one_year_widened=in_proportion)


def forecast_spending(up_to: int, horizon: int = 3, panel: Panel | None = None) -> pl.DataFrame:
    """The service's entry point: la_number, year, forecast, lower80, upper80 and unit ("£")
    for every council, years `up_to + 1 … up_to + horizon` (financial years ending 31 March)."""
    table = forecast(load_spending_panel() if panel is None else panel, up_to, horizon)
    return table.select("la_number", "year", "forecast", "lower80", "upper80", unit=pl.lit("£"))
