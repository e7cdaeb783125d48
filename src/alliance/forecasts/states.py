"""The forecast's states and age bands in the pages' words, and the default unit costs, read from
the bottom-up library (`forecast.bottom_up`) in one place."""

from __future__ import annotations

from forecast.bottom_up.costs import UnitCosts, default_unit_costs
from forecast.bottom_up.simulate import ALL
from forecast.bottom_up.states import AGE_BANDS, STATE_NAMES, STATES

__all__ = [
    "AGE_BANDS",
    "ALL",
    "STATES",
    "default_source",
    "default_weekly_pence",
    "label",
    "library_costs",
]


def label(state: str) -> str:
    """A state as the pages name it."""
    if state == ALL:
        return "All children looked after"
    return STATE_NAMES.get(state, state.replace("_", " ").capitalize())


def default_weekly_pence(dfe_code: str | None = None) -> dict[str, int | None]:
    """{state: the default weekly cost in whole pence, or None where nothing is published}."""
    defaults = default_unit_costs(dfe_code)
    return {
        state: None if pounds is None else round(pounds * 100)
        for state, pounds in defaults.weekly.items()
    }


def default_source(dfe_code: str | None = None) -> dict[str, str]:
    """{state: where its default comes from}."""
    return dict(default_unit_costs(dfe_code).sources)


def library_costs(pence: dict[str, int | None]) -> UnitCosts:
    """The council's costs as the library takes them (pounds; None where not set)."""
    return UnitCosts(
        weekly={state: None if p is None else p / 100 for state, p in pence.items()},
    )
