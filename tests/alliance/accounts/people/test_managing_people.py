"""Administrators give and take away roles, deactivate people (their open sessions end at once),
reset two-step verification and see when each person last signed in; organisation administrators
do the same for their own organisation only. Every change is audited before and after."""

from __future__ import annotations

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.accounts.models import Membership, Role, User
from alliance.audit.models import AuditEvent
from tests import factories, two_step
from tests.alliance.accounts.people.conftest import sign_in

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return response.content.decode()


def test_the_people_list_shows_last_sign_in_and_is_audited(orgs, service_admin):
    analyst = factories.user(Role.COUNCIL_ANALYST, orgs["north"], full_name="Asha Analyst")
    sign_in(analyst)
    page = sign_in(service_admin).get("/people/")
    text = page.content.decode()
    assert "Asha Analyst" in text
    analyst.refresh_from_db()
    assert analyst.last_login.strftime("%-d %B %Y") in text
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.QUERY, username=service_admin.username
    ).exists()


def test_an_organisation_administrator_sees_and_manages_only_their_own_people(orgs, north_admin):
    mine = factories.user(Role.COUNCIL_ANALYST, orgs["north"], full_name="Mine Person")
    theirs = factories.user(Role.COUNCIL_ANALYST, orgs["south"], full_name="Theirs Person")
    client = sign_in(north_admin)
    text = client.get("/people/").content.decode()
    assert "Mine Person" in text
    assert "Theirs Person" not in text
    assert client.get(f"/people/{theirs.pk}/").status_code == 404
    assert client.post(f"/people/{theirs.pk}/deactivate/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCESS_DENIED, object_id=str(theirs.pk)
    ).exists()
    assert client.get(f"/people/{mine.pk}/").status_code == 200


def test_giving_and_taking_away_a_role_is_audited_before_and_after(orgs, service_admin):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"])
    client = sign_in(service_admin)
    given = client.post(
        f"/people/{person.pk}/roles/",
        {"organisation": orgs["north"].pk, "role": Role.COUNCIL_LEADER},
        follow=True,
    )
    assert "is now Council leader, North Tyneside" in _messages(given)
    leader = Membership.objects.get(user=person, role=Role.COUNCIL_LEADER)
    client.post(f"/people/{person.pk}/roles/{leader.pk}/remove/")
    assert not Membership.objects.filter(pk=leader.pk).exists()
    created, deleted = (
        AuditEvent.objects.get(object_type="accounts.Membership", action=action)
        for action in (AuditEvent.Action.CREATE, AuditEvent.Action.DELETE)
    )
    assert created.detail["changes"]["role"] == {"before": None, "after": "council-leader"}
    assert deleted.detail["changes"]["role"] == {"before": "council-leader", "after": None}
    assert deleted.object_id == str(leader.pk)


def test_a_role_the_organisation_cannot_hold_is_not_given(orgs, service_admin):
    person = factories.user(Role.EMPLOYER, orgs["employer"])
    response = sign_in(service_admin).post(
        f"/people/{person.pk}/roles/",
        {"organisation": orgs["employer"].pk, "role": Role.COUNCIL_ANALYST},
        follow=True,
    )
    assert "Test Employer Ltd cannot have a council analyst" in _messages(response)
    assert list(person.memberships.values_list("role", flat=True)) == [Role.EMPLOYER]


def test_the_last_administrator_of_an_organisation_cannot_be_removed(
    orgs, service_admin, north_admin
):
    client = sign_in(service_admin)
    membership = north_admin.memberships.get()
    response = client.post(f"/people/{north_admin.pk}/roles/{membership.pk}/remove/", follow=True)
    assert "Nora North is the last administrator of North Tyneside" in _messages(response)
    assert Membership.objects.filter(pk=membership.pk).exists()
    response = client.post(f"/people/{north_admin.pk}/deactivate/", follow=True)
    assert "is the last administrator" in _messages(response)
    north_admin.refresh_from_db()
    assert north_admin.is_active
    # With a second administrator, the first can go.
    factories.user(Role.ORGANISATION_ADMINISTRATOR, orgs["north"])
    client.post(f"/people/{north_admin.pk}/roles/{membership.pk}/remove/")
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_a_deactivated_persons_open_session_is_refused_on_its_next_request(orgs, north_admin):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"], full_name="Dee Parted")
    open_session = sign_in(person)
    assert open_session.get("/account/").status_code == 200
    done = sign_in(north_admin).post(f"/people/{person.pk}/deactivate/", follow=True)
    assert "Dee Parted is deactivated and has been signed out" in _messages(done)
    refused = open_session.get("/account/")
    assert refused.status_code == 302
    assert refused["Location"].startswith("/sign-in/")
    assert not [
        s for s in Session.objects.all() if s.get_decoded().get("_auth_user_id") == str(person.pk)
    ]
    change = AuditEvent.objects.get(
        action=AuditEvent.Action.CHANGE, object_type="accounts.User", object_id=str(person.pk)
    )
    assert change.detail["changes"]["is_active"] == {"before": True, "after": False}
    assert change.username == north_admin.username
    # and they cannot sign in again until reactivated
    attempt = Client().post(
        "/sign-in/", {"username": person.username, "password": factories.PASSWORD}
    )
    assert attempt.status_code == 200


def test_an_organisation_administrator_cannot_deactivate_someone_in_another_organisation_too(
    orgs, north_admin
):
    both = factories.user(Role.COUNCIL_ANALYST, orgs["north"], full_name="Both Places")
    Membership.objects.create(user=both, organisation=orgs["south"], role=Role.COUNCIL_ANALYST)
    response = sign_in(north_admin).post(f"/people/{both.pk}/deactivate/", follow=True)
    assert "You cannot deactivate Both Places" in _messages(response)
    both.refresh_from_db()
    assert both.is_active


