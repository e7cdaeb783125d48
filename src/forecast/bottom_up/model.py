"""Rates of moving between states, leaving care and starting care, estimated from a History.

- Moves and leaving: for each state and age band, events per child-year in that state at that
  age over the years of returns (occurrence-exposure rates: a child's time is split at the
  birthdays that start each band). A move is a new episode with another kind of placement
  beginning the day the last one ended; a change of legal status in the same kind of placement
  is not a move. An episode ending with no episode following is leaving care.
- Starting care: a period of care is a run of episodes with no day between them. Starters are
  counted by collection year and age band; the forecast carries on their level in the last three
  years, changed by their trend over all the years (log-linear, halved: trends in starters rarely
  continue at full strength).
- Leaving care at 18 (or within about a month of the 18th birthday) is not counted as a rate: the
  simulation takes every child out of care at 18.
- Where a state and band has less than half a child-year of time in the returns, the state's
  rates over all ages are used instead.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from itertools import pairwise

import numpy as np
import polars as pl

from forecast.bottom_up.history import History
from forecast.bottom_up.states import AGE_BANDS, BAND_OF_AGE, STATES

BAND_START_AGES = (0, 1, 5, 10, 16, 18)
N_STATES = len(STATES)
LEAVE = N_STATES  # the destination index for leaving care
YEAR = 365.25
AGE_OUT_YEARS = 17.92  # leaving at this age or older is leaving at 18 (see `fit`)


@dataclass(frozen=True)
class Model:
    """What `fit` learnt. Arrays are indexed [state, destination (states, then leaving care),
    band] for events, [state, band] for exposure (child-years), [year, band] for starters."""

    years: tuple[int, ...]
    start_population: np.ndarray  # [state, age 0..17] at 31 March of the last year
    events: np.ndarray
    exposure: np.ndarray
    starters: np.ndarray  # [year, band]
    starter_ages: np.ndarray  # [band, age 0..17]: how starters' ages spread within each band
    first_states: np.ndarray  # [band, state]: where starters are first placed

    @property
    def last_year(self) -> int:
        return self.years[-1]


def _periods(spells: pl.DataFrame) -> pl.DataFrame:
    """Spells with the next spell's state when it follows on the same day (else LEAVE), and
    whether each spell starts a period of care."""
    return (
        spells.sort("child", "start")
        .with_columns(
            next_start=pl.col("start").shift(-1).over("child"),
            next_state=pl.col("state").shift(-1).over("child"),
            previous_end=pl.col("end").shift(1).over("child"),
        )
        .with_columns(
            follows_on=pl.col("next_start").is_not_null()
            & pl.col("end").is_not_null()
            & ((pl.col("next_start") - pl.col("end")).dt.total_days() <= 1),
            starts_care=pl.col("previous_end").is_null()
            | ((pl.col("start") - pl.col("previous_end")).dt.total_days() > 1),
        )
    )


def _age_years(day: pl.Expr) -> pl.Expr:
    return ((day - pl.col("birth")).dt.total_days() / YEAR).floor().clip(0, 17).cast(pl.Int32)


def fit(history: History) -> Model:
    first, last = history.first_day, history.last_day
    spells = _periods(history.spells)
    # merge runs of the same state (legal status changes) into one spell of that state
    spells = spells.with_columns(
        run=(
            pl.col("starts_care")
            | (pl.col("state") != pl.col("state").shift(1).over("child")).fill_null(True)
        )
        .cast(pl.Int32)
        .cum_sum()
        .over("child")
    )
    runs = (
        spells.group_by("child", "run")
        .agg(
            pl.col("birth").first(),
            pl.col("state").first(),
            pl.col("start").min(),
            pl.col("end").last(),
            pl.col("follows_on").last(),
            pl.col("next_state").last(),
            pl.col("starts_care").first(),
        )
        .with_columns(
            destination=pl.when(pl.col("follows_on"))
            .then(pl.col("next_state").cast(pl.Int32))
            .otherwise(LEAVE)
        )
    )
    events = np.zeros((N_STATES, N_STATES + 1, len(AGE_BANDS)))
    # leaving care at 18 is not a rate: the simulation ages every child out at 18, so counting
    # those endings too would take them out twice (leaving within about a month of the 18th
    # birthday counts as leaving at 18)
    at_eighteen = (pl.col("end") - pl.col("birth")).dt.total_days() >= round(AGE_OUT_YEARS * YEAR)
    ended = runs.filter(
        pl.col("end").is_not_null()
        & (pl.col("end") >= first)
        & (pl.col("end") <= last)
        & ~(at_eighteen & (pl.col("destination") == LEAVE))
    ).with_columns(age=_age_years(pl.col("end")))
    for state, destination, age, n in (
        ended.group_by("state", "destination", "age").len().iter_rows()
    ):
        if destination != state:
            events[state, destination, BAND_OF_AGE[age]] += n
    exposure = np.zeros((N_STATES, len(AGE_BANDS)))
    clipped = runs.with_columns(
        a=pl.max_horizontal(pl.col("start"), pl.lit(first)),
        b=pl.min_horizontal(pl.col("end").fill_null(last), pl.lit(last)),
    ).filter(pl.col("b") > pl.col("a"))
    for band, (lo, hi) in enumerate(pairwise(BAND_START_AGES)):
        lo_day = pl.col("birth") + pl.duration(days=round(lo * YEAR))
        hi_day = pl.col("birth") + pl.duration(days=round(hi * YEAR))
        days = (
            clipped.select(
                "state",
                overlap=(
                    pl.min_horizontal("b", hi_day) - pl.max_horizontal("a", lo_day)
                ).dt.total_days(),
            )
            .filter(pl.col("overlap") > 0)
            .group_by("state")
            .agg(pl.col("overlap").sum())
        )
        for state, overlap in days.iter_rows():
            exposure[state, band] += overlap / YEAR
    starts = runs.filter(
        pl.col("starts_care") & (pl.col("start") >= first) & (pl.col("start") <= last)
    ).with_columns(
        age=_age_years(pl.col("start")),
        year=pl.col("start").dt.year() + (pl.col("start").dt.month() >= 4).cast(pl.Int32),
    )
    starters = np.zeros((len(history.years), len(AGE_BANDS)))
    starter_ages = np.full((len(AGE_BANDS), 18), 1e-9)
    first_states = np.full((len(AGE_BANDS), N_STATES), 1e-9)
    for year, age, state, n in starts.group_by("year", "age", "state").len().iter_rows():
        band = BAND_OF_AGE[age]
        if year in history.years:
            starters[history.years.index(year), band] += n
        starter_ages[band, age] += n
        first_states[band, state] += n
    for band, (lo, hi) in enumerate(pairwise(BAND_START_AGES)):
        if starter_ages[band].sum() < 1:  # no starters seen at this age: spread evenly
            starter_ages[band, lo : min(hi, 18)] = 1
    starter_ages /= starter_ages.sum(axis=1, keepdims=True)
    first_states /= first_states.sum(axis=1, keepdims=True)
    at_end = runs.filter(
        (pl.col("start") <= last) & (pl.col("end").is_null() | (pl.col("end") > last))
    ).with_columns(age=((pl.lit(last) - pl.col("birth")).dt.total_days() / YEAR).floor())
    population = np.zeros((N_STATES, 18))
    for state, age, n in (
        at_end.filter(pl.col("age") < 18).group_by("state", "age").len().iter_rows()
    ):
        population[state, int(max(age, 0))] += n
    return Model(
        years=history.years,
        start_population=population,
        events=events,
        exposure=exposure,
        starters=starters,
        starter_ages=starter_ages,
        first_states=first_states,
    )


def draw_rates(model: Model, rng: np.random.Generator, sims: int) -> np.ndarray:
    """Rates per child-year [sim, state, destination, band], each drawn from its posterior
    (gamma, with half an event of prior), so the forecast's range includes not knowing them."""
    events, exposure = model.events, model.exposure.copy()
    thin = exposure < 0.5
    pooled_events = events.sum(axis=2, keepdims=True).repeat(len(AGE_BANDS), axis=2)
    pooled_exposure = exposure.sum(axis=1, keepdims=True).repeat(len(AGE_BANDS), axis=1)
    use_events = np.where(thin[:, None, :], pooled_events, events)
    use_exposure = np.where(thin, pooled_exposure, exposure)
    shape = use_events + 0.5
    scale = 1 / np.maximum(use_exposure, 0.5)[:, None, :]
    rates = rng.gamma(shape, scale, size=(sims, *shape.shape))
    for state in range(N_STATES):
        rates[:, state, state, :] = 0
    return rates


