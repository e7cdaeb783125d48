"""Projecting a Model forward: many simulated futures, month by month.

Each simulation draws its own rates and starters (so the range includes not knowing them exactly)
and then moves children between states, out of care and up in age each month by chance
(multinomial draws on counts by state and single year of age); children leave care at 18. The
forecast is the mean over simulations, its 80% and 95% ranges the 10th-90th and 2.5th-97.5th
percentiles. The same model, seed and scenario always give the same answer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from forecast.bottom_up.costs import UnitCosts
from forecast.bottom_up.history import ForecastInputError
from forecast.bottom_up.model import N_STATES, Model, draw_rates, draw_starters
from forecast.bottom_up.scenarios import Scenario
from forecast.bottom_up.states import AGE_BANDS, BAND_OF_AGE, STATES

MAX_HORIZON = 5
STEPS = 12  # a year, in months
ALL = "all looked after"
_BANDS = np.array(BAND_OF_AGE)
_QUANTILES = [10, 90, 2.5, 97.5]


@dataclass(frozen=True)
class Projection:
    years: tuple[int, ...]
    seed: int
    populations: pl.DataFrame  # year, state, age_band, mean, lower80, upper80, lower95, upper95
    totals: pl.DataFrame  # year, state (each state and ALL), the same columns
    spend: pl.DataFrame | None  # year (financial year ending 31 March), state, the same, in £
    total_draws: np.ndarray  # [sim, year]: all looked after at 31 March
    spend_draws: np.ndarray | None  # [sim, year]: spending in the year to 31 March, £


def _summary(draws: np.ndarray) -> dict[str, float]:
    lo80, hi80, lo95, hi95 = np.percentile(draws, _QUANTILES)
    return {
        "mean": float(draws.mean()),
        "lower80": float(lo80),
        "upper80": float(hi80),
        "lower95": float(lo95),
        "upper95": float(hi95),
    }


def _step(pop: np.ndarray, rates: np.ndarray, rng: np.random.Generator, dt: float) -> np.ndarray:
    """One month of moves and leaving care: pop [sim, state, age]."""
    new = np.zeros_like(pop)
    for state in range(N_STATES):
        for age in range(18):
            n = pop[:, state, age]
            if not n.any():
                continue
            lam = rates[:, state, :, _BANDS[age]]  # [sim, destination]
            total = lam.sum(axis=1)
            leave = 1 - np.exp(-total * dt)
            share = np.divide(lam, total[:, None], out=np.zeros_like(lam), where=total[:, None] > 0)
            probabilities = np.concatenate([share * leave[:, None], (1 - leave)[:, None]], axis=1)
            probabilities = np.clip(probabilities, 0, None)
            probabilities /= probabilities.sum(axis=1, keepdims=True)
            moved = rng.multinomial(n, probabilities)  # [sim, destinations + stay]
            new[:, :, age] += moved[:, :N_STATES]
            new[:, state, age] += moved[:, -1]
    return new


def _age(pop: np.ndarray, rng: np.random.Generator, dt: float) -> np.ndarray:
    """A month older: about a twelfth of each single year of age moves up; 18 leaves care."""
    older = rng.binomial(pop, dt)
    pop = pop - older
    pop[:, :, 1:] += older[:, :, :-1]
    return pop


def project(  # noqa: PLR0912  one month after another reads best in sequence
    model: Model,
    horizon: int,
    *,
    seed: int = 0,
    simulations: int = 500,
    scenario: Scenario | None = None,
    unit_costs: UnitCosts | None = None,
) -> Projection:
    if not 1 <= horizon <= MAX_HORIZON:
        raise ForecastInputError(
            f"The forecast runs 1 to {MAX_HORIZON} years ahead, not {horizon}."
        )
    scenario = scenario or Scenario()
    scenario.check()
    rng = np.random.default_rng(seed)
    rates = draw_rates(model, rng, simulations)
    starters = draw_starters(model, rng, simulations, horizon) * scenario.entry_factors()
    if scenario.step_down_share:
        rates[:, 2, 0, :] += -np.log(1 - min(scenario.step_down_share, 0.999))
    dt = 1 / STEPS
    pop = np.repeat(model.start_population[None].astype(np.int64), simulations, axis=0)
    weekly = np.array(unit_costs.vector()) if unit_costs is not None else None
    at_year_end = np.zeros((simulations, horizon, N_STATES, 18), dtype=np.int64)
    spend = np.zeros((simulations, horizon, N_STATES))
    for year in range(horizon):
        for _ in range(STEPS):
            pop = _step(pop, rates, rng, dt)
            pop = _age(pop, rng, dt)
            # new starters this month, by age, then by first placement
            entering = rng.poisson(starters[:, year, :] * dt)  # [sim, band]
            for band in range(len(AGE_BANDS)):
                ages = rng.multinomial(entering[:, band], model.starter_ages[band])
                for age in np.nonzero(model.starter_ages[band] > 1e-6)[0]:
                    pop[:, :, age] += rng.multinomial(ages[:, age], model.first_states[band])
            if scenario.in_house_recruitment:
                agency = pop[:, 1, :]
                wanted = scenario.in_house_recruitment * dt
                share = np.minimum(1.0, wanted / np.maximum(agency.sum(axis=1), 1))
                moving = rng.binomial(agency, share[:, None])
                pop[:, 1, :] -= moving
                pop[:, 0, :] += moving
            if weekly is not None:
                inflation = (1 + scenario.cost_inflation) ** year
                spend[:, year, :] += pop.sum(axis=2) * weekly * inflation * 52.18 * dt
        at_year_end[:, year] = pop
    years = tuple(model.last_year + k for k in range(1, horizon + 1))
    rows, totals = [], []
    for i, year in enumerate(years):
        for s, state in enumerate(STATES):
            by_age = at_year_end[:, i, s, :]
            for b, band_name in enumerate(AGE_BANDS):
                rows.append(
                    {
                        "year": year,
                        "state": state,
                        "age_band": band_name,
                        **_summary(by_age[:, b == _BANDS].sum(axis=1)),
                    }
                )
            totals.append({"year": year, "state": state, **_summary(by_age.sum(axis=1))})
        totals.append({"year": year, "state": ALL, **_summary(at_year_end[:, i].sum(axis=(1, 2)))})
    spend_frame, spend_draws = None, None
    if weekly is not None:
        spend_rows = []
        for i, year in enumerate(years):
            for s, state in enumerate(STATES):
                spend_rows.append({"year": year, "state": state, **_summary(spend[:, i, s])})
            spend_rows.append({"year": year, "state": ALL, **_summary(spend[:, i].sum(axis=1))})
        spend_frame = pl.DataFrame(spend_rows)
        spend_draws = spend.sum(axis=2)
    return Projection(
        years=years,
        seed=seed,
        populations=pl.DataFrame(rows),
        totals=pl.DataFrame(totals),
        spend=spend_frame,
        total_draws=at_year_end.sum(axis=(2, 3)),
        spend_draws=spend_draws,
    )
