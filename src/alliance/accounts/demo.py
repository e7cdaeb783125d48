"""Demo organisations and people, one per role, for trying the service locally.

Everything made here is fictional except the councils themselves (which come from the public
reference data). Demo people exist only outside production.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from alliance.accounts.models import Membership, Role
from alliance.organisations.models import AllianceMember, Council, Organisation

# Published in the README: demo sign-ins are for local trials only and refused in production.
DEMO_PASSWORD = "demo-password-2026"  # noqa: S105


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    role: Role
    organisation_slug: str


DEMO_PEOPLE = [
    DemoPerson(
        "analyst@north-tyneside.demo", "Asha Analyst (demo)", Role.COUNCIL_ANALYST, "north-tyneside"
    ),
    DemoPerson(
        "practitioner@north-tyneside.demo",
        "Pat Practitioner (demo)",
        Role.COUNCIL_PRACTITIONER,
        "north-tyneside",
    ),
    DemoPerson(
        "adviser@south-tyneside.demo",
        "Priya Adviser (demo)",
        Role.COUNCIL_PRACTITIONER,
        "south-tyneside",
    ),
    DemoPerson(
        "leader@south-tyneside.demo", "Lee Leader (demo)", Role.COUNCIL_LEADER, "south-tyneside"
    ),
    DemoPerson("analyst@sunderland.demo", "Sam Analyst (demo)", Role.COUNCIL_ANALYST, "sunderland"),
    DemoPerson(
        "lead@tyneside-alliance.demo", "Alex Lead (demo)", Role.ALLIANCE_LEAD, "tyneside-alliance"
    ),
    DemoPerson(
        "analyst@dfe.demo", "Dee Analyst (demo)", Role.DFE_ANALYST, "department-for-education"
    ),
    DemoPerson(
        "admin@north-tyneside.demo",
        "Noor Organiser (demo)",
        Role.ORGANISATION_ADMINISTRATOR,
        "north-tyneside",
    ),
    DemoPerson(
        "admin@alliance.demo",
        "Ada Administrator (demo)",
        Role.ADMINISTRATOR,
        "department-for-education",
    ),
]


def ensure_core_organisations() -> dict[str, Organisation]:
    """The DfE and the Tyneside Alliance (North and South Tyneside), which the programme's demo
    and the real story both start from."""
    dfe, _ = Organisation.objects.get_or_create(
        slug="department-for-education",
        defaults={"kind": Organisation.Kind.DFE, "name": "Department for Education"},
    )
    tyneside, _ = Organisation.objects.get_or_create(
        slug="tyneside-alliance",
        defaults={"kind": Organisation.Kind.ALLIANCE, "name": "Tyneside Alliance"},
    )
    for code in (
        "392",
        "393",
    ):  # North Tyneside, South Tyneside (DfE codes, from the reference data)
        council = Council.objects.filter(dfe_code=code).first()
        if council is not None:
            AllianceMember.objects.get_or_create(alliance=tyneside, council=council)
    return {"dfe": dfe, "tyneside": tyneside}


@transaction.atomic
def create_demo_people() -> list[DemoPerson]:
    ensure_core_organisations()
    user_model = get_user_model()
    made: list[DemoPerson] = []
    for person in DEMO_PEOPLE:
        organisation = Organisation.objects.filter(slug=person.organisation_slug).first()
        if organisation is None:
            continue  # the council is not loaded (reference data missing)
        user = user_model.objects.filter(username=person.username).first()
        if user is None:
            user = user_model.objects.create_user(
                username=person.username,
                email=person.username,
                password=DEMO_PASSWORD,
                full_name=person.full_name,
            )
        Membership.objects.get_or_create(user=user, organisation=organisation, role=person.role)
        made.append(person)
    return made
