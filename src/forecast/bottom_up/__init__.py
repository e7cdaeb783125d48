"""The bottom-up forecast: children moving between kinds of placement, from a council's own
SSDA903 returns (three or more consecutive years), projected one to five years ahead.

    history = load_history(paths)            # or history_from_tables({year: tables}) in the service
    model = fit(history)
    baseline = project(model, horizon=3, seed=0, unit_costs=default_unit_costs())
    changed = project(model, 3, seed=0, scenario=Scenario(entry_change={"10-15": -0.1}))
    difference = compare(baseline, changed)

Django-free (an import contract keeps it so); docs/forecast.md explains the model.
"""

from __future__ import annotations

from forecast.bottom_up.costs import UnitCosts, default_unit_costs
from forecast.bottom_up.history import (
    ForecastInputError,
    History,
    history_from_tables,
    load_history,
)
from forecast.bottom_up.model import Model, fit
from forecast.bottom_up.scenarios import Scenario, compare
from forecast.bottom_up.simulate import Projection, project
from forecast.bottom_up.states import AGE_BANDS, STATE_NAMES, STATES

__all__ = [
    "AGE_BANDS",
    "STATES",
    "STATE_NAMES",
    "ForecastInputError",
    "History",
    "Model",
    "Projection",
    "Scenario",
    "UnitCosts",
    "compare",
    "default_unit_costs",
    "fit",
    "history_from_tables",
    "load_history",
    "project",
]
