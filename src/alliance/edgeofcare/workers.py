"""Who works a family's case: the allocated worker, one of the council's people with an Edge of
Care role (the roles the access policy lets change Edge of Care records). Changing the worker is
audited, in the same transaction as the change."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from alliance.access.policy import GRANTS, Action, Area
from alliance.accounts.models import User
from alliance.audit import services as audit
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import Referral
from alliance.organisations.models import Organisation


def edge_of_care_roles() -> list[str]:
    """The roles that work Edge of Care cases (a grant to change its records)."""
    return [
        role.value
        for role, grants in GRANTS.items()
        if Area.EDGE_OF_CARE in grants and Action.CHANGE in grants[Area.EDGE_OF_CARE].actions
    ]


def workers(organisation: Organisation) -> QuerySet[User]:
    """The council's active people with an Edge of Care role, by name."""
    return (
        User.objects.filter(
            is_active=True,
            memberships__organisation=organisation,
            memberships__role__in=edge_of_care_roles(),
        )
        .distinct()
        .order_by("full_name", "username")
    )


def allocate_worker(referral: Referral, worker: User | None, *, user: Any = None) -> None:
    """Make `worker` the family's allocated worker (None: nobody)."""
    if worker is not None and not workers(referral.organisation).filter(pk=worker.pk).exists():
        raise EdgeOfCareError(
            f"{worker.display_name} does not work in {referral.organisation}'s Edge of Care "
            "service: choose someone who does",
            "worker",
        )
    was = referral.allocated_worker
    if (was.pk if was else None) == (worker.pk if worker else None):
        return
    with transaction.atomic():
        referral.allocated_worker = worker
        referral.save(update_fields=["allocated_worker"])
        audit.record(
            None,
            audit.Action.CHANGE,
            referral,
            user=user,
            detail={
                "allocated_worker": worker.display_name if worker else None,
                "was": was.display_name if was else None,
            },
        )
