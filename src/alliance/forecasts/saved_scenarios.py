"""Scenarios saved under a name, so an analyst can open one again instead of retyping it: a
council's for its forecast from returns, an alliance's for its pooled forecast. Whoever may see
that forecast sees its saved scenarios; whoever may change it (its analysts and leaders, or the
alliance's lead) saves and deletes them. Every save, opening and deletion is audited with who,
when and whose forecast.

What is kept is the scenario form's values as typed, checked again by the form when opened (a
saved scenario that no longer passes shows the form's own error messages, not a wrong forecast).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alliance.audit import services as audit
from alliance.forecasts.forms import ScenarioForm
from alliance.forecasts.models import SavedScenario
from alliance.organisations.models import Organisation

NAME_LENGTH = SavedScenario._meta.get_field("name").max_length or 100


def saved(organisation: Organisation) -> list[SavedScenario]:
    """The scenarios saved for this council's (or alliance's) forecast, by name."""
    return list(
        SavedScenario.objects.filter(organisation=organisation)
        .select_related("saved_by")
        .order_by("name")
    )


def values_of(form: ScenarioForm) -> dict[str, str]:
    """The scenario form's filled-in fields as typed, to store (the form must be valid)."""
    return {
        name: str(form.data[name])
        for name in form.fields
        if form.cleaned_data.get(name) not in (None, "") and name in form.data
    }


def save(
    request: HttpRequest, organisation: Organisation, name: str, values: dict[str, str]
) -> tuple[SavedScenario, bool]:
    """Save `values` under `name` for the organisation's forecast, replacing a scenario saved
    under the same name. Returns it and whether it replaced one; audited either way."""
    user: Any = request.user
    name = " ".join(name.split())
    if not name:
        raise ValidationError("Enter a name for the scenario")
    if len(name) > NAME_LENGTH:
        raise ValidationError(f"Enter a name of {NAME_LENGTH} characters or fewer")
    with transaction.atomic():
        scenario, created = SavedScenario.objects.select_for_update().update_or_create(
            organisation=organisation,
            name=name,
            defaults={"values": values, "saved_by": user},
        )
        action = audit.Action.CREATE if created else audit.Action.CHANGE
        _audit(request, action, scenario, detail={"values": values})
    return scenario, not created


def opened(request: HttpRequest, scenario: SavedScenario) -> dict[str, Any]:
    """The saved scenario's values for the form, its opening audited."""
    _audit(request, audit.Action.VIEW, scenario)
    return dict(scenario.values)


def delete(request: HttpRequest, scenario: SavedScenario) -> None:
    """Delete the saved scenario, audited with what it held."""
    with transaction.atomic():
        _audit(request, audit.Action.DELETE, scenario, detail={"values": scenario.values})
        scenario.delete()


def _audit(
    request: HttpRequest, action: str, scenario: SavedScenario, detail: dict[str, Any] | None = None
) -> None:
    """One audit row: who (the request's person), when, which scenario of whose forecast."""
    audit.record(
        request,
        action,
        scenario,
        object_repr=f"Saved scenario '{scenario.name}', {scenario.organisation.name}",
        organisation_id=scenario.organisation_id,
        detail=detail,
    )
