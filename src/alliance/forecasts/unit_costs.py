"""A council's weekly unit costs per state of the forecast: its own where its analysts set them,
else the defaults derived from published data (`forecast.bottom_up.costs`), with their source.

Every change is made in one transaction with its audit row, which records each cost before and
after; a refused change stores nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction

from alliance.audit import services as audit
from alliance.forecasts import states
from alliance.forecasts.models import UnitCost
from alliance.organisations.models import Organisation

# A week of the dearest residential placement is well under £50,000; more is a typing slip.
MOST_PENCE = 100_000 * 100


@dataclass(frozen=True)
class Cost:
    state: str
    label: str
    weekly_pence: int | None  # what the forecast uses: the council's own, else the default
    default_pence: int | None  # None: nothing published (left out of spending until set)
    source: str  # where the default comes from
    own: bool  # set by the council
    changed_at: Any = None
    changed_by: str = ""


def costs(organisation: Organisation) -> list[Cost]:
    """Every priced state's weekly cost for the council, in the order of the states."""
    code = getattr(getattr(organisation, "council", None), "dfe_code", None)
    defaults = states.default_weekly_pence(code)
    sources = states.default_source(code)
    own = {
        c.state: c
        for c in UnitCost.objects.filter(organisation=organisation).select_related("changed_by")
    }
    rows = []
    for state, default in defaults.items():
        mine = own.get(state)
        rows.append(
            Cost(
                state=state,
                label=states.label(state),
                weekly_pence=mine.weekly_pence if mine else default,
                default_pence=default,
                source=sources.get(state, ""),
                own=mine is not None,
                changed_at=mine.changed_at if mine else None,
                changed_by=(mine.changed_by.get_username() if mine and mine.changed_by else ""),
            )
        )
    return rows


def weekly_pence(organisation: Organisation) -> dict[str, int | None]:
    """{state: weekly cost in pence} as the forecast uses them."""
    return {c.state: c.weekly_pence for c in costs(organisation)}


def set_costs(
    organisation: Organisation, pence: dict[str, int | None], *, user: Any
) -> list[dict[str, Any]]:
    """Set the council's weekly costs (None: go back to the default), audited with each cost
    before and after. Returns the changes made ([] when nothing changed: no audit row)."""
    defaults = states.default_weekly_pence()
    unknown = sorted(set(pence) - set(defaults))
    if unknown:
        raise ValidationError(f"There is no placement category called {', '.join(unknown)}")
    for state, value in pence.items():
        if value is not None and not 0 <= value <= MOST_PENCE:
            raise ValidationError(
                f"The weekly cost of {states.label(state).lower()} must be from £0 to £100,000"
            )
    with transaction.atomic():
        current = {
            c.state: c
            for c in UnitCost.objects.select_for_update().filter(organisation=organisation)
        }
        changes = []
        for state, value in pence.items():
            mine = current.get(state)
            before = mine.weekly_pence if mine else None
            if value == before or (value is None and mine is None):
                continue
            if value is None:
                assert mine is not None
                mine.delete()
            elif mine is None:
                UnitCost.objects.create(
                    organisation=organisation, state=state, weekly_pence=value, changed_by=user
                )
            else:
                mine.weekly_pence = value
                mine.changed_by = user
                mine.save(update_fields=["weekly_pence", "changed_by", "changed_at"])
            changes.append(
                {
                    "state": state,
                    "before": before if before is not None else f"default {defaults[state]}",
                    "after": value if value is not None else f"default {defaults[state]}",
                }
            )
        if changes:
            audit.record(
                None,
                audit.Action.CHANGE,
                user=user,
                object_type="forecasts.UnitCost",
                object_repr=f"Weekly unit costs, {organisation}",
                organisation_id=organisation.pk,
                detail={"unit": "pence a week", "changes": changes},
            )
    return changes
