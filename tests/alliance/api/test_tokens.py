"""Issuing and revoking tokens through the administrators' pages: shown once, stored only as a
fingerprint, audited with before and after, and only for organisations the person manages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.api.models import ApiToken, Scope
from alliance.audit.models import AuditEvent
from tests import factories
from tests.alliance.accounts.people.conftest import sign_in
from tests.alliance.api.conftest import issue_token

pytestmark = pytest.mark.django_db


def _form(organisation, **changes):  # type: ignore[no-untyped-def]
    return {
        "organisation": str(organisation.pk),
        "name": "Mosaic nightly export",
        "role": Role.COUNCIL_ANALYST,
        "scopes": [Scope.UPLOAD_RETURNS, Scope.READ_RETURNS],
        "expires_on": (timezone.localdate() + dt.timedelta(days=60)).isoformat(),
        **changes,
    }


def test_an_organisation_administrator_issues_a_token_shown_once(north, north_admin):
    client = sign_in(north_admin)  # with the security code, as the people pages need
    assert client.get("/api-tokens/").status_code == 200
    response = client.post("/api-tokens/new/", _form(north))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    token = ApiToken.objects.get()
    secret = html.split('id="token">', 1)[1].split("<", 1)[0]
    assert secret.startswith(token.prefix)
    assert secret not in str(list(ApiToken.objects.values()))
    assert token.digest != secret
    listing = client.get("/api-tokens/").content.decode()
    assert token.prefix in listing
    assert secret not in listing
    issued = AuditEvent.objects.get(action="create", object_type="api.ApiToken")
    assert "digest" not in issued.detail["changes"]
    assert secret not in str(AuditEvent.objects.values_list("detail", flat=True))
    # the token's own account holds that one role in that one organisation, and cannot sign in
    assert list(token.principal.memberships.values_list("organisation", "role")) == [
        (north.pk, Role.COUNCIL_ANALYST)
    ]
    assert not token.principal.has_usable_password()


def test_an_organisation_administrator_cannot_issue_or_revoke_for_another(
    north, south, north_admin
):
    client = sign_in(north_admin)
    response = client.post("/api-tokens/new/", _form(south))
    assert response.status_code == 400
    assert not ApiToken.objects.exists()
    south_admin = factories.member_of(south, Role.ORGANISATION_ADMINISTRATOR)
    theirs, _raw = issue_token(south, south_admin)
    assert client.post(f"/api-tokens/{theirs.pk}/revoke/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.revoked_at is None
    assert AuditEvent.objects.filter(action="access-denied", object_id=str(theirs.pk)).exists()
    assert theirs.prefix not in client.get("/api-tokens/").content.decode()


@pytest.mark.parametrize(
    ("changes", "says"),
    [
        ({"role": Role.DFE_ANALYST}, "can act as"),
        ({"scopes": []}, "Choose what the token may be used for"),
        ({"expires_on": "2020-01-01"}, "must be in the future"),
        ({"expires_on": (dt.date.today() + dt.timedelta(days=800)).isoformat()}, "at most a year"),
        ({"name": "  "}, "Enter what will use the token"),
    ],
)
def test_tokens_that_cannot_be_issued_say_why(north, north_admin, changes, says):
    client = sign_in(north_admin)
    response = client.post("/api-tokens/new/", _form(north, **changes))
    assert response.status_code == 400
    assert says in response.content.decode()
    assert not ApiToken.objects.exists()


def test_people_without_people_rights_cannot_reach_the_token_pages(client, north):
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    client.force_login(analyst)
    assert client.get("/api-tokens/").status_code == 403
    assert client.post("/api-tokens/new/", _form(north)).status_code == 403
    assert not ApiToken.objects.exists()


def test_a_password_only_sign_in_is_sent_to_two_step_verification_first(client, north, north_admin):
    client.force_login(north_admin)  # a session without the security code
    for response in (client.get("/api-tokens/"), client.post("/api-tokens/new/", _form(north))):
        assert response.status_code == 302
        assert "two-step-verification" in response["Location"]
    assert not ApiToken.objects.exists()


def test_a_tokens_own_account_is_not_listed_or_managed_as_a_person(north, north_admin):
    token, _raw = issue_token(north, north_admin)
    client = sign_in(north_admin)
    assert token.principal.full_name not in client.get("/people/").content.decode()
    assert client.get(f"/people/{token.principal.pk}/").status_code == 404
