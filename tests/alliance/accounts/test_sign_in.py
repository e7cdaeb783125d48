from __future__ import annotations

import pytest
from django.contrib.auth.hashers import get_hasher, identify_hasher, make_password
from django.test import Client, override_settings
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.accounts import services
from alliance.accounts.models import Role, SignInAttempt
from alliance.audit.models import AuditEvent
from alliance.config import settings as service_settings
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def analyst(reference_data):
    return factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation)


def sign_in(client, username, password=factories.PASSWORD):
    return client.post("/sign-in/", {"username": username, "password": password})


def test_sign_in_lands_on_a_home_page_that_fits_the_role(client, analyst):
    response = sign_in(client, analyst.username)
    assert response.status_code == 302
    home = client.get("/")
    assert home.status_code == 200
    assert "Council analyst, North Tyneside" in home.content.decode()
    assert AuditEvent.objects.filter(action="sign-in", user_id=analyst.pk).exists()


def test_wrong_password_is_refused_with_a_clear_message_and_audited(client, analyst):
    response = sign_in(client, analyst.username, "not the password")
    assert response.status_code == 200
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Enter a correct email address and password" in body
    assert "_auth_user_id" not in client.session
    assert (
        AuditEvent.objects.filter(action="sign-in-failed", object_repr=analyst.username).count()
        == 1
    )


@override_settings(SIGN_IN_MAX_FAILURES=3)
def test_repeated_failures_lock_the_account_even_with_the_right_password(client, analyst):
    for _ in range(3):
        sign_in(client, analyst.username, "wrong")
    response = sign_in(client, analyst.username)
    assert response.status_code == 200
    assert "too many times" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert SignInAttempt.objects.filter(username=analyst.username, succeeded=False).count() == 4


def test_forged_csrf_is_refused_and_changes_nothing(analyst):
    client = Client(enforce_csrf_checks=True)
    response = client.post(
        "/sign-in/", {"username": analyst.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 403
    assert "Your form could not be sent" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert AuditEvent.objects.filter(action="access-denied", object_type="csrf").exists()


def test_passwords_are_hashed_with_argon2id_at_owasps_setting_in_the_service():
    # under pytest a fast hasher goes first; the service's own is the next one
    assert (
        service_settings.PASSWORD_HASHERS[1] == "alliance.accounts.passwords.Argon2idPasswordHasher"
    )
    encoded = make_password("a long enough password", hasher="argon2")
    assert encoded.startswith("argon2$argon2id$v=19$m=47104,t=1,p=1$")
    assert identify_hasher(encoded).algorithm == "argon2"
    assert get_hasher("argon2").verify("a long enough password", encoded)
    assert not get_hasher("argon2").verify("a long enough passworD", encoded)


@override_settings(
    PASSWORD_HASHERS=service_settings.PASSWORD_HASHERS[1:]
)  # the service's, no fast one
def test_a_password_stored_with_djangos_heavier_argon2_still_works_and_is_restored(analyst):
    from django.contrib.auth.hashers import Argon2PasswordHasher

    analyst.password = Argon2PasswordHasher().encode("an older stored password", "saltsaltsalt")
    analyst.save(update_fields=["password"])
    assert "m=102400,t=2,p=8" in analyst.password
    assert get_hasher("argon2").must_update(analyst.password)
    assert analyst.check_password("an older stored password")  # re-stored on success
    analyst.refresh_from_db()
    assert "m=47104,t=1,p=1" in analyst.password
    assert analyst.check_password("an older stored password")


@override_settings(
    OTP_TOTP_THROTTLE_FACTOR=0
)  # django-otp otherwise makes a person wait after a wrong code
def test_second_factor_is_asked_for_when_turned_on(client, analyst):
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    response = sign_in(client, analyst.username)
    assert response["Location"] == "/sign-in/security-code/"
    assert "_auth_user_id" not in client.session
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    wrong = client.post("/sign-in/security-code/", {"token": f"{(code + 500_000) % 1_000_000:06d}"})
    assert "not right" in wrong.content.decode()
    assert "_auth_user_id" not in client.session
    ok = client.post("/sign-in/security-code/", {"token": f"{code:06d}"})
    assert ok.status_code == 302
    assert client.session["_auth_user_id"] == str(analyst.pk)


def test_sign_out_needs_a_post(client, analyst):
    client.force_login(analyst)
    assert client.get("/sign-out/").status_code == 200
    assert "_auth_user_id" in client.session
    client.post("/sign-out/")
    assert "_auth_user_id" not in client.session


def test_next_cannot_send_people_to_another_site(client, analyst):
    response = client.post(
        "/sign-in/",
        {
            "username": analyst.username,
            "password": factories.PASSWORD,
            "next": "https://evil.example/",
        },
    )
    assert response["Location"] == "/"


def test_security_headers(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "'nonce-" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "camera=()" in response["Permissions-Policy"]


@override_settings(SIGN_IN_MAX_FAILURES=5)
def test_guesses_sent_at_once_each_count_against_the_others(rf, analyst):
    """An attempt is recorded before its password is checked, so guesses sent in parallel (before
    any has been answered) cannot slip past the limit: only the first five go on to be checked."""

    request = rf.post("/sign-in/", REMOTE_ADDR="192.0.2.50")
    in_flight = [services.begin_attempt(request, analyst.username) for _ in range(12)]
    assert [locked for _attempt, locked in in_flight] == [False] * 5 + [True] * 7


@override_settings(SIGN_IN_MAX_FAILURES=3, OTP_TOTP_THROTTLE_FACTOR=0)
def test_the_right_password_again_does_not_reset_guessing_the_security_code(client, analyst):
    device = TOTPDevice.objects.create(user=analyst, name="phone", confirmed=True)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    wrong = f"{(code + 500_000) % 1_000_000:06d}"
    for _ in range(3):
        assert sign_in(client, analyst.username)["Location"] == "/sign-in/security-code/"
        client.post("/sign-in/security-code/", {"token": wrong})
    sign_in(client, analyst.username)
    locked = client.post("/sign-in/security-code/", {"token": f"{code:06d}"})
    assert "too many times" in locked.content.decode()
    assert "_auth_user_id" not in client.session
