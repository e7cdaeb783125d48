"""Services and waiting lists: places taken, starting a child from the waiting list, the family's
progress with a service and ending an allocation. Each change is audited as a change to the
family's referral, made by the acting `user` (None: the service itself)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from alliance.audit import services as audit
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import AllocationMethod, Service, ServiceAllocation


def places_taken(services: Iterable[Service]) -> dict[int, tuple[int, int]]:
    """Service id → (families being worked with, families waiting)."""
    ids = [s.pk for s in services]
    # `status IN (...)` rather than "not ended": the status index then reads only the families
    # being worked with or waiting, not every allocation there has ever been.
    rows = (
        ServiceAllocation.objects.filter(
            service_id__in=ids,
            status__in=[ServiceAllocation.Status.ACTIVE, ServiceAllocation.Status.WAITING],
        )
        .values("service_id")
        .annotate(
            active=Count("id", filter=Q(status=ServiceAllocation.Status.ACTIVE)),
            waiting=Count("id", filter=Q(status=ServiceAllocation.Status.WAITING)),
        )
    )
    found = {r["service_id"]: (r["active"], r["waiting"]) for r in rows}
    return {i: found.get(i, (0, 0)) for i in ids}


def save_service(service: Service, *, user: Any) -> None:
    """Add a service to the council's catalogue or change it (names are unique in a council),
    audited as made by `user`."""
    if (
        Service.objects.filter(organisation_id=service.organisation_id, name=service.name)
        .exclude(pk=service.pk)
        .exists()
    ):
        raise EdgeOfCareError("There is already a service with this name", "name")
    with transaction.atomic():
        new = service.pk is None
        service.save()
        audit.record(None, audit.Action.CREATE if new else audit.Action.CHANGE, service, user=user)


def start_from_waiting_list(
    allocation: ServiceAllocation, when: dt.datetime | None = None, *, user: Any = None
) -> None:
    """A place came free: the family leaves the waiting list and the service starts (the time is
    kept, so the evaluation knows how long each family waited)."""
    when = when or timezone.now()
    if allocation.status != ServiceAllocation.Status.WAITING:
        raise EdgeOfCareError(f"{allocation.service.name} is not on the waiting list")
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=allocation.service_id)
        active, _ = places_taken([service])[service.pk]
        if active >= service.capacity:
            raise EdgeOfCareError(f"{service.name} has no free place yet")
        if allocation.referral.allocation_method == AllocationMethod.WAITING_LIST:
            # Places go in waiting-list order: that is what makes the families who waited a fair
            # comparison. A family that cannot take its place comes off the list (end it) first.
            ahead = (
                ServiceAllocation.objects.filter(
                    service=service,
                    status=ServiceAllocation.Status.WAITING,
                    referral__allocation_method=AllocationMethod.WAITING_LIST,
                    waiting_from__lt=allocation.waiting_from,
                )
                .select_related("referral")
                .order_by("waiting_from")
                .first()
                if allocation.waiting_from is not None
                else None
            )
            if ahead is not None:
                raise EdgeOfCareError(
                    f"{ahead.referral.reference} has waited longer for {service.name}: the "
                    "council gives places in waiting-list order, so offer this place to that "
                    "family first, or take them off the waiting list"
                )
        allocation.status = ServiceAllocation.Status.ACTIVE
        allocation.started_at = when
        allocation.save(update_fields=["status", "started_at"])
        _audit(allocation, "start", user)


def end_allocation(allocation: ServiceAllocation, *, user: Any = None) -> None:
    with transaction.atomic():
        allocation.status = ServiceAllocation.Status.ENDED
        allocation.ended_at = timezone.now()
        allocation.save(update_fields=["status", "ended_at"])
        _audit(allocation, "end", user)


def record_progress(allocation: ServiceAllocation, progress: str, *, user: Any = None) -> None:
    """How the family is getting on with this service."""
    with transaction.atomic():
        allocation.progress = progress
        allocation.save(update_fields=["progress"])
        _audit(allocation, "progress", user)


def _audit(allocation: ServiceAllocation, action: str, user: Any) -> None:
    audit.record(
        None,
        audit.Action.CHANGE,
        allocation.referral,
        user=user,
        detail={"allocation": allocation.pk, "action": action},
    )
