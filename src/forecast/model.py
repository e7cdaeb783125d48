"""The forecast of children looked after at 31 March, for every council, 1-5 years ahead.

In words: each council's number is carried forward from its latest figure, then nudged by what
has told us, across all councils in past years, how a council's number moves over the next one to
five years compared with England's:
- its change over the last year, and over the last three (weighted to the most recent);
- its rate per 10,000 children compared with its ten statistical neighbours' (a council far above
  similar councils tends to come down, one far below tends to go up);
- how many children started to be looked after compared with how many ceased in the last year;
- unaccompanied asylum-seeking children above the national transfer scheme's 0.1% of the
  council's children (a council far above tends to transfer children or receive fewer), and
  their change over the last year, both per child looked after.

The weights are learnt afresh at every origin by median regression (least absolute deviations,
with a small ridge penalty) of each council's change in log numbers over h years on these
measures, pooled across all councils and every past year whose outcome was known by the origin. Every measure is taken relative to that year's average
council, and the regression has no constant, so the forecast does not extrapolate England's
recent trend (which, tried on 2014-2019, made forecasts worse): England's level is carried forward.

The intervals come from the forecast's own past errors: the model is rerun at every earlier origin,
its errors on the years known by now are pooled by horizon within three bands of council size (a
small council's number moves more in proportion), and their 10th/90th (2.5th/97.5th) percentiles
are added to the forecast. When no past error at a horizon is known yet, the one-year errors are
widened by the square root of the horizon.

Nothing after the origin is read: `Panel.up_to(origin)` drops every later year before anything is
computed.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import polars as pl

from forecast import published
from forecast.published import Reorganisation
from forecast.regression import median_regression

FIRST_YEAR = 2013
MAX_HORIZON = 5
# Councils too small to score: one child is several per cent of their number.
NOT_SCORED = frozenset({"201", "420"})  # City of London, Isles of Scilly
SIZE_BANDS = 3
# Indicators the model reads (Panel.indicators), by name.
ASYLUM = "unaccompanied asylum-seeking children"
POPULATION = "children aged 0-17"
# The national transfer scheme's share: a council is asked to look after unaccompanied
# asylum-seeking children up to 0.1% of its child population; above it, children are transferred.
TRANSFER_SHARE = 0.001


@dataclass(frozen=True)
class Panel:
    """Every council's published figures as arrays: one row per council, one column per year.

    `log_count`: log of children looked after at 31 March (NaN when missing or zero).
    `growth`: the change in log count into each year; for a council created by a reorganisation,
    the change of the combined area before it existed (see `published.REORGANISATIONS`).
    `log_rate`: log of the rate per 10,000 children; `log_started`, `log_ceased`: log of children
    starting and ceasing to be looked after during the year. `neighbours`: row indices of each
    council's statistical neighbours (-1 where a neighbour is not in the panel). `indicators`:
    further published measures by name (log values, same shape as `log_count`).
    """

    codes: tuple[str, ...]
    years: np.ndarray
    log_count: np.ndarray
    growth: np.ndarray
    log_rate: np.ndarray
    log_started: np.ndarray
    log_ceased: np.ndarray
    neighbours: np.ndarray
    indicators: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def last_year(self) -> int:
        return int(self.years[-1])

    def column(self, year: int) -> int:
        return int(year - self.years[0])

    def up_to(self, year: int) -> Panel:
        """The panel as it was known at 31 March `year`: later years removed."""
        if year < self.years[0] or year > self.years[-1]:
            raise ValueError(
                f"year {year} is outside the published figures ({self.years[0]}-{self.years[-1]})"
            )
        keep = self.column(year) + 1
        return replace(
            self,
            years=self.years[:keep],
            log_count=self.log_count[:, :keep],
            growth=self.growth[:, :keep],
            log_rate=self.log_rate[:, :keep],
            log_started=self.log_started[:, :keep],
            log_ceased=self.log_ceased[:, :keep],
            indicators={name: values[:, :keep] for name, values in self.indicators.items()},
        )


def log_matrix(frame: pl.DataFrame, codes: dict[str, int], years: np.ndarray) -> np.ndarray:
    """A tidy table (la_number, year, value) as logs, one row per council in `codes` (code ->
    row), one column per year; NaN where missing or not above zero."""
    out = np.full((len(codes), len(years)), np.nan)
    for code, year, value in frame.iter_rows():
        if code in codes and years[0] <= year <= years[-1] and value is not None and value > 0:
            out[codes[code], year - years[0]] = math.log(value)
    return out


def area_growth(
    log_count: np.ndarray, codes: dict[str, int], reorganisations: Iterable[Reorganisation]
) -> np.ndarray:
    """Each year's change in the logs; for a council created by a reorganisation, the change of
    the combined area in the years before it existed."""
    growth = np.full_like(log_count, np.nan)
    growth[:, 1:] = np.diff(log_count, axis=1)
    for change in reorganisations:
        before = [codes[c] for c in change.before if c in codes]
        after = [codes[c] for c in change.after if c in codes]
        if not before or not after:
            continue
        with np.errstate(invalid="ignore"):
            total_before = np.exp(log_count[before]).sum(axis=0)
            total_after = np.exp(log_count[after]).sum(axis=0)
        # A total only where every council of the group has a figure.
        total_before[np.isnan(log_count[before]).any(axis=0)] = np.nan
        total_after[np.isnan(log_count[after]).any(axis=0)] = np.nan
        area = np.where(np.isnan(total_after), total_before, total_after)
        area_growth = np.full(area.shape, np.nan)
        with np.errstate(divide="ignore", invalid="ignore"):
            area_growth[1:] = np.diff(np.log(area))
        for row in after:
            growth[row] = np.where(np.isnan(growth[row]), area_growth, growth[row])
    return growth


def from_tables(
    looked_after: pl.DataFrame,
    rate: pl.DataFrame,
    started: pl.DataFrame,
    ceased: pl.DataFrame,
    neighbours: dict[str, tuple[str, ...]],
    reorganisations: Iterable[Reorganisation] = (),
    indicators: Mapping[str, pl.DataFrame] | None = None,
) -> Panel:
    """A panel from tidy tables (la_number, year, value), as `published` returns them;
    `indicators` by name (the model reads ASYLUM and POPULATION when given)."""
    codes = sorted(set(looked_after["la_number"].to_list()))
    index = {code: row for row, code in enumerate(codes)}
    last = int(looked_after["year"].max())  # type: ignore[arg-type]
    first = min(FIRST_YEAR, int(looked_after["year"].min()))  # type: ignore[arg-type]
    years = np.arange(first, last + 1)
    log_count = log_matrix(looked_after, index, years)
    nbrs = np.full((len(codes), 10), -1, dtype=np.int64)
    for code, row in index.items():
        for rank, other in enumerate(neighbours.get(code, ())[:10]):
            nbrs[row, rank] = index.get(other, -1)
    return Panel(
        codes=tuple(codes),
        years=years,
        log_count=log_count,
        growth=area_growth(log_count, index, reorganisations),
        log_rate=log_matrix(rate, index, years),
        log_started=log_matrix(started, index, years),
        log_ceased=log_matrix(ceased, index, years),
        neighbours=nbrs,
        indicators={
            name: log_matrix(frame, index, years) for name, frame in (indicators or {}).items()
        },
    )


def load_panel() -> Panel:
    """The panel from the published files in the shared data folder."""
    return from_tables(
        published.looked_after(),
        published.lait_measure("LAC"),
        published.lait_measure(published.STARTED),
        published.lait_measure(published.CEASED),
        published.neighbours(),
        published.REORGANISATIONS,
        {
            ASYLUM: published.lait_measure(published.ASYLUM),
            POPULATION: published.population(),
        },
    )


# ---------------------------------------------------------------------------------------------
# The measures each forecast is made from


def _asylum(panel: Panel, t: int) -> tuple[np.ndarray, np.ndarray]:
    """Unaccompanied asylum-seeking children at column `t` above the transfer scheme's share of
    last year's child population, and their change over the year, both per child looked after.
    A suppressed count (a handful or fewer) is taken as none; zero for a panel without them."""
    count = np.exp(panel.log_count[:, t])
    if ASYLUM not in panel.indicators or POPULATION not in panel.indicators or t < 1:
        return np.zeros(len(panel.codes)), np.zeros(len(panel.codes))
    now, before = (np.nan_to_num(np.exp(panel.indicators[ASYLUM][:, c])) for c in (t, t - 1))
    population = np.exp(panel.indicators[POPULATION][:, t - 1])
    return (now - TRANSFER_SHARE * population) / count, (now - before) / count


def features(panel: Panel, origin: int) -> np.ndarray:
    """One row per council: the six measures at `origin`, relative to that year's average
    council (NaN where one of the first four cannot be computed; an unknown asylum measure is
    taken as the average council's)."""
    t = panel.column(origin)
    growth = panel.growth
    last = growth[:, t]
    weights = np.array([1.0, 2 / 3, 1 / 3])
    recent = np.stack(
        [growth[:, t - k] if t - k >= 1 else np.full(len(panel.codes), np.nan) for k in range(3)],
        axis=1,
    )
    with np.errstate(invalid="ignore"):
        three_year = np.nansum(recent * weights, axis=1) / np.nansum(
            np.where(np.isnan(recent), 0.0, 1.0) * weights, axis=1
        )
    rate = panel.log_rate[:, t]
    neighbour_rates = np.where(panel.neighbours >= 0, rate[panel.neighbours], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # no neighbour with a rate
        relative = rate - np.nanmedian(neighbour_rates, axis=1)
    flows = panel.log_started[:, t] - panel.log_ceased[:, t]
    excess, arrived = _asylum(panel, t)
    table = np.stack([last, three_year, relative, flows, excess, arrived], axis=1)
    table[np.isnan(panel.log_count[:, t])] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a measure no council has yet
        centre = np.nanmean(np.where(np.isfinite(table), table, np.nan), axis=0)
    centre = np.where(np.isnan(centre), 0.0, centre)
    table = table - centre
    counted = ~np.isnan(panel.log_count[:, t])
    table[:, 4:] = np.where(counted[:, None] & ~np.isfinite(table[:, 4:]), 0.0, table[:, 4:])
    return table


Method = Callable[[Panel, int, int], np.ndarray]


def persistence(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """Naive persistence: the log count at the origin, for every horizon."""
    level = panel.up_to(origin).log_count[:, -1]
    return np.repeat(level[:, None], horizon, axis=1)


def previous_trend(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """Last year's change in number continued in a straight line (not below zero); the level
    carried forward when last year's change is unknown."""
    known = panel.up_to(origin)
    level = np.exp(known.log_count[:, -1])
    change = np.nan_to_num(known.growth[:, -1], nan=0.0)
    previous = level / np.exp(change)
    steps = np.arange(1, horizon + 1)
    counts = level[:, None] + (level - previous)[:, None] * steps[None, :]
    with np.errstate(divide="ignore"):
        return np.log(np.maximum(counts, 0.5))


def training_pairs(
    known: Panel, table: Mapping[int, np.ndarray], horizon: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """What the weights for `horizon` years are learnt from: for every year in `table` (measures
    by year, one row per council) whose outcome `horizon` years later is in `known`, each scored
    council's measures, its change in log count over those years, and the year. Councils with a
    measure missing, or no figure at either end, are left out."""
    rows, targets, years = [], [], []
    scored = np.array([code not in NOT_SCORED for code in known.codes])
    last = int(known.years[-1])
    for year, measures in table.items():
        if year + horizon > last:
            continue
        change = (
            known.log_count[:, known.column(year + horizon)]
            - known.log_count[:, known.column(year)]
        )
        use = scored & ~np.isnan(change) & ~np.isnan(measures).any(axis=1)
        rows.append(measures[use])
        targets.append(change[use])
        years.append(np.full(int(use.sum()), year))
    width = next(iter(table.values())).shape[1] if table else 0
    if not rows:
        return np.empty((0, width)), np.empty(0), np.empty(0, dtype=np.int64)
    return np.concatenate(rows), np.concatenate(targets), np.concatenate(years)


def pooled_model(panel: Panel, origin: int, horizon: int) -> np.ndarray:
    """The model's point forecasts (log counts), one column per horizon 1..horizon."""
    known = panel.up_to(origin)
    level = known.log_count[:, -1]
    table = {year: features(known, year) for year in range(int(known.years[0]), origin + 1)}
    now = np.nan_to_num(table[origin], nan=0.0)
    out = np.repeat(level[:, None], horizon, axis=1)
    for h in range(1, horizon + 1):
        x, y, _ = training_pairs(known, table, h)
        if len(x) < 30:  # too little known at this horizon yet: carry the level forward
            continue
        out[:, h - 1] = level + now @ median_regression(x, y)
    return out


METHODS: dict[str, Method] = {
    "naive persistence": persistence,
    "previous year's trend": previous_trend,
    "model": pooled_model,
}


# ---------------------------------------------------------------------------------------------
# Intervals from past errors


def _size_edges(level: np.ndarray) -> np.ndarray:
    known = level[~np.isnan(level)]
    return np.quantile(known, np.linspace(0, 1, SIZE_BANDS + 1)[1:-1])


def past_errors(
    panel: Panel, origin: int, horizon: int, method: Method
) -> list[tuple[np.ndarray, np.ndarray]]:
    """For h = 1..horizon: (errors in log count, log count at their origin) of `method`'s
    forecasts from every earlier origin whose outcome is known by `origin`."""
    known = panel.up_to(origin)
    first = int(known.years[0])
    errors: list[list[np.ndarray]] = [[] for _ in range(horizon)]
    sizes: list[list[np.ndarray]] = [[] for _ in range(horizon)]
    scored = np.array([code not in NOT_SCORED for code in known.codes])
    for past in range(first, origin):
        reach = min(horizon, origin - past)
        points = method(known, past, reach)
        start = known.log_count[:, known.column(past)]
        for h in range(1, reach + 1):
            error = known.log_count[:, known.column(past + h)] - points[:, h - 1]
            use = scored & ~np.isnan(error) & ~np.isnan(start)
            errors[h - 1].append(error[use])
            sizes[h - 1].append(start[use])
    return [
        (np.concatenate(e) if e else np.empty(0), np.concatenate(s) if s else np.empty(0))
        for e, s in zip(errors, sizes, strict=True)
    ]


def forecast(
    panel: Panel,
    origin: int,
    horizon: int = 3,
    method: Method = pooled_model,
    one_year_widened: Callable[[int], float] | None = None,
) -> pl.DataFrame:
    """Every council with a figure at `origin`: la_number, year, horizon, forecast, lower80,
    upper80, lower95, upper95 (numbers of children), using only years up to `origin`.

    With `one_year_widened`, every horizon's range comes from the one-year errors widened by
    `one_year_widened(h)` (for figures whose errors are mostly shared by every council and
    persist, such as spending's inflation), instead of from the past errors at that horizon."""
    if not 1 <= horizon <= MAX_HORIZON:
        raise ValueError(f"horizon must be between 1 and {MAX_HORIZON}, not {horizon}")
    known = panel.up_to(origin)
    level = known.log_count[:, -1]
    points = method(known, origin, horizon)
    history = past_errors(known, origin, 1 if one_year_widened else horizon, method)
    edges = _size_edges(level)
    band_now = np.searchsorted(edges, level)
    probabilities = (0.025, 0.1, 0.9, 0.975)
    one_year = history[0]
    rows = []
    for h in range(1, horizon + 1):
        errors, sizes = history[min(h, len(history)) - 1]
        widen = 1.0
        if one_year_widened is not None:
            errors, sizes, widen = one_year[0], one_year[1], one_year_widened(h)
        elif len(errors) < 30:
            errors, sizes, widen = one_year[0], one_year[1], math.sqrt(h)
        if len(errors) < 30:
            raise ValueError(f"too few past years before {origin} to judge the forecast's error")
        band_past = np.searchsorted(edges, sizes)
        bounds = np.empty((SIZE_BANDS, 4))
        for band in range(SIZE_BANDS):
            pool = errors[band_past == band]
            bounds[band] = np.quantile(pool if len(pool) >= 30 else errors, probabilities) * widen
        for row, code in enumerate(known.codes):
            if np.isnan(level[row]):
                continue
            centre = points[row, h - 1]
            low95, low80, high80, high95 = centre + bounds[band_now[row]]
            rows.append(
                (code, origin + h, h, math.exp(centre), math.exp(low80), math.exp(high80),
                 math.exp(low95), math.exp(high95))
            )  # fmt: skip
    return pl.DataFrame(
        rows,
        schema=["la_number", "year", "horizon", "forecast", "lower80", "upper80", "lower95",
                "upper95"],
        orient="row",
    ).sort("la_number", "year")  # fmt: skip
