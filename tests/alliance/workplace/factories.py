"""Factory functions for WorkPlace records, on the real reference data (South Tyneside is 393)."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from alliance.accounts.models import Role, User
from alliance.organisations.models import Organisation
from alliance.workplace import postcodes
from alliance.workplace.models import Adviser, EmployerProfile, Opportunity, YoungPerson
from tests import factories

_n = itertools.count(1)
# Real postcodes from the ONS directory: South Shields town hall area, Jarrow, Sunderland, Hexham.
SOUTH_SHIELDS = "NE33 2RL"
JARROW = "NE32 3DT"
SUNDERLAND = "SR1 3AA"
HEXHAM = "NE46 3NH"


def south_tyneside() -> Organisation:
    return factories.council("393").organisation


def adviser(council: Organisation | None = None, kind: str = Adviser.Kind.PERSONAL) -> User:
    council = council or south_tyneside()
    user = factories.user(Role.COUNCIL_PRACTITIONER, council)
    Adviser.objects.create(user=user, organisation=council, kind=kind)
    return user


def born_aged(age: int, today: dt.date | None = None) -> dt.date:
    today = today or dt.date.today()
    return today.replace(year=today.year - age) - dt.timedelta(days=40)


def young_person(council: Organisation | None = None, **fields: Any) -> YoungPerson:
    n = next(_n)
    values: dict[str, Any] = {
        "organisation": council or south_tyneside(),
        "first_name": f"Alex{n}",
        "last_name": "Testperson",
        "date_of_birth": born_aged(18),
        "legal_status": YoungPerson.LegalStatus.FORMER_RELEVANT,
        "postcode": SOUTH_SHIELDS,
        "interests": ["logistics"],
        "skills": ["teamwork"],
        "max_travel_miles": 10,
    }
    values.update(fields)
    grid = postcodes.NORTH_EAST.grid_reference(values["postcode"])
    values.setdefault("easting", grid[0] if grid else None)
    values.setdefault("northing", grid[1] if grid else None)
    return YoungPerson.objects.create(**values)


def employer(
    council: Organisation | None = None,
    name: str | None = None,
    status: str = EmployerProfile.Status.APPROVED,
) -> Organisation:
    org = factories.organisation(Organisation.Kind.EMPLOYER, name)
    EmployerProfile.objects.create(
        status=status,
        organisation=org,
        council=council or south_tyneside(),
        sector="logistics",
        postcode=JARROW,
        contact_name="Test Contact",
        contact_email="contact@example.test",
    )
    return org


def opportunity(employer_org: Organisation | None = None, **fields: Any) -> Opportunity:
    employer_org = employer_org or employer()
    values: dict[str, Any] = {
        "employer": employer_org,
        "council": employer_org.employer_profile.council,
        "title": f"Warehouse apprenticeship {next(_n)}",
        "kind": Opportunity.Kind.APPRENTICESHIP,
        "description": "Learn the warehouse trade.",
        "postcode": JARROW,
        "hours_per_week": 37,
        "interests": ["logistics"],
        "skills": [],
        "support": ["interview"],
        "closing_date": dt.date.today() + dt.timedelta(days=30),
    }
    values.update(fields)
    grid = postcodes.NORTH_EAST.grid_reference(values["postcode"])
    values.setdefault("easting", grid[0] if grid else None)
    values.setdefault("northing", grid[1] if grid else None)
    return Opportunity.objects.create(**values)
