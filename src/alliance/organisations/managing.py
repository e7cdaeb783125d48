"""Adding organisations and changing which councils belong to an alliance, each change written to
the audit log before and after. Councils themselves come from the public reference data."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db import transaction
from django.db.models import Model
from django.http import HttpRequest
from django.utils import timezone
from django.utils.text import slugify

from alliance.audit import services as audit
from alliance.audit.admin_changes import changes, snapshot
from alliance.organisations.models import (
    AllianceMember,
    AllianceMembership,
    Council,
    Organisation,
)

VIA = "organisation pages"
# Kinds added in the service (councils come from the reference data).
ADDED_KINDS = (Organisation.Kind.ALLIANCE, Organisation.Kind.DFE, Organisation.Kind.EMPLOYER)


class Refused(Exception):
    """A change the rules do not allow; its message is shown as it is."""


def _unique_slug(name: str) -> str:
    base = slugify(name)[:90] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def add_organisation(request: HttpRequest, *, kind: str, name: str) -> Organisation:
    name = " ".join(name.split())
    if kind not in ADDED_KINDS:
        raise Refused(
            "Councils come from the public reference data: choose an alliance, the DfE or an employer"
        )
    if Organisation.objects.filter(kind=kind, name__iexact=name).exists():
        raise Refused(f"There is already an organisation called {name}")
    organisation = Organisation.objects.create(kind=kind, name=name, slug=_unique_slug(name))
    audit.record(
        request,
        audit.Action.CREATE,
        organisation,
        detail={"via": VIA, "changes": changes({}, snapshot(organisation))},
    )
    return organisation


def _record(
    request: HttpRequest, action: str, obj: Model, before: dict[str, Any], after: dict[str, Any]
) -> None:
    audit.record(
        request,
        action,
        obj,
        object_id=str(obj.pk) if obj.pk is not None else str(before.get("id", "")),
        organisation_id=getattr(obj, "alliance_id", None),
        detail={"via": VIA, "changes": changes(before, after)},
    )


@transaction.atomic
def start_membership(
    request: HttpRequest, alliance: Organisation, council: Council, kind: str, starts_on: date
) -> AllianceMembership:
    """A council joins an alliance as a partner, or the alliance starts supporting it. A partner
    is a member council from today (the rest of the service reads AllianceMember)."""
    if alliance.kind != Organisation.Kind.ALLIANCE:
        raise Refused(f"{alliance.name} is not an alliance")
    if kind not in AllianceMembership.Kind.values:
        raise Refused("Choose partner or supported")
    if starts_on > timezone.localdate():
        raise Refused("The start date must be today or in the past")
    periods = AllianceMembership.objects.select_for_update().filter(
        alliance=alliance, council=council
    )
    if periods.filter(ends_on__isnull=True).exists() or (
        kind == AllianceMembership.Kind.PARTNER
        and AllianceMember.objects.filter(alliance=alliance, council=council).exists()
    ):
        raise Refused(f"{council.name} is already with {alliance.name}: end that first")
    if periods.filter(ends_on__gte=starts_on).exists():
        raise Refused(
            f"{council.name} was with {alliance.name} on that date: choose a later start date"
        )
    period = AllianceMembership.objects.create(
        alliance=alliance, council=council, kind=kind, starts_on=starts_on
    )
    _record(request, audit.Action.CREATE, period, {}, snapshot(period))
    if kind == AllianceMembership.Kind.PARTNER:
        member = AllianceMember.objects.create(alliance=alliance, council=council)
        _record(request, audit.Action.CREATE, member, {}, snapshot(member))
    return period


@transaction.atomic
def end_membership(request: HttpRequest, period: AllianceMembership, ends_on: date) -> None:
    if period.ends_on is not None:
        raise Refused(f"{period.council.name}'s time with {period.alliance.name} has already ended")
    if ends_on > timezone.localdate():
        raise Refused("The end date must be today or in the past")
    if ends_on < period.starts_on:
        raise Refused(f"The end date must be on or after {period.starts_on:%-d %B %Y}")
    before = snapshot(period)
    period.ends_on = ends_on
    period.save(update_fields=["ends_on"])
    _record(request, audit.Action.CHANGE, period, before, snapshot(period))
    if period.kind == AllianceMembership.Kind.PARTNER:
        for member in AllianceMember.objects.filter(
            alliance=period.alliance, council=period.council
        ):
            remove_member(request, member)


@transaction.atomic
def remove_member(request: HttpRequest, member: AllianceMember) -> None:
    """A member council recorded before memberships had dates (or whose partner time has ended)
    stops being one of the alliance's councils."""
    before = snapshot(member)
    member.delete()
    _record(request, audit.Action.DELETE, member, before, {})
