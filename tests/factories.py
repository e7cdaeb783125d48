"""Plain factory functions for the service's records (people, organisations, memberships)."""

from __future__ import annotations

import itertools
from typing import Any

from alliance.accounts.models import Membership, Role, User
from alliance.organisations.models import AllianceMember, Council, Organisation

_counter = itertools.count(1)
PASSWORD = "correct horse battery staple"


def council(dfe_code: str) -> Council:
    """A real council from the loaded reference data, e.g. council("392") is North Tyneside."""
    return Council.objects.select_related("organisation").get(dfe_code=dfe_code)


def organisation(kind: str = Organisation.Kind.ALLIANCE, name: str | None = None) -> Organisation:
    n = next(_counter)
    name = name or f"Test {kind} {n}"
    return Organisation.objects.create(kind=kind, name=name, slug=f"test-{kind}-{n}")


def alliance(*dfe_codes: str, name: str | None = None) -> Organisation:
    org = organisation(Organisation.Kind.ALLIANCE, name)
    for code in dfe_codes:
        AllianceMember.objects.create(alliance=org, council=council(code))
    return org


def user(role: Role | None = None, org: Organisation | None = None, **fields: Any) -> User:
    n = next(_counter)
    username = fields.pop("username", f"person{n}@example.test")
    person = User.objects.create_user(
        username=username, email=username, password=PASSWORD, **fields
    )
    if role is not None:
        assert org is not None, "a role needs an organisation"
        Membership.objects.create(user=person, organisation=org, role=role)
    return person


def member_of(org: Organisation, role: Role) -> User:
    return user(role, org)


def body_of(response: Any) -> bytes:
    """A response's whole body, whether it was streamed (CSV downloads) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content
