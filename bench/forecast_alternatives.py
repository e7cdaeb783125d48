"""Other methods tried in December 2026 against the children's forecast (issue #19), beyond one
measure more or less (`forecast_variants.py` prints them as its second table):

- unaccompanied asylum-seeking children forecast on their own, the model on the other children,
  the two added (and, not a forecast, the same with the asylum-seeking children known in advance:
  the most that splitting them could give);
- combinations: the model averaged with a stock-and-flow projection, with gradient-boosted trees
  and with the nearest past councils (scikit-learn, fitted on the model's six measures), and
  each council's forecast change shrunk towards its statistical neighbours';
- other ways of pooling: one set of weights for every horizon, scaled by the years ahead; more
  years to learn from (2014 and 2015, rates from the ONS population, asylum-seeking children from
  the DfE's older releases, starters and ceasings unknown there, so the average council's);
- the one-year model applied year after year to its own forecast, instead of a fit for each
  horizon (or half and half);
- the model's own recent one-year errors, a part of them taken back.

Each reads nothing after the origin, except the one marked as not a forecast.
"""

from __future__ import annotations

import csv
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from forecast import model, published, regression
from forecast.model import NOT_SCORED, Panel
from forecast_variants import stock_and_flow
from statutory.reference import shared_path

Method = Callable[[Panel, int, int], np.ndarray]


@dataclass
class Alternative:
    name: str
    method: Method
    choosable: bool = True  # False: reads the future, shown for scale only

    def __call__(self, panel: Panel, origin: int, horizon: int) -> np.ndarray:
        return self.method(panel, origin, horizon)


def _asylum(panel: Panel) -> np.ndarray:
    return np.nan_to_num(np.exp(panel.indicators[model.ASYLUM]))


def other_children(panel: Panel) -> Panel:
    """The panel of children looked after other than unaccompanied asylum-seeking children (their
    rate per 10,000 scaled alike); before the asylum counts start, the change of all children."""
    other = np.exp(panel.log_count) - _asylum(panel)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_other = np.log(np.where(other > 0, other, np.nan))
    growth = np.full_like(log_other, np.nan)
    growth[:, 1:] = np.diff(log_other, axis=1)
    growth = np.where(np.isnan(growth), panel.growth, growth)
    return replace(
        panel,
        log_count=log_other,
        growth=growth,
        log_rate=panel.log_rate + log_other - panel.log_count,
    )


AsylumForecast = Callable[[Panel, int, int], np.ndarray]  # counts, one column per horizon