def test_resetting_two_step_verification_removes_the_device_and_is_audited(orgs, service_admin):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"], full_name="Lost Phone")
    device = TOTPDevice.objects.create(user=person, name="Authenticator app", confirmed=True)
    client = sign_in(service_admin)
    assert "Reset two-step verification" in client.get(f"/people/{person.pk}/").content.decode()
    done = client.post(f"/people/{person.pk}/two-step-verification/reset/", follow=True)
    assert "Two-step verification is reset" in _messages(done)
    assert not TOTPDevice.objects.filter(user=person).exists()
    row = AuditEvent.objects.get(action=AuditEvent.Action.DELETE, object_id=str(device.pk))
    assert row.detail["changes"]["key"] == {"before": "(set)", "after": "(changed)"}
    # Now the password alone signs them in, and they can set up a new device.
    assert sign_in(person).get("/account/two-step-verification/").status_code == 200


def test_an_organisation_administrator_cannot_make_or_touch_a_service_administrator(
    orgs, north_admin
):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"])
    boss = factories.user(Role.ADMINISTRATOR, orgs["north"], full_name="Boss Admin")
    client = sign_in(north_admin)
    refused = client.post(
        f"/people/{person.pk}/roles/",
        {"organisation": orgs["north"].pk, "role": Role.ADMINISTRATOR},
        follow=True,
    )
    assert "Choose an organisation and a role" in _messages(refused)
    assert not person.memberships.filter(role=Role.ADMINISTRATOR).exists()
    refused = client.post(f"/people/{boss.pk}/deactivate/", follow=True)
    assert "You cannot deactivate Boss Admin" in _messages(refused)
    boss.refresh_from_db()
    assert boss.is_active
    membership = boss.memberships.get()
    refused = client.post(f"/people/{boss.pk}/roles/{membership.pk}/remove/", follow=True)
    assert "You cannot take away the administrator role" in _messages(refused)
    assert boss.memberships.filter(pk=membership.pk).exists()


@pytest.mark.parametrize("path", ["/people/", "/people/invite/", "/organisations/"])
def test_people_and_organisations_pages_need_more_than_a_password(service_admin, path):
    """A password alone does not reach the pages that manage people: the person is sent to set up
    two-step verification (or to sign in again with it), and nothing is shown."""
    client = Client()
    response = client.post(
        "/sign-in/", {"username": service_admin.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    page = client.get(path)
    assert page.status_code == 302
    assert page["Location"].startswith("/account/two-step-verification/needed/")
    assert "Set up two-step verification" in client.get(page["Location"]).content.decode()
    post = client.post(
        "/people/invite/",
        {"email": "new@example.test", "full_name": "New", "organisation": "1", "role": "x"},
    )
    assert post.status_code == 302
    assert not User.objects.filter(email="new@example.test").exists()


def test_a_person_with_two_step_who_signed_in_without_it_is_asked_to_sign_in_again(
    service_admin,
):
    two_step.device_of(service_admin)
    client = Client()
    client.force_login(service_admin)  # a session without the code (e.g. from before it was set up)
    page = client.get("/people/")
    assert page.status_code == 302
    assert "Sign out, then sign in again" in client.get(page["Location"]).content.decode()


def test_setting_up_two_step_verification_leads_back_to_the_people_pages(service_admin):
    client = Client()
    client.force_login(service_admin)
    needed = client.get("/people/")["Location"]
    setup = client.get("/account/two-step-verification/?next=/people/")
    assert setup.status_code == 200
    device = TOTPDevice.objects.get(user=service_admin, confirmed=False)
    done = client.post(
        "/account/two-step-verification/",
        {"token": two_step.code_for(device), "next": "/people/"},
    )
    assert done.status_code == 302
    assert done["Location"] == "/people/"
    assert client.get("/people/").status_code == 200
    assert needed.startswith("/account/two-step-verification/needed/")


def test_removing_the_link_to_an_organisation_account_is_audited_and_ends_sessions(
    orgs, north_admin
):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"], full_name="Lin Linked")
    User.objects.filter(pk=person.pk).update(
        sso_issuer="https://login.example.test/tenant", sso_subject="lin-1"
    )
    theirs = Client()
    theirs.force_login(person)
    client = sign_in(north_admin)
    assert (
        "Linked: signs in with their organisation"
        in client.get(f"/people/{person.pk}/").content.decode()
    )
    response = client.post(f"/people/{person.pk}/organisation-account/unlink/", follow=True)
    assert "The link is removed" in _messages(response)
    person.refresh_from_db()
    assert (person.sso_issuer, person.sso_subject) == ("", "")
    event = AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE, object_type="accounts.User", object_id=str(person.pk)
    ).latest("pk")
    assert event.detail["changes"]["sso_subject"] == {"before": "lin-1", "after": ""}
    assert theirs.get("/account/").status_code == 302  # signed out
    again = client.post(f"/people/{person.pk}/organisation-account/unlink/", follow=True)
    assert "is not linked" in _messages(again)


def test_an_organisation_administrator_cannot_unlink_someone_elsewhere(orgs, north_admin):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["south"])
    User.objects.filter(pk=person.pk).update(sso_issuer="https://x.test", sso_subject="s-1")
    response = sign_in(north_admin).post(f"/people/{person.pk}/organisation-account/unlink/")
    assert response.status_code == 404
    person.refresh_from_db()
    assert person.sso_subject == "s-1"
