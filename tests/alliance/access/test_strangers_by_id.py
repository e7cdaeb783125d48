"""An outsider's probe: every URL with an id, filled with the demo records' real ids, asked for
(GET) and sent an empty form (POST) by a *stranger* — someone with the very role that opens the
page, but in an organisation the record does not belong to (a council outside the alliance, an
alliance of other councils, another employer, another young person of the same council).

The role-level guard lets them in; only the record-level check can stop them. Each must get a
404 or 403 (a POST may also get a 405), never the record, a form about it, or a redirect that
means something was changed; and every such refusal of an existing record is audited."""

from __future__ import annotations

from typing import Any

import pytest

from alliance.access.policy import GRANTS, Reach
from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.organisations.models import Organisation
from tests import factories, two_step
from tests.alliance import world
from tests.alliance.workplace import factories as workplace_factories

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("django-admin/", "api/v1/")

# Parameters that name no record of anyone's: a stranger sees the same as the owner.
# (route -> why it is not a probe)
_LIBRARY = "the practice library is everyone's on the programme (docs/programme.md)"
NOT_RECORDS: dict[str, str] = {
    "programme/practice/<int:pk>/": _LIBRARY,
    "programme/practice/<int:pk>/evidence/": _LIBRARY,
    "programme/practice/<int:pk>/attachment/": _LIBRARY,
    "api-tokens/<int:pk>/revoke/": "the demo issues no API tokens (tests/alliance/api probe them)",
}


def _strangers() -> dict[Role, Any]:
    """One stranger for each role whose grants reach only some organisations' records."""
    gateshead = factories.council("390").organisation  # not in the Tyneside Alliance
    elsewhere = factories.alliance("390", "391", name="Another Alliance")
    employer = factories.organisation(Organisation.Kind.EMPLOYER, "Another Employer Ltd")
    orgs = {
        Role.COUNCIL_ANALYST: gateshead,
        Role.COUNCIL_PRACTITIONER: gateshead,
        Role.COUNCIL_LEADER: gateshead,
        Role.ORGANISATION_ADMINISTRATOR: gateshead,
        Role.ALLIANCE_LEAD: elsewhere,
        Role.EMPLOYER: employer,
        Role.YOUNG_PERSON: gateshead,
    }
    people = {role: factories.user(role, org) for role, org in orgs.items()}
    # a care leaver of another council, with their own record
    workplace_factories.young_person(gateshead, user=people[Role.YOUNG_PERSON])
    return people


def _stranger_roles(access: Any) -> list[Role]:
    if not isinstance(access, tuple):
        return []
    area, action = access
    roles = []
    for role, grants in GRANTS.items():
        grant = grants.get(area)
        if grant is not None and action in grant.actions and grant.reach is not Reach.ALL:
            roles.append(role)
    return roles


def _refusals_of(who: Any, after: int) -> int:
    return AuditEvent.objects.filter(
        pk__gt=after, user_id=who.pk, action=AuditEvent.Action.ACCESS_DENIED
    ).count()


def test_a_stranger_with_the_right_role_reaches_no_record_by_its_id(
    client, reference_data, settings, tmp_path
):
    world.build(settings, tmp_path)
    strangers = _strangers()
    leaks: list[str] = []
    unaudited: list[str] = []
    probed = 0
    for route, view in world.routes():
        if "<" not in route or route.startswith(SKIPPED_PREFIXES) or route in NOT_RECORDS:
            continue
        url = world.url_of(route)
        for role in _stranger_roles(getattr(view, "_alliance_access", None)):
            who = strangers[role]
            two_step.force_verified_login(client, who)
            for method in ("get", "post"):
                last = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first()
                response = getattr(client, method)(url)
                if response.streaming:
                    b"".join(response.streaming_content)  # read to its end: the file is closed
                probed += 1
                status = response.status_code
                allowed = (403, 404, 405)  # 405: a GET to a change's address
                if status not in allowed:
                    where = response.get("Location", "")
                    leaks.append(f"{method.upper()} {url} as {role.value}: {status} {where}")
                elif status != 405 and not _refusals_of(who, last or 0):
                    unaudited.append(f"{method.upper()} {url} as {role.value}: {status}")
    assert probed > 50
    assert not leaks, "a stranger reached another organisation's record:\n" + "\n".join(leaks)
    assert not unaudited, "refusals with no audit row:\n" + "\n".join(unaudited)
