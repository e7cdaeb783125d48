"""The forecast from a council's own SSDA903 returns (bottom-up), and an alliance's from the returns
its councils share, over the Django-free `forecast.bottom_up` library.

- A council's forecast uses its latest run of consecutive collection years, at least three; with
  fewer, `NotEnoughReturns` says which years it has and which are missing, and nothing is made.
- An alliance's pooled forecast fits each sharing council's own model on its own returns and adds
  the councils' simulated futures together, simulation by simulation (councils' children move
  independently of each other's), so the pooled ranges are those of the sum, not sums of ranges.
  A council with fewer than three consecutive years is left out, and the page names it.

Simulating takes about two seconds, so the baseline is stored in the database for every web process
(`stored_baselines`) and, like a scenario's forecast, kept in the process's cache; either is made
again when the council stores a newer return, changes its unit costs, or the scenario changes.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError

from alliance.forecasts import states, stored_baselines, unit_costs
from alliance.forecasts.returns_data import accepted_versions, pooled_councils, yearly_tables
from alliance.organisations.models import Organisation
from forecast.bottom_up.costs import UnitCosts
from forecast.bottom_up.history import ForecastInputError, History, history_from_tables
from forecast.bottom_up.model import Model, fit
from forecast.bottom_up.scenarios import Scenario
from forecast.bottom_up.simulate import Projection, combine, project

MIN_YEARS = 3
HORIZONS = (1, 2, 3, 4, 5)
DEFAULT_HORIZON = 3
SIMULATIONS = 500
SEED = 2026  # fixed, so the same returns and choices always give the same figures
KEPT_SECONDS = 3600


class NotEnoughReturns(ValidationError):
    """The stored returns cannot make a forecast: too few consecutive years, or the library
    refused them (the message says why, in plain words)."""


@dataclass(frozen=True)
class YearsHeld:
    """The collection years (31 March) a council has accepted returns for."""

    held: tuple[int, ...]

    @property
    def used(self) -> tuple[int, ...]:
        """The latest run of consecutive years: what the forecast is made from."""
        run: list[int] = []
        for year in sorted(self.held, reverse=True):
            if run and year != run[-1] - 1:
                break
            run.append(year)
        return tuple(sorted(run))

    @property
    def missing(self) -> tuple[int, ...]:
        if not self.held:
            return ()
        return tuple(y for y in range(min(self.held), max(self.held) + 1) if y not in self.held)

    @property
    def enough(self) -> bool:
        return len(self.used) >= MIN_YEARS

    def problem(self, name: str) -> str:
        """Why there is no forecast for `name`, in plain words ("" when there is one)."""
        if self.enough:
            return ""
        if not self.held:
            return (
                f"{name} has no accepted SSDA903 returns stored yet. A forecast needs at least "
                f"{MIN_YEARS} consecutive years."
            )
        have = ", ".join(str(y) for y in self.held)
        text = (
            f"A forecast needs accepted SSDA903 returns for at least {MIN_YEARS} consecutive "
            f"years. {name} has {_years(len(self.held))} ({have})"
        )
        if self.missing:
            gaps = ", ".join(str(y) for y in self.missing)
            text += f"; missing between them: {gaps}"
        wanted = list(range(min(self.used) - 1, 0, -1))[: MIN_YEARS - len(self.used)]
        return text + f". Upload the returns for {_listed(sorted(wanted))} to make one."


def _years(n: int) -> str:
    return f"{n} year" if n == 1 else f"{n} years"


def _listed(years: list[int]) -> str:
    words = [str(y) for y in years]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


def years_held(years: Iterable[int]) -> YearsHeld:
    return YearsHeld(tuple(sorted(set(years))))


@dataclass
class Forecast:
    """What a page shows: the projection and where it came from."""

    name: str
    years_used: tuple[int, ...]
    horizon: int
    projection: Projection
    councils: list[str] = field(default_factory=list)  # pooled: the councils included
    left_out: list[tuple[str, str]] = field(default_factory=list)  # pooled: (council, why)
    history: History | None = None  # one council's history (None when pooled)


def council_history(organisation: Organisation) -> tuple[History, YearsHeld]:
    """The council's history from its latest run of consecutive years; `NotEnoughReturns`
    (nothing made) when there are too few, or when the library refuses them."""
    held = years_held(accepted_versions(organisation))
    if not held.enough:
        raise NotEnoughReturns(held.problem(organisation.name))
    stored = yearly_tables(organisation)
    # the library finds "Header" and "Episodes" whatever their case: the stored names serve
    tables = {year: stored[year] for year in held.used if year in stored}
    try:
        return history_from_tables(tables), held
    except ForecastInputError as exc:
        raise NotEnoughReturns(f"{organisation.name}: {exc}") from None


def _key(*parts: Any) -> str:
    text = json.dumps(parts, sort_keys=True, default=str)
    return "forecasts:" + hashlib.sha256(text.encode()).hexdigest()


def _costs(organisation: Organisation) -> tuple[UnitCosts, Any]:
    pence = unit_costs.weekly_pence(organisation)
    return states.library_costs(pence), sorted(pence.items())


def council_model(organisation: Organisation) -> tuple[Model, History, YearsHeld]:
    """The council's fitted model, kept until it stores a newer return."""
    versions = accepted_versions(organisation)
    key = _key("model", organisation.pk, sorted(versions.items()))
    found = cache.get(key)
    if found is None:
        history, held = council_history(organisation)
        found = (fit(history), history, held)
        cache.set(key, found, KEPT_SECONDS)
    return found


