"""`alliance demo`: a saved scenario for North Tyneside's forecast from returns (by its analyst) and
one for the Tyneside Alliance's pooled forecast (by its lead), so the saved-scenario list has
something to open. Fictional choices; no child's data."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from alliance.forecasts.models import SavedScenario
from alliance.organisations.models import Organisation

SCENARIOS = (
    (
        "north-tyneside",
        "analyst@north-tyneside.demo",
        "Edge of care keeps 1 in 10 adolescents out of care",
        {"entry_10_15": "-10", "entry_16_17": "-10"},
    ),
    (
        "tyneside-alliance",
        "lead@tyneside-alliance.demo",
        "Step-downs and more in-house foster carers",
        {"step_down": "5", "in_house_places": "10"},
    ),
)


def load() -> str:
    made = 0
    for slug, username, name, values in SCENARIOS:
        organisation = Organisation.objects.filter(slug=slug).first()
        if organisation is None:
            continue
        SavedScenario.objects.update_or_create(
            organisation=organisation,
            name=name,
            defaults={
                "values": values,
                "saved_by": get_user_model().objects.filter(username=username).first(),
            },
        )
        made += 1
    return f"Saved scenarios for the forecast from returns: {made}"
