"""Edge of Care pages through the Django test client: who can reach what, audit of every view of
a family's record, and GOV.UK error messages with nothing half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.edgeofcare import outcomes, placement_costs, referrals, targets
from alliance.edgeofcare.models import PlacementType, Referral, ServiceAllocation
from tests import factories as core
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner(client, north):
    person = core.member_of(north, Role.COUNCIL_PRACTITIONER)
    client.force_login(person)
    return person


def referral_post(**overrides):
    data = {
        "referrer_type": "police",
        "referrer_name": "PC Example, Northumbria Police",
        "referrer_contact": "",
        "address_line_1": "3 Sample Close",
        "address_town": "Wallsend",
        "postcode": "ne28 6ht",
        "needs": ["domestic-abuse", "housing"],
        "risk": "high",
        "urgency": "immediate",
        "consent_basis": "public-task",
        "summary": "Police called out overnight.",
        "child-TOTAL_FORMS": "3",
        "child-INITIAL_FORMS": "0",
        "child-0-first_name": "Mia",
        "child-0-last_name": "Dodds",
        "child-0-date_of_birth": "2012-05-04",
        "child-0-primary_need": "N4",
        "child-0-looked_after": "no",
        "child-0-prior_referrals": "1",
        "member-TOTAL_FORMS": "3",
        "member-INITIAL_FORMS": "0",
        "member-0-name": "Jo Dodds",
        "member-0-relationship": "Mother",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_practitioner_makes_a_referral(client, practitioner, north):
    response = client.post("/edge-of-care/referrals/new/", referral_post())
    r = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/edge-of-care/referrals/{r.pk}/"
    assert r.organisation == north
    assert r.postcode == "NE28 6HT"
    assert r.children.get().first_name == "Mia"
    assert r.members.get().relationship == "Mother"
    assert r.created_by == practitioner
    assert AuditEvent.objects.filter(action="create", object_id=str(r.pk)).exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"consent_basis": None},
            "Select the lawful basis for sharing the family&#39;s information",
        ),
        ({"child-0-looked_after": "yes"}, "This child is already in care"),
        ({"postcode": "not a postcode"}, "Enter a real postcode"),
        (
            {"child-0-first_name": "", "child-0-last_name": "", "child-0-date_of_birth": ""},
            "Add at least one child",
        ),
        ({"child-0-date_of_birth": "2031-01-01"}, "Date of birth must be in the past"),
        ({"needs": None}, "Select at least one presenting need"),
    ],
)
def test_bad_referrals_get_gov_uk_errors_and_save_nothing(client, practitioner, overrides, message):
    response = client.post("/edge-of-care/referrals/new/", referral_post(**overrides))
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert message in html
    assert "<title>Error:" in html
    assert not Referral.objects.exists()


def test_a_possible_duplicate_family_is_shown_before_saving(client, practitioner, north):
    first = factories.referral(
        north,
        postcode="NE28 6HT",
        children=[
            factories.child(first_name="Mia", last_name="Dodds", date_of_birth=dt.date(2012, 5, 4))
        ],
    )
    response = client.post("/edge-of-care/referrals/new/", referral_post())
    html = response.content.decode()
    assert response.status_code == 200
    assert "This family may already be known" in html
    assert first.reference in html
    assert Referral.objects.count() == 1
    response = client.post("/edge-of-care/referrals/new/", referral_post(not_a_duplicate="on"))
    assert response.status_code == 302
    assert Referral.objects.count() == 2


def test_viewing_a_family_is_audited(client, practitioner, north):
    r = factories.referral(north)
    response = client.get(f"/edge-of-care/referrals/{r.pk}/")
    assert response.status_code == 200
    assert r.reference in response.content.decode()
    event = AuditEvent.objects.get(action="view", object_type="edgeofcare.Referral")
    assert event.object_id == str(r.pk)
    assert event.user_id == practitioner.pk


def test_another_councils_family_is_404_and_audited(client, practitioner, reference_data):
    south = core.council("393").organisation
    theirs = factories.referral(south)
    for path in (
        f"/edge-of-care/referrals/{theirs.pk}/",
        f"/edge-of-care/referrals/{theirs.pk}/close/",
        f"/edge-of-care/referrals/{theirs.pk}/triage/",
    ):
        assert client.get(path).status_code == 404
    assert AuditEvent.objects.filter(action="access-denied", object_id=str(theirs.pk)).count() == 3
    assert not AuditEvent.objects.filter(action="view", object_type="edgeofcare.Referral").exists()
    assert theirs.reference not in client.get("/edge-of-care/cases/").content.decode()


@pytest.mark.parametrize("role", [Role.COUNCIL_ANALYST, Role.COUNCIL_LEADER, Role.EMPLOYER])
def test_people_without_the_edge_of_care_grant_are_refused(client, north, role):
    client.force_login(core.member_of(north, role))
    for path in ("/edge-of-care/queue/", "/edge-of-care/cases/", "/edge-of-care/referrals/new/"):
        assert client.get(path).status_code == 403
    assert AuditEvent.objects.filter(action="access-denied").count() == 3


@pytest.mark.parametrize("role", [Role.COUNCIL_ANALYST, Role.COUNCIL_LEADER])
def test_leaders_and_analysts_at_the_start_page_are_taken_to_the_figures(client, north, role):
    factories.referral(north)
    client.force_login(core.member_of(north, role))
    response = client.get("/edge-of-care/")
    assert response.status_code == 302
    assert response["Location"] == "/edge-of-care/dashboard/"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "North Tyneside" in page.content.decode()


def test_an_employer_at_the_start_page_is_refused(client, north):
    client.force_login(core.member_of(north, Role.EMPLOYER))
    assert client.get("/edge-of-care/").status_code == 403


def test_leaders_and_practitioners_see_the_dashboard_other_councils_do_not(client, north, south):
    factories.referral(north)
    client.force_login(core.member_of(north, Role.COUNCIL_LEADER))
    response = client.get("/edge-of-care/dashboard/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Response times" in html
    assert "Test Street" not in html  # no family's details on the dashboard
    csv = client.get("/edge-of-care/dashboard/?format=csv")
    assert csv["Content-Type"].startswith("text/csv")
    assert "first contacts on time" in b"".join(csv.streaming_content).decode()
    assert AuditEvent.objects.filter(action="export").exists()
    # the team that runs the service sees its own figures and whether it works
    client.force_login(core.member_of(north, Role.COUNCIL_PRACTITIONER))
    for path in ("/edge-of-care/dashboard/", "/edge-of-care/evaluation/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "North Tyneside" in response.content.decode()
    # another council's leader sees none of North Tyneside's, even by asking for it
    client.force_login(core.member_of(south, Role.COUNCIL_LEADER))
    other = client.get(f"/edge-of-care/dashboard/?council={north.pk}").content.decode()
    assert "North Tyneside" not in other
    assert "No council you can see runs Edge of Care yet" in other


def test_evaluation_says_plainly_when_nothing_is_uploaded(client, north):
    factories.referral(north, received_at=timezone.now() - dt.timedelta(days=400))
    client.force_login(core.member_of(north, Role.COUNCIL_LEADER))
    html = client.get("/edge-of-care/evaluation/").content.decode()
    assert "No comparison group yet" in html or "Not enough data" in html


def test_queue_shows_time_left(client, practitioner, north):
    factories.referral(
        north, urgency="immediate", received_at=timezone.now() - dt.timedelta(hours=5)
    )
    html = client.get("/edge-of-care/queue/").content.decode()
    assert "overdue" in html
    assert "Refresh the queue" in html


def test_triage_over_capacity_is_a_gov_uk_error(client, practitioner, north):
    svc = factories.service(north, capacity=1, name="Mediation")
    referrals.triage(factories.contacted(factories.referral(north)), [svc])
    r = factories.contacted(factories.referral(north))
    response = client.post(f"/edge-of-care/referrals/{r.pk}/triage/", {"services": [str(svc.pk)]})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html
    assert "Mediation is full" in html
    assert not r.allocations.exists()
    response = client.post(
        f"/edge-of-care/referrals/{r.pk}/triage/",
        {"services": [str(svc.pk)], "waiting_list_ok": "on"},
    )
    assert response.status_code == 302
    assert r.allocations.get().status == ServiceAllocation.Status.WAITING


def test_outcome_before_the_referral_is_a_gov_uk_error(client, practitioner, north):
    r = factories.referral(north, received_at=timezone.now() - dt.timedelta(days=120))
    child = r.children.get()
    before = (timezone.localdate(r.received_at) - dt.timedelta(days=3)).isoformat()
    post = {
        "months": "3",
        "checked_on": before,
        "living_at_home": "yes",
        "same_school": "yes",
        "entered_care": "no",
        "re_referred": "unknown",
    }
    response = client.post(f"/edge-of-care/referrals/{r.pk}/children/{child.pk}/outcome/", post)
    assert "must be on or after the referral date" in response.content.decode()
    assert not child.outcomes.exists()
    post["checked_on"] = timezone.localdate().isoformat()
    assert (
        client.post(
            f"/edge-of-care/referrals/{r.pk}/children/{child.pk}/outcome/", post
        ).status_code
        == 302
    )
    assert child.outcomes.get().re_referred is None


def test_contact_triage_goal_review_and_closure(client, practitioner, north):
    svc = factories.service(north, capacity=3, name="Parenting programme")
    r = factories.referral(north, received_at=timezone.now() - dt.timedelta(hours=2))
    today = timezone.localdate()
    response = client.post(
        f"/edge-of-care/referrals/{r.pk}/contacts/new/",
        {
            "kind": "home-visit",
            "date": today.isoformat(),
            "time": timezone.localtime().strftime("%H:%M"),
            "notes": "Met the family",
        },
    )
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.status == Referral.Status.AWAITING_TRIAGE
    assert (
        client.post(
            f"/edge-of-care/referrals/{r.pk}/triage/", {"services": [str(svc.pk)]}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/edge-of-care/referrals/{r.pk}/goals/new/", {"description": "Calmer mornings"}
        ).status_code
        == 302
    )
    review = client.post(
        f"/edge-of-care/referrals/{r.pk}/reviews/new/",
        {"held_on": today.isoformat(), "summary": "Going well"},
    )
    assert review.status_code == 302
    missing = client.post(f"/edge-of-care/referrals/{r.pk}/close/", {})
    assert "Select why the case is closing" in missing.content.decode()
    assert (
        client.post(f"/edge-of-care/referrals/{r.pk}/close/", {"reason": "goals-met"}).status_code
        == 302
    )
    r.refresh_from_db()
    assert r.status == Referral.Status.CLOSED
    assert r.allocations.get().status == ServiceAllocation.Status.ENDED
    assert r.goals.count() == 1
    assert r.reviews.count() == 1


def test_settings_change_targets_and_retention(client, practitioner, north):
    data = {
        "t-immediate": "3",
        "t-urgent": "20",
        "t-standard": "48",
        "s-team_lead_email": "lead@example.test",
        "s-warn_minutes": "30",
        "s-allocation_method": "waiting-list",
        "s-retention_years": "7",
        "s-retention_until_age": "25",
    }
    assert client.post("/edge-of-care/settings/", data).status_code == 302
    assert targets.target_hours(north)["immediate"] == 3
    assert targets.council_settings(north).retention_years == 7
    data["t-immediate"] = "0"
    html = client.post("/edge-of-care/settings/", data).content.decode()
    assert "The target must be at least 1 hour" in html
    assert targets.target_hours(north)["immediate"] == 3


def test_unit_costs_are_editable(client, practitioner, north):
    data = {t.value: "1000" for t in PlacementType}
    data["residential"] = "6250.50"
    assert client.post("/edge-of-care/settings/costs/", data).status_code == 302
    assert placement_costs.unit_costs(north)["residential"] == 625050
    data["residential"] = "-5"
    assert (
        "The cost cannot be negative"
        in client.post("/edge-of-care/settings/costs/", data).content.decode()
    )


def test_changing_an_outcome_starts_from_what_was_recorded(client, practitioner, north):
    r = factories.referral(north, received_at=timezone.now() - dt.timedelta(days=120))
    child = r.children.get()
    outcomes.record_outcome(
        child,
        3,
        {"checked_on": timezone.localdate(), "living_at_home": False, "notes": "Staying with gran"},
    )
    html = client.get(
        f"/edge-of-care/referrals/{r.pk}/children/{child.pk}/outcome/?months=3"
    ).content.decode()
    assert "Staying with gran" in html
    assert (
        client.get(
            f"/edge-of-care/referrals/{r.pk}/children/{child.pk}/outcome/?months=abc"
        ).status_code
        == 200
    )
