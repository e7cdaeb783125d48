"""Service administrators add alliances, the DfE and employers (councils come from the reference
data) and change which councils belong to an alliance, every change audited before and after;
organisation administrators see their own organisation only."""

from __future__ import annotations

import pytest
from django.test import Client

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.organisations.models import AllianceMember, Organisation
from tests import factories

pytestmark = pytest.mark.django_db


def _sign_in(person) -> Client:
    client = Client()
    assert (
        client.post(
            "/sign-in/", {"username": person.username, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    return client


@pytest.fixture
def admin(reference_data):
    return factories.user(Role.ADMINISTRATOR, factories.organisation(Organisation.Kind.DFE, "DfE"))


def test_an_administrator_sets_up_an_alliance_and_its_councils(admin):
    client = _sign_in(admin)
    response = client.post("/organisations/new/", {"kind": "alliance", "name": " Wear  Alliance "})
    alliance = Organisation.objects.get(name="Wear Alliance")
    assert response["Location"] == f"/organisations/{alliance.pk}/"
    assert alliance.kind == Organisation.Kind.ALLIANCE
    assert alliance.slug == "wear-alliance"
    sunderland = factories.council("394")
    client.post(f"/organisations/{alliance.pk}/councils/", {"council": sunderland.pk})
    member = AllianceMember.objects.get(alliance=alliance)
    assert member.council == sunderland
    page = client.get(f"/organisations/{alliance.pk}/").content.decode()
    assert "Sunderland" in page
    client.post(f"/organisations/{alliance.pk}/councils/{member.pk}/remove/")
    assert not AllianceMember.objects.filter(alliance=alliance).exists()
    rows = AuditEvent.objects.filter(object_type="organisations.AllianceMember")
    added, removed = rows.get(action="create"), rows.get(action="delete")
    assert added.detail["changes"]["council_id"] == {"before": None, "after": sunderland.pk}
    assert removed.detail["changes"]["council_id"] == {"before": sunderland.pk, "after": None}
    assert added.organisation_id == alliance.pk
    assert AuditEvent.objects.filter(
        action="create", object_type="organisations.Organisation", object_id=str(alliance.pk)
    ).exists()


def test_councils_are_not_added_by_hand_and_names_are_not_repeated(admin):
    client = _sign_in(admin)
    refused = client.post("/organisations/new/", {"kind": "council", "name": "New Council"})
    assert refused.status_code == 200
    client.post("/organisations/new/", {"kind": "employer", "name": "Acme Ltd"})
    again = client.post("/organisations/new/", {"kind": "employer", "name": "ACME LTD"})
    assert "There is already an organisation called ACME LTD" in again.content.decode()
    assert Organisation.objects.filter(name__iexact="acme ltd").count() == 1
    assert not Organisation.objects.filter(name="New Council").exists()


def test_an_organisation_administrator_sees_only_their_own_organisation(admin):
    north, south = (factories.council(c).organisation for c in ("392", "393"))
    north_admin = factories.user(Role.ORGANISATION_ADMINISTRATOR, north)
    client = _sign_in(north_admin)
    listed = client.get("/organisations/").content.decode()
    assert "North Tyneside" in listed
    assert "South Tyneside" not in listed
    assert client.get(f"/organisations/{south.pk}/").status_code == 404
    assert client.get("/organisations/new/").status_code == 404
    assert client.post("/organisations/new/", {"kind": "alliance", "name": "X"}).status_code == 404
    assert not Organisation.objects.filter(name="X").exists()


def test_the_partner_form_points_to_the_organisations_pages(admin):
    from tests.alliance.programme import factories as programme

    prog = programme.programme()
    page = _sign_in(admin).get(f"/programme/setup/{prog.pk}/partners/new/").content.decode()
    assert 'under <a class="govuk-link" href="/organisations/">Organisations</a>' in page
