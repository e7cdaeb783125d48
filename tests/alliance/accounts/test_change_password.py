"""Everyone signed in can change their own password (issue 12, item 10): Django's validators,
audited, and every other session of theirs ends."""

from __future__ import annotations

import pytest
from django.test import Client, override_settings

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db
NEW = "plum orchard lantern sixty"


@pytest.fixture
def person(reference_data):
    return factories.user(
        Role.COUNCIL_PRACTITIONER,
        factories.council("392").organisation,
        username="jo.bloggs@north-tyneside.test",
        full_name="Jo Bloggs",
    )


def _sign_in(person, password=factories.PASSWORD) -> Client:
    client = Client()
    response = client.post("/sign-in/", {"username": person.username, "password": password})
    assert response.status_code == 302
    return client


def _change(client, old, new1, new2=None):
    return client.post(
        "/account/password/",
        {"old_password": old, "new_password1": new1, "new_password2": new2 or new1},
    )


def test_the_account_page_links_to_change_your_password(person):
    client = _sign_in(person)
    assert 'href="/account/password/"' in client.get("/account/").content.decode()
    assert "Change your password" in client.get("/account/password/").content.decode()


def test_changing_the_password_keeps_this_sign_in_and_ends_the_others(person):
    laptop, phone = _sign_in(person), _sign_in(person)
    response = _change(laptop, factories.PASSWORD, NEW)
    assert response["Location"] == "/account/"
    assert laptop.get("/account/").status_code == 200
    other = phone.get("/account/")
    assert other.status_code == 302
    assert other["Location"].startswith("/sign-in/")
    person.refresh_from_db()
    assert person.check_password(NEW)
    event = AuditEvent.objects.get(action="change", object_repr="password changed by its owner")
    assert event.user_id == person.pk
    assert NEW not in str(event.detail)
    _sign_in(person, NEW)


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short one", "at least 12 characters"),
        ("password1234", "too common"),
        ("jo.bloggs@north-tyneside", "too similar"),
        ("jobloggs2026x", "too similar"),
        ("847261938475629", "entirely numeric"),
    ],
)
def test_weak_passwords_are_refused(person, new, message):
    client = _sign_in(person)
    response = _change(client, factories.PASSWORD, new)
    assert response.status_code == 200
    assert message in response.content.decode()
    person.refresh_from_db()
    assert person.check_password(factories.PASSWORD)


def test_a_wrong_current_password_is_refused_and_mismatches_are_explained(person):
    client = _sign_in(person)
    wrong = _change(client, "not it", NEW).content.decode()
    assert "Your current password is not right" in wrong
    mismatch = _change(client, factories.PASSWORD, NEW, NEW + "x").content.decode()
    assert "The two new passwords do not match" in mismatch


@override_settings(SIGN_IN_MAX_FAILURES=3)
def test_guessing_the_current_password_from_an_open_session_meets_the_lockout(person):
    client = _sign_in(person)
    for _ in range(3):
        _change(client, "a guess", NEW)
    locked = _change(client, factories.PASSWORD, NEW).content.decode()
    assert "too many times" in locked
    person.refresh_from_db()
    assert person.check_password(factories.PASSWORD)


def test_signed_out_people_are_sent_to_sign_in(client):
    assert client.get("/account/password/")["Location"].startswith("/sign-in/")
