"""The council's Edge of Care settings: how many hours each urgency has for a first response."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from alliance.audit import services as audit
from alliance.edgeofcare.models import DEFAULT_TARGET_HOURS, CouncilSettings, ResponseTarget
from alliance.organisations.models import Organisation


def council_settings(organisation: Organisation) -> CouncilSettings:
    found, _ = CouncilSettings.objects.get_or_create(organisation=organisation)
    return found


def target_hours(organisation: Organisation | int) -> dict[str, int]:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    hours = {str(k): v for k, v in DEFAULT_TARGET_HOURS.items()}
    for urgency, h in ResponseTarget.objects.filter(organisation_id=org_id).values_list(
        "urgency", "hours"
    ):
        hours[urgency] = h
    return hours


def set_target_hours(organisation: Organisation, hours: dict[str, int]) -> None:
    """Change the council's targets. Referrals already waiting keep the due time they were given
    (the family was told what to expect); new referrals use the new targets."""
    with transaction.atomic():
        for urgency, h in hours.items():
            ResponseTarget.objects.update_or_create(
                organisation=organisation, urgency=urgency, defaults={"hours": h}
            )


def save_settings(settings: CouncilSettings, hours: dict[str, int], *, user: Any) -> None:
    """Save the council's settings (as changed by the practitioner) and its response targets,
    audited as one change made by `user`."""
    with transaction.atomic():
        settings.save()
        set_target_hours(settings.organisation, hours)
        audit.record(None, audit.Action.CHANGE, settings, user=user)
