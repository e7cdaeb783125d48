"""A sign-in ends after 30 minutes of doing nothing and after its absolute lifetime, however busy
(issue 12, item 10)."""

from __future__ import annotations

import time

import pytest
from django.test import override_settings

from alliance.accounts.models import Role
from alliance.accounts.sessions import ACTIVE_AT, SIGNED_IN_AT
from alliance.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(reference_data):
    return factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation)


def _signed_in(client, person):
    response = client.post(
        "/sign-in/", {"username": person.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/account/").status_code == 200


def _age(client, *, signed_in_ago: int, active_ago: int) -> None:
    session = client.session
    now = int(time.time())
    session[SIGNED_IN_AT] = now - signed_in_ago
    session[ACTIVE_AT] = now - active_ago
    session.save()


def test_thirty_idle_minutes_end_the_sign_in(client, person):
    _signed_in(client, person)
    _age(client, signed_in_ago=45 * 60, active_ago=31 * 60)
    response = client.get("/account/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/account/"
    assert "_auth_user_id" not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "had not used the service for 30 minutes" in page
    event = AuditEvent.objects.get(action="sign-out", user_id=person.pk)
    assert event.detail == {"reason": "session ended: idle"}


def test_using_the_service_keeps_the_sign_in_alive(client, person):
    _signed_in(client, person)
    _age(client, signed_in_ago=3 * 60 * 60, active_ago=29 * 60)
    assert client.get("/account/").status_code == 200
    # That request counted as activity: the idle clock starts again.
    assert int(time.time()) - client.session[ACTIVE_AT] < 5
    assert client.get("/account/").status_code == 200


def test_the_absolute_lifetime_ends_even_a_busy_sign_in(client, person):
    _signed_in(client, person)
    _age(client, signed_in_ago=8 * 60 * 60 + 5, active_ago=10)
    response = client.get("/account/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    event = AuditEvent.objects.get(action="sign-out", user_id=person.pk)
    assert event.detail == {"reason": "session ended: lifetime"}


@override_settings(SESSION_IDLE_SECONDS=5 * 60)
def test_the_idle_limit_is_a_setting(client, person):
    _signed_in(client, person)
    _age(client, signed_in_ago=6 * 60, active_ago=6 * 60)
    assert client.get("/account/").status_code == 302
