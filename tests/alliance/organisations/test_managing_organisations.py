"""Service administrators add alliances, the DfE and employers (councils come from the reference
data) and change which councils belong to an alliance, every change audited before and after;
organisation administrators see their own organisation only."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from alliance.access.policy import Area, can
from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.organisations.models import AllianceMember, AllianceMembership, Organisation
from tests import factories, two_step
from tests.alliance.programme import factories as programme

pytestmark = pytest.mark.django_db


def _sign_in(person) -> Client:
    """Sign in with a password and then a security code (these pages need both)."""
    client = Client()
    device = two_step.device_of(person)
    assert (
        client.post(
            "/sign-in/", {"username": person.username, "password": factories.PASSWORD}
        ).status_code
        == 302
    )
    assert (
        client.post("/sign-in/security-code/", {"token": two_step.code_for(device)}).status_code
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
    client.post(
        f"/organisations/{alliance.pk}/councils/",
        {"council": sunderland.pk, "kind": "partner", "starts_on": "2024-04-01"},
    )
    member = AllianceMember.objects.get(alliance=alliance)
    assert member.council == sunderland
    period = AllianceMembership.objects.get(alliance=alliance)
    assert (period.kind, period.starts_on, period.ends_on) == ("partner", dt.date(2024, 4, 1), None)
    page = client.get(f"/organisations/{alliance.pk}/").content.decode()
    assert "Sunderland" in page
    assert "1 April 2024" in page
    client.post(
        f"/organisations/{alliance.pk}/memberships/{period.pk}/end/", {"ends_on": "2025-03-31"}
    )
    period.refresh_from_db()
    assert period.ends_on == dt.date(2025, 3, 31)
    assert not AllianceMember.objects.filter(alliance=alliance).exists()  # no longer a member
    ended = AuditEvent.objects.get(object_type="organisations.AllianceMembership", action="change")
    assert ended.detail["changes"]["ends_on"] == {"before": None, "after": "2025-03-31"}
    assert ended.organisation_id == alliance.pk
    rows = AuditEvent.objects.filter(object_type="organisations.AllianceMember")
    added, removed = rows.get(action="create"), rows.get(action="delete")
    assert added.detail["changes"]["council_id"] == {"before": None, "after": sunderland.pk}
    assert removed.detail["changes"]["council_id"] == {"before": sunderland.pk, "after": None}
    assert AuditEvent.objects.filter(
        action="create", object_type="organisations.Organisation", object_id=str(alliance.pk)
    ).exists()


def test_a_supported_council_is_recorded_but_gives_the_alliance_no_reach(admin):
    alliance = factories.alliance("392", name="Reach Alliance")
    lead = factories.user(Role.ALLIANCE_LEAD, alliance)
    sunderland = factories.council("394")
    client = _sign_in(admin)
    client.post(
        f"/organisations/{alliance.pk}/councils/",
        {"council": sunderland.pk, "kind": "supported", "starts_on": "2025-01-01"},
    )
    assert AllianceMembership.objects.get(alliance=alliance).kind == "supported"
    assert not AllianceMember.objects.filter(alliance=alliance, council=sunderland).exists()
    assert not can(lead, Area.PROGRAMME, organisation=sunderland.organisation)


def test_membership_dates_that_make_no_sense_are_refused(admin):
    alliance = factories.organisation(Organisation.Kind.ALLIANCE, "Dates Alliance")
    sunderland = factories.council("394")
    client = _sign_in(admin)
    url = f"/organisations/{alliance.pk}/councils/"
    future = (dt.date.today() + dt.timedelta(days=3)).isoformat()
    refused = client.post(
        url, {"council": sunderland.pk, "kind": "partner", "starts_on": future}, follow=True
    )
    assert "The start date must be today or in the past" in refused.content.decode()
    client.post(url, {"council": sunderland.pk, "kind": "partner", "starts_on": "2024-04-01"})
    again = client.post(
        url, {"council": sunderland.pk, "kind": "supported", "starts_on": "2024-05-01"}, follow=True
    )
    assert "Sunderland is already with Dates Alliance: end that first" in again.content.decode()
    period = AllianceMembership.objects.get(alliance=alliance)
    early = client.post(
        f"/organisations/{alliance.pk}/memberships/{period.pk}/end/",
        {"ends_on": "2024-01-01"},
        follow=True,
    )
    assert "The end date must be on or after 1 April 2024" in early.content.decode()
    period.refresh_from_db()
    assert period.ends_on is None
    assert AllianceMembership.objects.filter(alliance=alliance).count() == 1


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

    prog = programme.programme()
    page = _sign_in(admin).get(f"/programme/setup/{prog.pk}/partners/new/").content.decode()
    assert 'under <a class="govuk-link" href="/organisations/">Organisations</a>' in page


def test_a_member_council_recorded_without_dates_can_be_removed(admin):
    alliance = factories.alliance("392", "393", name="Old Alliance")
    north = AllianceMember.objects.get(alliance=alliance, council__dfe_code="392")
    client = _sign_in(admin)
    assert "Not recorded" in client.get(f"/organisations/{alliance.pk}/").content.decode()
    done = client.post(f"/organisations/{alliance.pk}/councils/{north.pk}/remove/", follow=True)
    assert "North Tyneside is no longer a member of Old Alliance" in done.content.decode()
    assert list(
        AllianceMember.objects.filter(alliance=alliance).values_list("council__dfe_code", flat=True)
    ) == ["393"]
    removed = AuditEvent.objects.get(object_type="organisations.AllianceMember", action="delete")
    assert removed.object_id == str(north.pk)
