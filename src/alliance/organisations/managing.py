"""Adding organisations and changing which councils belong to an alliance, each change written to
the audit log before and after. Councils themselves come from the public reference data."""

from __future__ import annotations

from django.db import transaction
from django.http import HttpRequest
from django.utils.text import slugify

from alliance.audit import services as audit
from alliance.audit.admin_changes import changes, snapshot
from alliance.organisations.models import AllianceMember, Council, Organisation

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


@transaction.atomic
def add_member(request: HttpRequest, alliance: Organisation, council: Council) -> AllianceMember:
    if alliance.kind != Organisation.Kind.ALLIANCE:
        raise Refused(f"{alliance.name} is not an alliance")
    if AllianceMember.objects.filter(alliance=alliance, council=council).exists():
        raise Refused(f"{council.name} is already a member of {alliance.name}")
    member = AllianceMember.objects.create(alliance=alliance, council=council)
    audit.record(
        request,
        audit.Action.CREATE,
        member,
        organisation_id=alliance.pk,
        detail={"via": VIA, "changes": changes({}, snapshot(member))},
    )
    return member


@transaction.atomic
def remove_member(request: HttpRequest, member: AllianceMember) -> None:
    before, pk = snapshot(member), str(member.pk)
    alliance_id = member.alliance_id
    member.delete()
    audit.record(
        request,
        audit.Action.DELETE,
        member,
        object_id=pk,
        organisation_id=alliance_id,
        detail={"via": VIA, "changes": changes(before, {})},
    )