def asylum_persistence(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    known = panel.up_to(origin)
    return np.repeat(_asylum(known)[:, -1:], horizon, axis=1)


def asylum_towards_share(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """Asylum-seeking children h years on as a multiple of the transfer scheme's share (0.1% of
    the children aged 0-17), from a median regression on the multiple now (with a constant),
    pooled over councils and the years known since 2017."""
    known = panel.up_to(origin)
    asylum = _asylum(known)
    share = model.TRANSFER_SHARE * np.exp(known.indicators[model.POPULATION])
    scored = np.array([code not in NOT_SCORED for code in known.codes])

    def measures(t: int) -> tuple[np.ndarray, np.ndarray]:
        multiple = asylum[:, t] / share[:, t - 1]
        return np.stack([np.ones_like(multiple), multiple], axis=1), share[:, t - 1]

    t_now = known.column(origin)
    x_now, share_now = measures(t_now)
    out = np.repeat(asylum[:, -1:], horizon, axis=1)
    for h in range(1, horizon + 1):
        rows, targets = [], []
        for t in range(known.column(2017), t_now - h + 1):
            x, s = measures(t)
            y = asylum[:, t + h] / s
            use = scored & np.isfinite(x).all(axis=1) & np.isfinite(y)
            rows.append(x[use])
            targets.append(y[use])
        if sum(len(r) for r in rows) < 30:
            continue
        weights = regression.median_regression(np.concatenate(rows), np.concatenate(targets), 0.01)
        ahead = np.maximum(x_now @ weights * share_now, 0.0)
        out[:, h - 1] = np.where(np.isfinite(ahead), ahead, asylum[:, -1])
    return out


def asylum_known_in_advance(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """Not a forecast: the published asylum-seeking children h years on (the origin's where
    not yet published)."""
    asylum = _asylum(panel)
    t = panel.column(origin)
    return np.stack(
        [asylum[:, min(t + h, asylum.shape[1] - 1)] for h in range(1, horizon + 1)], axis=1
    )


def split(asylum: AsylumForecast) -> Method:
    def method(panel: Panel, origin: int, horizon: int) -> np.ndarray:
        others = np.exp(model.pooled_model(other_children(panel), origin, horizon))
        return np.log(others + asylum(panel, origin, horizon))

    return method


def with_stock_and_flow(weight: float) -> Method:
    """The model's change and the stock-and-flow projection's (relative to the typical
    council's), averaged with `weight` on the projection."""

    def method(panel: Panel, origin: int, horizon: int) -> np.ndarray:
        known = panel.up_to(origin)
        points = model.pooled_model(panel, origin, horizon)
        t = known.column(origin)
        for h in range(1, horizon + 1):
            projected = stock_and_flow(h)(known, t, np.empty(0))
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                projected = np.nan_to_num(projected - np.nanmedian(projected))
            alternative = known.log_count[:, -1] + projected
            points[:, h - 1] = (1 - weight) * points[:, h - 1] + weight * alternative
        return points

    return method


def with_learner(kind: str) -> Method:
    """Half the model's change, half a scikit-learn regressor's fitted on the same six measures
    and changes (gradient-boosted trees with absolute error, or the 50 nearest past councils)."""

    def method(panel: Panel, origin: int, horizon: int) -> np.ndarray:
        from sklearn.ensemble import HistGradientBoostingRegressor  # slow to import
        from sklearn.neighbors import KNeighborsRegressor

        known = panel.up_to(origin)
        level = known.log_count[:, -1]
        table = {y: model.features(known, y) for y in range(int(known.years[0]), origin + 1)}
        now = np.nan_to_num(table[origin], nan=0.0)
        points = model.pooled_model(panel, origin, horizon)
        for h in range(1, horizon + 1):
            x, y, _ = model.training_pairs(known, table, h)
            if len(x) < 30:
                continue
            if kind == "trees":
                learner = HistGradientBoostingRegressor(
                    loss="absolute_error", max_iter=100, learning_rate=0.05, max_depth=3,
                    min_samples_leaf=20, random_state=0,
                )  # fmt: skip
                other = learner.fit(x, y).predict(now)
            else:
                spread = x.std(axis=0) + 1e-9
                other = KNeighborsRegressor(n_neighbors=50).fit(x / spread, y).predict(now / spread)
            points[:, h - 1] = 0.5 * points[:, h - 1] + 0.5 * (level + other)
        return points

    return method


def towards_neighbours(share: float) -> Method:
    """The model's forecast change moved `share` of the way towards the median of its ten
    statistical neighbours' forecast changes."""

    def method(panel: Panel, origin: int, horizon: int) -> np.ndarray:
        known = panel.up_to(origin)
        level = known.log_count[:, -1]
        change = model.pooled_model(known, origin, horizon) - level[:, None]
        theirs = np.where((known.neighbours >= 0)[:, :, None], change[known.neighbours], np.nan)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            typical = np.nanmedian(theirs, axis=1)
        moved = np.where(np.isnan(typical), change, (1 - share) * change + share * typical)
        return level[:, None] + moved

    return method


def horizons_pooled(mix: float) -> Method:
    """Weights for h years ahead: `mix` × the model's own for h, (1 - mix) × h × one set fitted
    on every horizon's changes per year (1-3 years)."""

    def method(panel: Panel, origin: int, horizon: int) -> np.ndarray:
        known = panel.up_to(origin)
        level = known.log_count[:, -1]
        table = {y: model.features(known, y) for y in range(int(known.years[0]), origin + 1)}
        now = np.nan_to_num(table[origin], nan=0.0)
        pairs = {h: model.training_pairs(known, table, h)[:2] for h in range(1, 4)}
        x = np.concatenate([pairs[h][0] for h in pairs])
        y = np.concatenate([pairs[h][1] / h for h in pairs])
        per_year = regression.median_regression(x, y)
        out = np.repeat(level[:, None], horizon, axis=1)
        for h in range(1, horizon + 1):
            xh, yh = pairs[h]
            own = regression.median_regression(xh, yh) if len(xh) >= 30 else h * per_year
            out[:, h - 1] = level + now @ (mix * own + (1 - mix) * h * per_year)
        return out

    return method


def from_2014(panel: Panel) -> Panel:
    """The panel with 2014-2015 made usable: rates per 10,000 from the ONS population (mid-year
    before), asylum-seeking children from the DfE's older releases, starters and ceasings the
    same for every council (so the measure is the average council's)."""
    index = {code: row for row, code in enumerate(panel.codes)}
    asylum = panel.indicators[model.ASYLUM].copy()
    for year, name in published._OLDER_FILES.items():
        if year >= 2016:
            continue
        path = shared_path(*published.OLDER) / name
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["geog_c"].strip().zfill(3)
                value = published.number(row.get("CLA_UASC"))
                if (row.get("geog_l") or "").strip().upper() == "LA" and code in index and value:
                    asylum[index[code], year - panel.years[0]] = np.log(value)
    population = panel.indicators[model.POPULATION]
    rate = panel.log_rate.copy()
    started, ceased = panel.log_started.copy(), panel.log_ceased.copy()
    for t in range(1, len(panel.years)):
        if np.isnan(rate[:, t]).all():
            rate[:, t] = panel.log_count[:, t] - population[:, t - 1] + np.log(1e4)
        if np.isnan(started[:, t]).all():
            started[:, t] = ceased[:, t] = 0.0
    return replace(
        panel, log_rate=rate, log_started=started, log_ceased=ceased,
        indicators={**panel.indicators, model.ASYLUM: asylum},
    )  # fmt: skip


def _one_year_on(known: Panel, log_count: np.ndarray) -> Panel:
    """`known` with one more year: `log_count` as its figures, the rate moved with them, and
    every other figure (starters, ceasings, asylum-seeking children, population) as the year
    before."""

    def appended(values: np.ndarray, column: np.ndarray) -> np.ndarray:
        return np.concatenate([values, column[:, None]], axis=1)

    change = log_count - known.log_count[:, -1]
    return replace(
        known,
        years=np.append(known.years, known.years[-1] + 1),
        log_count=appended(known.log_count, log_count),
        growth=appended(known.growth, change),
        log_rate=appended(known.log_rate, known.log_rate[:, -1] + change),
        log_started=appended(known.log_started, known.log_started[:, -1]),
        log_ceased=appended(known.log_ceased, known.log_ceased[:, -1]),
        indicators={k: appended(v, v[:, -1]) for k, v in known.indicators.items()},
    )


def iterated(share: float) -> Method:
    """The one-year model applied year after year to its own forecast (the measures recomputed
    from it), `share` of it mixed with the model's direct forecast for each horizon."""

    def method(panel: Panel, origin: int, horizon: int) -> np.ndarray:
        known = panel.up_to(origin)
        table = {y: model.features(known, y) for y in range(int(known.years[0]), origin + 1)}
        weights = regression.median_regression(*model.training_pairs(known, table, 1)[:2])
        direct = model.pooled_model(known, origin, horizon)
        out, step = direct.copy(), known
        for h in range(1, horizon + 1):
            now = np.nan_to_num(model.features(step, int(step.years[-1])), nan=0.0)
            ahead = step.log_count[:, -1] + now @ weights
            out[:, h - 1] = share * ahead + (1 - share) * direct[:, h - 1]
            step = _one_year_on(step, ahead)
        return out

    return method


def recent_errors_taken_back(share: float, years: int = 2) -> Method:
    """The model, plus `share` × h × the council's mean one-year error of the model over the
    last `years` origins (each from its own past), relative to the typical council's."""

    def method(panel: Panel, origin: int, horizon: int) -> np.ndarray:
        known = panel.up_to(origin)
        points = model.pooled_model(known, origin, horizon)
        past = [
            known.log_count[:, known.column(y + 1)] - model.pooled_model(known, y, 1)[:, 0]
            for y in range(origin - years, origin)
        ]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(np.stack(past), axis=0)
            mean = np.nan_to_num(mean - np.nanmedian(mean))
        return points + share * mean[:, None] * np.arange(1, horizon + 1)[None, :]

    return method


def alternatives(panel: Panel) -> list[Alternative]:
    longer = from_2014(panel)
    return [
        Alternative("asylum-seeking children on their own (persistence) + the model on the others",
                    split(asylum_persistence)),
        Alternative("asylum-seeking children on their own (drawn towards the transfer scheme's "
                    "share) + the model on the others", split(asylum_towards_share)),
        Alternative("not a forecast: asylum-seeking children known in advance + the model on the "
                    "others", split(asylum_known_in_advance), choosable=False),
        Alternative("the model × 0.9 + stock and flow × 0.1", with_stock_and_flow(0.1)),
        Alternative("the model × 0.8 + stock and flow × 0.2", with_stock_and_flow(0.2)),
        Alternative("half the model, half gradient-boosted trees", with_learner("trees")),
        Alternative("half the model, half the 50 nearest past councils", with_learner("nearest")),
        Alternative("each council's forecast change moved a quarter of the way towards its "
                    "neighbours'", towards_neighbours(0.25)),
        Alternative("one set of weights for every horizon, × years ahead", horizons_pooled(0.0)),
        Alternative("half the model's weights, half those of every horizon", horizons_pooled(0.5)),
        Alternative("the one-year model applied year after year to its own forecast", iterated(1.0)),
        Alternative("half that, half the model", iterated(0.5)),
        Alternative("learning from 2014 and 2015 too",
                    lambda _, origin, horizon: model.pooled_model(longer, origin, horizon)),
        Alternative("the model's mean one-year error over two years, × -0.15 a year, added",
                    recent_errors_taken_back(-0.15)),
        Alternative("the model's mean one-year error over two years, × 0.15 a year, added",
                    recent_errors_taken_back(0.15)),
    ]  # fmt: skip
