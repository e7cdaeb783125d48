"""Referrals and triage: checking for duplicates, taking a referral, recording contacts, the
triage decision and closing a referral. No request objects here; views and tasks call these
with the acting `user` (None: the service itself, as when loading demonstration data), and each
change is audited here, in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliance.audit import services as audit
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import Arm, Child, Referral, Service, ServiceAllocation
from alliance.edgeofcare.returns_data import looked_after_now
from alliance.edgeofcare.targets import council_settings, target_hours
from alliance.edgeofcare.waiting_lists import places_taken
from alliance.organisations import postcodes
from alliance.organisations.models import Organisation


@dataclass(frozen=True)
class ChildDetails:
    first_name: str
    last_name: str
    date_of_birth: dt.date


def find_duplicates(
    organisation: Organisation, postcode: str, children: Iterable[ChildDetails]
) -> list[Referral]:
    """Earlier referrals of what looks like the same family: the same postcode and at least one
    child with the same date of birth or the same first and last name."""
    postcode = postcodes.normalise(postcode)
    kids = list(children)
    if not postcode or not kids:
        return []
    child_q = Q()
    for c in kids:
        child_q |= Q(date_of_birth=c.date_of_birth)
        child_q |= Q(first_name__iexact=c.first_name.strip(), last_name__iexact=c.last_name.strip())
    ids = (
        Child.objects.filter(
            child_q, referral__organisation=organisation, referral__postcode=postcode
        )
        .values_list("referral_id", flat=True)
        .distinct()
    )
    return list(
        Referral.objects.filter(pk__in=list(ids))
        .prefetch_related("children")
        .order_by("-received_at")
    )


def due_at(organisation: Organisation, urgency: str, received_at: dt.datetime) -> dt.datetime:
    return received_at + dt.timedelta(hours=target_hours(organisation)[urgency])


def create_referral(
    organisation: Organisation,
    user: Any,
    fields: dict[str, Any],
    children: Sequence[dict[str, Any]],
    members: Sequence[dict[str, Any]] = (),
) -> Referral:
    """Save a referral with its children and family members, all or nothing."""
    if not fields.get("consent_basis"):
        raise EdgeOfCareError(
            "Select the lawful basis for sharing this family's information", "consent_basis"
        )
    if not children:
        raise EdgeOfCareError("Add at least one child", "children")
    for child in children:
        if child.get("la_child_id") and looked_after_now(organisation, child["la_child_id"]):
            raise EdgeOfCareError(
                f"{child['first_name']} is already looked after (the council's latest SSDA903 "
                "return shows an open episode of care): Edge of Care is for children not in care",
                "children",
            )
    settings = council_settings(organisation)
    with transaction.atomic():
        received = fields.pop("received_at", None) or timezone.now()
        referral = Referral(
            organisation=organisation,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            received_at=received,
            allocation_method=settings.allocation_method,
            **fields,
        )
        referral.postcode = postcodes.normalise(referral.postcode)
        referral.due_at = due_at(organisation, referral.urgency, received)
        referral.full_clean(exclude=["created_by"])
        referral.save()
        for child in children:
            c = Child(referral=referral, **child)
            c.full_clean()
            c.save()
        for member in members:
            referral.members.create(**member)
        audit.record(None, audit.Action.CREATE, referral, user=user)
    return referral


def _to_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def record_contact(
    referral: Referral,
    user: Any,
    kind: str,
    happened_at: dt.datetime,
    notes: str,
    allocation: ServiceAllocation | None = None,
) -> None:
    # The form takes a time to the minute, and a referral taken at 14:30:27 whose family is
    # rung back at once has a contact at 14:30: the same minute counts as after.
    if _to_minute(happened_at) < _to_minute(referral.received_at):
        raise EdgeOfCareError(
            "The contact must be at or after the time the referral was received "
            f"({timezone.localtime(referral.received_at):%H:%M on %-d %B %Y})",
            "happened_at",
        )
    if happened_at > timezone.now() + dt.timedelta(minutes=5):
        raise EdgeOfCareError("The contact cannot be in the future", "happened_at")
    with transaction.atomic():
        referral.contacts.create(
            kind=kind,
            happened_at=happened_at,
            notes=notes,
            allocation=allocation,
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        if referral.first_contact_at is None or happened_at < referral.first_contact_at:
            referral.first_contact_at = happened_at
            if referral.status == Referral.Status.AWAITING_CONTACT:
                referral.status = Referral.Status.AWAITING_TRIAGE
            referral.save(update_fields=["first_contact_at", "status"])
        audit.record(None, audit.Action.CHANGE, referral, user=user, detail={"added": "contact"})


def triage(
    referral: Referral,
    services: Sequence[Service],
    *,
    waiting_list_ok: bool = False,
    arm: str = "",
    user: Any = None,
) -> list[ServiceAllocation]:
    """Allocate the family to one or more services. A service that is full refuses the allocation
    unless the practitioner chose to add the family to its waiting list. Where the council
    allocates at random, `arm` records which arm the family was randomised to; a family in the
    usual-care arm gets no Edge of Care services."""
    if referral.status == Referral.Status.CLOSED:
        raise EdgeOfCareError("This referral is closed")
    if referral.first_contact_at is None:
        raise EdgeOfCareError("Record the first contact with the family before triage", "services")
    if arm == Arm.USUAL_CARE:
        services = []
    elif not services:
        raise EdgeOfCareError("Select at least one service", "services")
    now = timezone.now()
    with transaction.atomic():
        # Lock the services' rows (PostgreSQL) so two practitioners cannot take the last place.
        locked = list(Service.objects.select_for_update().filter(pk__in=[s.pk for s in services]))
        taken = places_taken(locked)
        made = []
        for service in locked:
            if (
                referral.allocations.filter(service=service)
                .exclude(status=ServiceAllocation.Status.ENDED)
                .exists()
            ):
                continue
            active, _waiting = taken[service.pk]
            if active >= service.capacity:
                if not waiting_list_ok:
                    raise EdgeOfCareError(
                        f"{service.name} is full ({active} of {service.capacity} places taken): "
                        "choose another service or add the family to its waiting list",
                        "services",
                    )
                fields = {"status": ServiceAllocation.Status.WAITING, "waiting_from": now}
            else:
                fields = {"status": ServiceAllocation.Status.ACTIVE, "started_at": now}
            made.append(referral.allocations.create(service=service, allocated_at=now, **fields))
        referral.status = Referral.Status.OPEN
        referral.triaged_at = referral.triaged_at or now
        if arm:
            referral.arm = arm
        referral.save(update_fields=["status", "triaged_at", "arm"])
        audit.record(
            None,
            audit.Action.CHANGE,
            referral,
            user=user,
            detail={"triage": [a.service.name for a in made]},
        )
    return made


def close_referral(referral: Referral, reason: str, notes: str, *, user: Any = None) -> None:
    if referral.status == Referral.Status.CLOSED:
        raise EdgeOfCareError("This referral is already closed")
    if not reason:
        raise EdgeOfCareError("Select why the case is closing", "reason")
    with transaction.atomic():
        now = timezone.now()
        referral.allocations.exclude(status=ServiceAllocation.Status.ENDED).update(
            status=ServiceAllocation.Status.ENDED, ended_at=now
        )
        referral.status = Referral.Status.CLOSED
        referral.closed_at = now
        referral.closure_reason = reason
        referral.closure_notes = notes
        referral.save(update_fields=["status", "closed_at", "closure_reason", "closure_notes"])
        audit.record(None, audit.Action.CHANGE, referral, user=user, detail={"closed": reason})
