"""An outsider's probes of sign-in and sessions, beyond the cases test_sign_in.py names: every
usual shape of an open redirect through `next`, session fixation, going straight to a page with
the two-step code still to come, the cache on personal pages, and the production settings'
cookies and HSTS."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.accounts.models import Role
from tests import factories, two_step

pytestmark = pytest.mark.django_db

# How browsers read addresses, not how Python does: each of these leaves the site in some browser.
HOSTILE_NEXT = [
    "//evil.example/",
    "///evil.example/",
    "/\\evil.example/",
    "\\\\evil.example/",
    "\\/evil.example/",
    "https:evil.example",
    "https:/evil.example",
    "http://evil.example",
    "HTTPS://evil.example",
    " //evil.example/",
    "\t//evil.example/",
    "/\t/evil.example/",
    "%2F%2Fevil.example/",
    "/%2F/evil.example/",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "http://testserver@evil.example/",
    "//testserver@evil.example/",
    "/\x00//evil.example/",
]


@pytest.fixture
def analyst(reference_data):
    return factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation)


def _lands_on_this_site(location: str) -> bool:
    """Read as a browser reads it (WHATWG URL): tabs and newlines dropped, a backslash taken as
    a slash, leading spaces trimmed. A relative path such as `%2F%2Fevil.example/` stays here."""
    from urllib.parse import urlsplit

    browser = location.strip(" \x00").translate({9: None, 10: None, 13: None})
    browser = browser.replace("\\", "/")
    parts = urlsplit(browser)
    return not parts.scheme and not parts.netloc and not browser.startswith("//")


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leaves_the_site_after_a_password(client, analyst, target):
    response = client.post(
        "/sign-in/",
        {"username": analyst.username, "password": factories.PASSWORD, "next": target},
    )
    assert response.status_code == 302
    assert _lands_on_this_site(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_never_leaves_the_site_after_the_security_code(client, analyst, target):
    device = two_step.device_of(analyst)
    response = client.post(
        f"/sign-in/?next={target}",
        {"username": analyst.username, "password": factories.PASSWORD},
    )
    if "\x00" in target:  # an address with a NUL is refused before sign-in reads it
        assert response.status_code == 400
        return
    assert response["Location"] == "/sign-in/security-code/"
    response = client.post(response["Location"], {"token": two_step.code_for(device)})
    assert response.status_code == 302
    assert _lands_on_this_site(response["Location"]), response["Location"]


def test_the_sign_in_page_does_not_echo_a_hostile_next(client, analyst):
    body = client.get("/sign-in/", {"next": '"><script>alert(1)</script>'}).content.decode()
    assert "<script>alert(1)" not in body


def test_a_session_planted_before_sign_in_is_not_the_one_signed_in(client, analyst):
    client.get("/sign-in/")
    session = client.session
    session["planted"] = "by an attacker"
    session.save()
    planted = session.session_key
    client.post("/sign-in/", {"username": analyst.username, "password": factories.PASSWORD})
    assert client.session.session_key != planted
    # the attacker's copy of the cookie is not signed in
    attacker = Client()
    attacker.cookies["sessionid"] = planted
    assert attacker.get("/").status_code in (200, 302)
    assert "_auth_user_id" not in attacker.session


def test_with_the_security_code_still_to_come_no_page_opens(client, analyst):
    two_step.device_of(analyst)
    response = client.post(
        "/sign-in/", {"username": analyst.username, "password": factories.PASSWORD}
    )
    assert response["Location"] == "/sign-in/security-code/"
    for path in ("/returns/", "/account/", "/forecast/", "/workplace/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/sign-in/"), path
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_does_not_open_the_pages_either(client, analyst):
    two_step.device_of(analyst)
    client.post("/sign-in/", {"username": analyst.username, "password": factories.PASSWORD})
    response = client.post("/sign-in/security-code/", {"token": "000000"})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert TOTPDevice.objects.filter(user=analyst).count() == 1


def test_signed_in_pages_are_never_cached(client, analyst):
    client.force_login(analyst)
    for path in ("/", "/returns/", "/account/", "/account/sessions/"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response["Cache-Control"] == "no-store", path


def test_sign_out_by_a_forged_post_from_another_site_is_refused(analyst):
    client = Client(enforce_csrf_checks=True)
    client.force_login(analyst)
    response = client.post("/sign-out/")
    assert response.status_code == 403
    assert "_auth_user_id" in client.session


def test_an_unknown_address_costs_as_much_time_as_a_known_one(client, analyst):
    """So the sign-in's timing does not tell who has an account: both run the password hasher.
    Bounded: the medians of 7 tries each within a factor of 3."""

    def median_seconds(username: str) -> float:
        times = []
        for _ in range(7):
            started = time.perf_counter()
            Client().post("/sign-in/", {"username": username, "password": "wrong password 1"})
            times.append(time.perf_counter() - started)
        return statistics.median(times)

    with_account = median_seconds(analyst.username)
    without = median_seconds("nobody-here@example.test")
    assert without > with_account / 3, (without, with_account)
    assert with_account > without / 3, (without, with_account)


def _production_settings(tmp_path, **env: str) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("ALLIANCE_")}
    clean.pop("PYTEST_VERSION", None)
    clean |= {
        "ALLIANCE_VAR_DIR": str(tmp_path),
        "ALLIANCE_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "alliance.config.settings",
        "ALLIANCE_SECRET_KEY": "t9Qx3kVb7WmZp2LhR8sYc4JnD6fGa1uE5oIiKwXyTzB0qHvMlNe",
        "ALLIANCE_KEYS_SECRET": "Zr5bN0cQ8yW2kLx7Hd4Tf1Ms9Pa6Ve3Ju0GoXiKqRwYt",
        **env,
    }
    names = [
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "CSRF_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "CSRF_COOKIE_SAMESITE",
        "SECURE_HSTS_SECONDS",
        "SECURE_SSL_REDIRECT",
        "X_FRAME_OPTIONS",
        "SECURE_CONTENT_TYPE_NOSNIFF",
        "DEBUG",
    ]
    code = "import django\ndjango.setup()\nfrom django.conf import settings as s\n" + "".join(
        f"print({n!r}, getattr(s, {n!r}, None))\n" for n in names
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=clean,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return dict(line.split(" ", 1) for line in result.stdout.splitlines())


def test_production_cookies_are_secure_and_hsts_is_sent(tmp_path):
    found = _production_settings(tmp_path)
    assert found["SESSION_COOKIE_SECURE"] == "True"
    assert found["CSRF_COOKIE_SECURE"] == "True"
    assert found["SESSION_COOKIE_HTTPONLY"] == "True"
    assert found["SESSION_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert found["CSRF_COOKIE_SAMESITE"] in ("Lax", "Strict")
    assert int(found["SECURE_HSTS_SECONDS"]) >= 31_536_000
    assert found["X_FRAME_OPTIONS"] == "DENY"
    assert found["SECURE_CONTENT_TYPE_NOSNIFF"] == "True"
    assert found["DEBUG"] == "False"
