"""A service administrator sets up an organisation's single sign-on in the service's pages: the
change is audited before and after, the client secret is stored encrypted and never shown back
(nor written to the audit log), and organisation administrators cannot change it."""

from __future__ import annotations

import pytest
from django.test import Client

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.organisations.models import Organisation, SingleSignOn
from alliance.organisations.single_sign_on import client_secret
from tests import factories, two_step

pytestmark = pytest.mark.django_db

SECRET = "very-secret-value-42"


def _client(person) -> Client:
    client = Client()
    two_step.force_verified_login(client, person)
    return client


@pytest.fixture
def council(reference_data):
    return factories.council("392").organisation


@pytest.fixture
def admin(reference_data):
    return factories.user(Role.ADMINISTRATOR, factories.organisation(Organisation.Kind.DFE, "DfE"))


def _settings(**changes):
    return {
        "issuer": "https://login.microsoftonline.com/0000-tenant/v2.0/",
        "client_id": "client-1",
        "client_secret": SECRET,
        "email_domains": "NorthTyneside.gov.uk\n@ntlearn.org.uk",
        "enabled": "on",
        **changes,
    }


def test_an_administrator_sets_up_single_sign_on_and_the_secret_is_never_shown(admin, council):
    client = _client(admin)
    page = client.get(f"/organisations/{council.pk}/single-sign-on/")
    assert page.status_code == 200
    assert "/sign-in/organisation/return/" in page.content.decode()
    response = client.post(f"/organisations/{council.pk}/single-sign-on/", _settings())
    assert response.status_code == 302, response.content.decode()[:3000]
    sso = SingleSignOn.objects.get(organisation=council)
    assert sso.issuer == "https://login.microsoftonline.com/0000-tenant/v2.0"
    assert sso.domains == ["northtyneside.gov.uk", "ntlearn.org.uk"]
    assert SECRET not in sso.secret  # encrypted at rest
    assert client_secret(sso) == SECRET

    again = client.get(f"/organisations/{council.pk}/single-sign-on/").content.decode()
    assert SECRET not in again
    assert "A client secret is saved" in again
    event = AuditEvent.objects.filter(object_type="organisations.SingleSignOn").get()
    assert event.action == AuditEvent.Action.CREATE
    assert event.organisation_id == council.pk
    assert event.detail["changes"]["client_id"] == {"before": None, "after": "client-1"}
    assert SECRET not in str(event.detail)
    assert sso.secret not in str(event.detail)


def test_a_change_keeps_the_secret_when_left_blank_and_is_audited_before_and_after(admin, council):
    client = _client(admin)
    client.post(f"/organisations/{council.pk}/single-sign-on/", _settings())
    stored = SingleSignOn.objects.get().secret
    response = client.post(
        f"/organisations/{council.pk}/single-sign-on/",
        _settings(client_id="client-2", client_secret="", enabled=""),
    )
    assert response.status_code == 302
    sso = SingleSignOn.objects.get()
    assert (sso.client_id, sso.enabled, sso.secret) == ("client-2", False, stored)
    event = AuditEvent.objects.filter(object_type="organisations.SingleSignOn").latest("pk")
    assert event.action == AuditEvent.Action.CHANGE
    assert event.detail["changes"] == {
        "client_id": {"before": "client-1", "after": "client-2"},
        "enabled": {"before": True, "after": False},
    }

    client.post(
        f"/organisations/{council.pk}/single-sign-on/", _settings(client_secret="a-new-one")
    )
    event = AuditEvent.objects.filter(object_type="organisations.SingleSignOn").latest("pk")
    assert event.detail["changes"]["client_secret"] == {"before": "set", "after": "replaced"}
    assert "a-new-one" not in str(event.detail)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"issuer": "http://login.example.com/tenant"}, "starts with https://"),
        ({"email_domains": "not a domain!"}, "is not an email domain"),
        ({"client_secret": ""}, "Enter the client secret"),
        ({"client_id": ""}, "Enter the client ID"),
    ],
)
def test_bad_settings_are_refused_and_change_nothing(admin, council, changes, message):
    client = _client(admin)
    response = client.post(f"/organisations/{council.pk}/single-sign-on/", _settings(**changes))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SingleSignOn.objects.exists()
    assert not AuditEvent.objects.filter(object_type="organisations.SingleSignOn").exists()


def test_an_email_domain_leads_to_one_organisation_only(admin, council, reference_data):
    client = _client(admin)
    client.post(f"/organisations/{council.pk}/single-sign-on/", _settings())
    other = factories.council("393").organisation
    response = client.post(f"/organisations/{other.pk}/single-sign-on/", _settings())
    assert "already used by" in response.content.decode()
    assert not SingleSignOn.objects.filter(organisation=other).exists()


def test_an_organisation_administrator_cannot_change_single_sign_on(council):
    own_admin = factories.user(Role.ORGANISATION_ADMINISTRATOR, council)
    client = _client(own_admin)
    response = client.post(f"/organisations/{council.pk}/single-sign-on/", _settings())
    assert response.status_code == 404
    assert not SingleSignOn.objects.exists()
    assert AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).exists()


def test_turning_single_sign_on_off_is_audited(admin, council):
    client = _client(admin)
    client.post(f"/organisations/{council.pk}/single-sign-on/", _settings())
    response = client.post(f"/organisations/{council.pk}/single-sign-on/", {"remove": "yes"})
    assert response.status_code == 302
    assert not SingleSignOn.objects.exists()
    event = AuditEvent.objects.filter(object_type="organisations.SingleSignOn").latest("pk")
    assert event.action == AuditEvent.Action.DELETE
    assert event.detail["changes"]["issuer"]["after"] is None