def _scenario_key(scenario: Scenario | None) -> Any:
    return None if scenario is None else repr(scenario)


def council_forecast(
    organisation: Organisation, *, horizon: int = DEFAULT_HORIZON, scenario: Scenario | None = None
) -> Forecast:
    """The council's forecast `horizon` years ahead (with `scenario`, or the baseline)."""
    if horizon not in HORIZONS:
        raise ValidationError(f"Choose from 1 to {HORIZONS[-1]} years ahead")
    model, history, held = council_model(organisation)
    costs, costs_key = _costs(organisation)
    made_from = stored_baselines.inputs(
        sorted(accepted_versions(organisation).items()), costs_key, SEED, SIMULATIONS
    )
    key = _key("projection", organisation.pk, made_from, horizon, _scenario_key(scenario))
    projection = cache.get(key)
    if projection is None and scenario is None:
        projection = stored_baselines.stored(organisation, made_from, horizon)
    if projection is None:
        projection = project(
            model,
            horizon,
            seed=SEED,
            simulations=SIMULATIONS,
            scenario=scenario,
            unit_costs=costs,
        )
        if scenario is None:
            stored_baselines.store(organisation, made_from, horizon, projection)
    cache.set(key, projection, KEPT_SECONDS)
    return Forecast(
        name=organisation.name,
        years_used=held.used,
        horizon=horizon,
        projection=projection,
        history=history,
    )


def pooled_forecast(
    alliance: Organisation, *, horizon: int = DEFAULT_HORIZON, scenario: Scenario | None = None
) -> Forecast:
    """The alliance's forecast: each sharing council's own forecast, added together simulation
    by simulation. `NotEnoughReturns` when no sharing council has enough years."""
    parts: list[Forecast] = []
    left_out: list[tuple[str, str]] = []
    for council in pooled_councils(alliance):
        try:
            parts.append(council_forecast(council, horizon=horizon, scenario=scenario))
        except NotEnoughReturns as exc:
            left_out.append((council.name, " ".join(exc.messages)))
    if not parts:
        why = "; ".join(f"{name}: {reason}" for name, reason in left_out) or (
            "no council shares its SSDA903 returns with the alliance under an agreement in force"
        )
        raise NotEnoughReturns(f"There is no pooled forecast for {alliance.name} yet. {why}")
    return Forecast(
        name=alliance.name,
        years_used=tuple(sorted(set.intersection(*(set(p.years_used) for p in parts)))),
        horizon=horizon,
        projection=add_together([p.projection for p in parts]),
        councils=[p.name for p in parts],
        left_out=left_out,
    )


def add_together(projections: list[Projection]) -> Projection:
    """Councils' projections added simulation by simulation (see the module's docstring)."""
    return projections[0] if len(projections) == 1 else combine(projections)
