"""Everyone sees where they are signed in and can sign out of all of it, and can replace their
two-step device."""

from __future__ import annotations

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from tests import factories
from tests.alliance.accounts.people.conftest import sign_in

pytestmark = pytest.mark.django_db


def test_a_person_sees_their_sessions_and_signs_out_of_all_of_them(orgs):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"])
    laptop = sign_in(person)
    phone = sign_in(person)
    page = laptop.get("/account/sessions/").content.decode()
    assert page.count('<tr class="govuk-table__row">') == 3  # header and two sessions
    assert "This browser" in page
    assert "On 2 devices or browsers" in laptop.get("/account/").content.decode()
    done = laptop.post("/account/sessions/")
    assert done["Location"] == "/signed-out/"
    assert phone.get("/account/").status_code == 302
    assert laptop.get("/account/").status_code == 302
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.SIGN_OUT, detail__reason="signed out everywhere by its owner"
    ).exists()


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, device.step, device.t0, device.digits, device.drift):06d}"


def test_a_person_replaces_their_two_step_device(orgs):
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"])
    old = TOTPDevice.objects.create(user=person, name="Old phone", confirmed=True)
    client = sign_in(person)  # asks for the code next
    client.post("/sign-in/security-code/", {"token": _code(old)})
    assert "Replace your device" in client.get("/account/").content.decode()
    client.get("/account/two-step-verification/")
    new = TOTPDevice.objects.get(user=person, confirmed=False)
    new.tolerance = 0
    client.post("/account/two-step-verification/", {"token": _code(new)})
    assert list(TOTPDevice.objects.filter(user=person).values_list("pk", "confirmed")) == [
        (new.pk, True)
    ]
    assert AuditEvent.objects.filter(object_repr="two-step device replaced").exists()
