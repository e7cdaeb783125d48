"""Every page in the areas that need two-step verification (alliance.access.policy.TWO_STEP_AREAS:
people and organisations) turns away a sign-in with a password only, for reading and changing
alike, before the page does anything."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from alliance.access.policy import SIGNED_IN_THROUGH, TWO_STEP_AREAS
from alliance.accounts.models import Role, User
from alliance.audit.models import AuditEvent
from alliance.organisations.models import Organisation
from tests import factories, two_step

pytestmark = pytest.mark.django_db


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, object]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), p.callback))
    return found


ROUTES = [
    route
    for route, view in _walk(get_resolver().url_patterns)
    if isinstance(access := getattr(view, "_alliance_access", None), tuple)
    and access[0] in TWO_STEP_AREAS
]


def _url(route: str, pk: int) -> str:
    return "/" + re.sub(r"<int:\w+>", str(pk), re.sub(r"<str:\w+>", "x", route))


def test_the_people_and_organisations_pages_are_found():
    assert "people/" in ROUTES
    assert "organisations/" in ROUTES
    assert "organisations/<int:pk>/single-sign-on/" in ROUTES


@pytest.fixture
def admin(reference_data):
    return factories.user(Role.ADMINISTRATOR, factories.organisation(Organisation.Kind.DFE, "DfE"))


@pytest.mark.parametrize("route", ROUTES)
def test_a_password_only_sign_in_is_sent_to_two_step_verification(admin, route):
    client = Client()
    assert (
        client.post(
            "/sign-in/", {"username": admin.username, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    people, changes = (
        User.objects.count(),
        AuditEvent.objects.exclude(action__in=[AuditEvent.Action.SIGN_IN]).count(),
    )
    url = _url(route, admin.memberships.get().organisation_id)
    for method in (client.get, client.post):
        response = method(url)
        assert response.status_code == 302, (method, url)
        assert response["Location"].startswith("/account/two-step-verification/needed/")
    assert User.objects.count() == people
    assert AuditEvent.objects.exclude(action__in=[AuditEvent.Action.SIGN_IN]).count() == changes


def test_a_sign_in_with_the_security_code_or_the_organisations_account_reaches_them(admin):
    verified = Client()
    two_step.force_verified_login(verified, admin)
    assert verified.get("/people/").status_code == 200

    through_organisation = Client()
    through_organisation.force_login(admin)
    session = through_organisation.session
    session[SIGNED_IN_THROUGH] = admin.memberships.get().organisation_id
    session.save()
    assert through_organisation.get("/people/").status_code == 200
