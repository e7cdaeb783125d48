"""X-Forwarded-For is a header any client writes: it must not let a client choose the address
that sign-in lockout, the registration limit and the audit log see (issue 12, item 7)."""

from __future__ import annotations

import pytest
from django.test import RequestFactory, override_settings
from django.urls import reverse

from alliance.accounts.models import Role, SignInAttempt
from alliance.audit.models import AuditEvent
from alliance.common.addresses import client_ip, parse_networks
from alliance.workplace.models import EmployerProfile, RegistrationAttempt
from tests import factories
from tests.alliance.workplace import factories as wp
from tests.alliance.workplace.test_registration import ANSWERS

pytestmark = pytest.mark.django_db


def _forged(n: int) -> str:
    return f"203.0.113.{n % 250}, 198.51.{n // 250}.{n % 250 + 1}"


def test_a_password_spray_with_a_new_forged_address_each_time_is_locked_out(client, reference_data):
    """One client tries one password against many people, writing a new X-Forwarded-For each
    time. With no trusted proxy the header is ignored, so the per-address limit still bites."""
    factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation)
    per_address = 4 * 5  # SIGN_IN_MAX_FAILURES (5) four times over, for one address
    refused = 0
    for n in range(30):
        response = client.post(
            "/sign-in/",
            {"username": f"victim{n}@example.test", "password": "Summer2026!"},
            HTTP_X_FORWARDED_FOR=_forged(n),
        )
        if "too many times" in response.content.decode():
            refused += 1
    assert refused == 30 - per_address
    assert set(SignInAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert set(
        AuditEvent.objects.filter(action="sign-in-failed").values_list("ip_address", flat=True)
    ) == {"127.0.0.1"}


def test_the_registration_limit_cannot_be_dodged_with_forged_addresses(client, reference_data):
    south = wp.south_tyneside()
    wp.adviser(south)
    for n in range(8):
        # a new business each time, so only the limit can stop it
        client.post(
            reverse("workplace:register-step", args=["business"]),
            {"business_name": f"Bakery {n}", "sector": "hospitality"},
        )
        client.post(reverse("workplace:register-step", args=["address"]), ANSWERS["address"])
        client.post(
            reverse("workplace:register-step", args=["contact"]),
            {"contact_name": "Pat", "email": f"pat{n}@bakery{n}.test"},
        )
        for step in ("offers", "pledge"):
            client.post(reverse("workplace:register-step", args=[step]), ANSWERS[step])
        client.post(
            reverse("workplace:register-check"), {"website": ""}, HTTP_X_FORWARDED_FOR=_forged(n)
        )
    assert set(RegistrationAttempt.objects.values_list("ip_address", flat=True)) == {"127.0.0.1"}
    assert RegistrationAttempt.objects.filter(outcome="limited").exists()
    assert EmployerProfile.objects.count() == 5


def _request(remote: str, forwarded: str | None = None):
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **meta)


def test_with_no_trusted_proxy_the_header_is_ignored():
    assert client_ip(_request("192.0.2.7", "10.9.9.9")) == "192.0.2.7"
    assert client_ip(_request("192.0.2.7", "garbage")) == "192.0.2.7"


@override_settings(TRUSTED_PROXIES=parse_networks(["10.0.0.0/8", "192.0.2.1"]))
def test_behind_trusted_proxies_the_first_untrusted_hop_from_the_right_is_the_client():
    # The client wrote 6.6.6.6 itself; the proxy appended the address it saw (198.51.100.4).
    assert client_ip(_request("192.0.2.1", "6.6.6.6, 198.51.100.4")) == "198.51.100.4"
    # Two proxies in a row are both skipped.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, 198.51.100.4, 10.0.0.9")) == "198.51.100.4"
    # No header: the proxy itself.
    assert client_ip(_request("10.0.0.2")) == "10.0.0.2"
    # Garbage after the proxy's own hop: stop at the last address we can trust.
    assert client_ip(_request("10.0.0.2", "6.6.6.6, not-an-address")) == "10.0.0.2"
    # A connection from elsewhere is not believed.
    assert client_ip(_request("198.51.100.9", "6.6.6.6")) == "198.51.100.9"


def test_a_wrong_proxy_setting_stops_the_service():
    with pytest.raises(ValueError, match="ALLIANCE_TRUSTED_PROXIES"):
        parse_networks(["10.0.0.0/8", "proxy.example"])