def draw_starters(model: Model, rng: np.random.Generator, sims: int, horizon: int) -> np.ndarray:
    """Starters a year [sim, year ahead, band]: the last three years' level, with the halved
    trend over all years, both drawn with their uncertainty."""
    counts = model.starters
    recent = counts[-3:].sum(axis=0)
    level = rng.gamma(recent + 0.5, 1 / len(counts[-3:]), size=(sims, len(AGE_BANDS)))
    totals = np.maximum(counts.sum(axis=1), 1)
    x = np.arange(len(totals)) - (len(totals) - 1)
    slope, se = 0.0, 0.0
    if len(totals) >= 3:
        design = np.vstack([np.ones_like(x), x]).T
        beta, residuals, *_ = np.linalg.lstsq(design, np.log(totals), rcond=None)
        slope = float(beta[1])
        dof = max(len(totals) - 2, 1)
        sigma2 = float(residuals[0]) / dof if len(residuals) else 0.0
        se = float(np.sqrt(sigma2 / max(((x - x.mean()) ** 2).sum(), 1e-9)))
    slopes = 0.5 * rng.normal(slope, se, size=sims)
    # the recent level sits at the middle of the last three years (one year back)
    ahead = np.arange(1, horizon + 1)
    growth = np.exp(slopes[:, None] * (ahead[None, :] + 1))
    return level[:, None, :] * growth[:, :, None]


def day_of(year: int) -> dt.date:
    return dt.date(year, 3, 31)
