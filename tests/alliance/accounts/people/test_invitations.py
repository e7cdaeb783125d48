"""Administrators invite people by email: a one-time link to choose a password, with an expiry;
an address that already has an account, a role the organisation cannot hold, and an expired or
reused link each get a clear message and change nothing."""

from __future__ import annotations

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import Client

from alliance.accounts.models import Membership, Role, User
from alliance.audit.models import AuditEvent
from tests import factories
from tests.alliance.accounts.people.conftest import sign_in

pytestmark = pytest.mark.django_db
CHOSEN = "plum orchard lantern sixty"


def _invite(client, org, role=Role.COUNCIL_ANALYST, email="kim.new@north-tyneside.test"):
    return client.post(
        "/people/invite/",
        {"full_name": "Kim New", "email": email, "organisation": org.pk, "role": role},
    )


def _link(message) -> str:
    return re.search(r"http://testserver(/invitation/\S+/)", message.body).group(1)


def test_an_invited_council_analyst_chooses_a_password_and_signs_in(orgs, service_admin):
    admin = sign_in(service_admin)
    response = _invite(admin, orgs["north"])
    kim = User.objects.get(email="kim.new@north-tyneside.test")
    assert response["Location"] == f"/people/{kim.pk}/"
    assert not kim.has_usable_password()
    assert kim.memberships.get().role == Role.COUNCIL_ANALYST
    (message,) = mail.outbox
    assert message.to == ["kim.new@north-tyneside.test"]
    assert "North Tyneside" in message.body
    assert "3 days" in message.body

    guest = Client()
    link = _link(message)
    moved = guest.get(link)
    assert moved["Location"].endswith("/set-password/")  # the token leaves the address at once
    page = guest.get(moved["Location"])
    assert "kim.new@north-tyneside.test" in page.content.decode()
    done = guest.post(moved["Location"], {"new_password1": CHOSEN, "new_password2": CHOSEN})
    assert done["Location"] == "/sign-in/"
    signed = Client().post("/sign-in/", {"username": kim.username, "password": CHOSEN})
    assert signed.status_code == 302
    # The link worked once: used again it changes nothing.
    reused = Client().get(link)
    assert reused.status_code == 404
    assert "This link has expired or has been used" in reused.content.decode()
    created = AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, username=service_admin.username
    )
    assert {e.object_type for e in created} == {"accounts.User", "accounts.Membership"}
    role_row = created.get(object_type="accounts.Membership")
    assert role_row.detail["changes"]["role"] == {"before": None, "after": "council-analyst"}


def test_an_expired_link_is_refused_and_changes_nothing(orgs, service_admin, settings):
    _invite(sign_in(service_admin), orgs["north"])
    link = _link(mail.outbox[0])
    settings.PASSWORD_RESET_TIMEOUT = -1
    guest = Client()
    response = guest.get(link)
    assert response.status_code == 404
    assert "This link has expired or has been used" in response.content.decode()
    assert not User.objects.get(email="kim.new@north-tyneside.test").has_usable_password()


def test_inviting_an_address_that_has_an_account_is_refused(orgs, service_admin):
    existing = factories.user(Role.COUNCIL_LEADER, orgs["south"], username="Lee@South.test")
    admin = sign_in(service_admin)
    response = _invite(admin, orgs["north"], email="lee@south.test")
    assert response.status_code == 200
    assert "lee@south.test already has an account" in response.content.decode()
    assert list(existing.memberships.values_list("organisation", flat=True)) == [orgs["south"].pk]
    assert not mail.outbox


def test_a_role_the_organisation_cannot_hold_is_refused(orgs, service_admin):
    response = _invite(sign_in(service_admin), orgs["employer"], role=Role.COUNCIL_ANALYST)
    assert response.status_code == 200
    assert "Test Employer Ltd cannot have a council analyst" in response.content.decode()
    assert not User.objects.filter(email="kim.new@north-tyneside.test").exists()
    assert not mail.outbox


def test_an_organisation_administrator_invites_only_into_their_own_organisation(orgs, north_admin):
    client = sign_in(north_admin)
    refused = _invite(client, orgs["south"], email="x@south.test")
    assert refused.status_code == 200
    assert not User.objects.filter(email="x@south.test").exists()
    # nor may they make anyone a service administrator, which reaches every organisation
    refused = _invite(client, orgs["north"], role=Role.ADMINISTRATOR, email="y@north.test")
    assert refused.status_code == 200
    assert not User.objects.filter(email="y@north.test").exists()
    assert _invite(client, orgs["north"], email="z@north.test").status_code == 302
    assert Membership.objects.get(user__email="z@north.test").organisation == orgs["north"]


def test_people_without_the_people_area_cannot_invite(orgs):
    analyst = factories.user(Role.COUNCIL_ANALYST, orgs["north"])
    response = _invite(sign_in(analyst), orgs["north"], email="z@north.test")
    assert response.status_code == 403
    assert not User.objects.filter(email="z@north.test").exists()


def test_the_first_administrator_is_made_once_from_the_command_line(reference_data):

    out = StringIO()
    call_command("first_administrator", "Ada@Example.test", "Ada First", stdout=out)
    ada = User.objects.get(email="ada@example.test")
    assert ada.memberships.get().role == Role.ADMINISTRATOR
    link = re.search(r"http://localhost:8000(/invitation/\S+/)", out.getvalue()).group(1)
    guest = Client()
    moved = guest.get(link)
    guest.post(moved["Location"], {"new_password1": CHOSEN, "new_password2": CHOSEN})
    assert (
        Client().post("/sign-in/", {"username": ada.username, "password": CHOSEN}).status_code
        == 302
    )
    with pytest.raises(CommandError, match="already has an administrator"):
        call_command("first_administrator", "bob@example.test", "Bob Second", stdout=StringIO())
