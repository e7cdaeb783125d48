"""The admin site is no side door (issue 12, item 1): it signs in only through the service's own
sign-in (lockout, two-step code, audit), only a verified administrator may use it, and every change
made there is in the audit log with what it was before and after."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.accounts.models import Membership, Role, SignInAttempt, User
from alliance.audit.admin_changes import AuditedModelAdmin
from alliance.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def dfe(reference_data):
    return factories.organisation("dfe", name="Department for Education (test)")


@pytest.fixture
def administrator(dfe):
    return factories.user(
        Role.ADMINISTRATOR, dfe, is_staff=True, is_superuser=True, full_name="Ada Admin"
    )


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@override_settings(OTP_TOTP_THROTTLE_FACTOR=0)
def _sign_in_with_code(client: Client, person: User) -> None:
    device = TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    client.post("/sign-in/", {"username": person.username, "password": factories.PASSWORD})
    response = client.post("/sign-in/security-code/", {"token": _code(device)})
    assert response.status_code == 302, response.content.decode()[:2000]


def test_the_admin_login_page_takes_no_password_and_sends_people_to_the_service_sign_in(
    client, administrator
):
    page = client.get("/django-admin/login/?next=/django-admin/")
    assert page.status_code == 302
    assert page["Location"].startswith("/sign-in/?next=")
    # A password posted to the admin's own form signs no one in, and leaves no way round lockout.
    posted = client.post(
        "/django-admin/login/",
        {"username": administrator.username, "password": factories.PASSWORD},
    )
    assert posted.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get("/django-admin/")["Location"].startswith("/django-admin/login/")


@override_settings(SIGN_IN_MAX_FAILURES=3)
def test_guessing_an_administrators_password_meets_the_service_lockout(client, administrator):
    for _ in range(3):
        client.post("/django-admin/login/", {"username": administrator.username, "password": "x"})
        client.post("/sign-in/", {"username": administrator.username, "password": "wrong"})
    locked = client.post(
        "/sign-in/", {"username": administrator.username, "password": factories.PASSWORD}
    )
    assert "too many times" in locked.content.decode()
    assert client.get("/django-admin/").status_code == 302
    assert SignInAttempt.objects.filter(username=administrator.username).count() == 4


def test_an_administrator_signed_in_without_a_two_step_code_is_told_to_turn_it_on(
    client, administrator
):
    client.post("/sign-in/", {"username": administrator.username, "password": factories.PASSWORD})
    assert "_auth_user_id" in client.session
    response = client.get("/django-admin/", follow=True)
    assert response.status_code == 403
    body = response.content.decode()
    assert "The admin site needs two-step verification" in body
    assert AuditEvent.objects.filter(action="access-denied", object_type="admin site").exists()


def test_staff_without_the_administrator_role_cannot_use_it_even_with_a_code(client, dfe):
    analyst = factories.user(Role.DFE_ANALYST, dfe, is_staff=True)
    _sign_in_with_code(client, analyst)
    response = client.get("/django-admin/", follow=True)
    assert response.status_code == 403
    assert "Only administrators can use the admin site" in response.content.decode()


def test_a_verified_administrator_uses_it_and_every_change_is_audited_before_and_after(
    client, administrator, dfe
):
    _sign_in_with_code(client, administrator)
    assert client.get("/django-admin/").status_code == 200
    someone = factories.user(full_name="Sam Someone")
    page = client.get(f"/django-admin/accounts/user/{someone.pk}/change/")
    assert page.status_code == 200
    assert AuditEvent.objects.filter(
        action="view", object_type="accounts.User", object_id=str(someone.pk)
    ).exists()
    # Give Sam the administrator role and make them staff, through the person's page.
    form = {
        "username": someone.username,
        "email": someone.email,
        "full_name": "Sam Someone",
        "first_name": "",
        "last_name": "",
        "is_active": "on",
        "is_staff": "on",
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "1",
        "memberships-INITIAL_FORMS": "0",
        "memberships-MIN_NUM_FORMS": "0",
        "memberships-MAX_NUM_FORMS": "1000",
        "memberships-0-organisation": str(dfe.pk),
        "memberships-0-role": Role.ADMINISTRATOR,
        "_save": "Save",
    }
    saved = client.post(f"/django-admin/accounts/user/{someone.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:3000]
    assert Membership.objects.filter(user=someone, role=Role.ADMINISTRATOR).exists()

    person = AuditEvent.objects.get(action="change", object_type="accounts.User")
    assert person.username == administrator.username
    assert person.detail["via"] == "admin site"
    assert person.detail["changes"]["is_staff"] == {"before": False, "after": True}
    role = AuditEvent.objects.get(action="create", object_type="accounts.Membership")
    assert role.detail["changes"]["role"] == {"before": None, "after": "administrator"}
    assert f"accounts.User {someone.pk}" in role.detail["within"]

    # Take the role away again: the deletion is audited with what it was.
    membership = Membership.objects.get(user=someone)
    form |= {
        "memberships-INITIAL_FORMS": "1",
        "memberships-0-id": str(membership.pk),
        "memberships-0-user": str(someone.pk),
        "memberships-0-DELETE": "on",
    }
    client.post(f"/django-admin/accounts/user/{someone.pk}/change/", form)
    assert not Membership.objects.filter(user=someone).exists()
    removed = AuditEvent.objects.get(action="delete", object_type="accounts.Membership")
    assert removed.object_id == str(membership.pk)
    assert removed.detail["changes"]["role"] == {"before": "administrator", "after": None}


def test_a_password_set_on_the_admin_site_is_audited_without_the_password(client, administrator):
    _sign_in_with_code(client, administrator)
    someone = factories.user()
    response = client.post(
        f"/django-admin/accounts/user/{someone.pk}/password/",
        {"password1": "a brand new long passphrase", "password2": "a brand new long passphrase"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.get(action="change", object_id=str(someone.pk))
    assert "brand new" not in str(event.detail)


def test_deleting_on_the_admin_site_is_audited(client, administrator):
    _sign_in_with_code(client, administrator)
    org = factories.organisation(name="Short-lived")
    response = client.post(
        f"/django-admin/organisations/organisation/{org.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="delete", object_type="organisations.Organisation")
    assert event.object_id == str(org.pk)
    assert event.detail["changes"]["name"] == {"before": "Short-lived", "after": None}


def test_every_model_on_the_admin_site_is_audited():
    assert admin.site._registry
    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedModelAdmin)
    ]
    assert not unaudited


def test_deleting_several_at_once_on_the_admin_site_audits_each(client, administrator):
    _sign_in_with_code(client, administrator)
    orgs = [factories.organisation(name=f"Bulk {n}") for n in range(3)]
    response = client.post(
        "/django-admin/organisations/organisation/",
        {
            "action": "delete_selected",
            "_selected_action": [str(o.pk) for o in orgs],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    events = AuditEvent.objects.filter(action="delete", object_type="organisations.Organisation")
    assert sorted(events.values_list("object_id", flat=True)) == sorted(str(o.pk) for o in orgs)
    # Looking at the list is audited as a query.
    assert client.get("/django-admin/organisations/organisation/?q=Bulk").status_code == 200
    query = AuditEvent.objects.get(action="query", object_type="organisations.Organisation")
    assert query.detail["filters"] == {"q": "Bulk"}
