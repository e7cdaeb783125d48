"""Employers managing their own opportunities: change, close early, reopen, and move their own
consenting applicants through interview and offer; never anyone else's."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.workplace import matching, pipeline
from alliance.workplace.models import EmployerProfile, Opportunity, Referral
from tests import factories
from tests.alliance.workplace import factories as wp

pytestmark = pytest.mark.django_db
DENIED = AuditEvent.Action.ACCESS_DENIED


def today() -> dt.date:
    """Today where the service is, asked for each time: a test that runs across midnight must
    not compare a date taken when the module was imported with one taken now."""
    return timezone.localdate()


@pytest.fixture
def south(reference_data):
    return wp.south_tyneside()


@pytest.fixture
def employer(client, south):
    org = wp.employer(south, name="Tyne Dock Logistics")
    client.force_login(factories.user(Role.EMPLOYER, org))
    return org


def _form(item: Opportunity, **changes):
    data = {
        "title": item.title,
        "kind": item.kind,
        "description": item.description,
        "places": str(item.places),
        "postcode": item.postcode,
        "hours_per_week": str(item.hours_per_week),
        "min_age": str(item.min_age),
        "max_age": str(item.max_age),
        "interests": item.interests,
        "support": item.support,
        "closing_date": item.closing_date.isoformat(),
    }
    data.update(changes)
    return data


def test_employer_changes_their_opportunity_with_the_same_checks(client, employer):
    item = wp.opportunity(employer, title="Warehouse operative")
    url = reverse("workplace:employer-opportunity-edit", args=[item.pk])
    assert client.get(url).status_code == 200
    bad = client.post(url, _form(item, title="Changed", closing_date="2020-01-01", places="0"))
    page = bad.content.decode()
    assert "The closing date must be today or in the future" in page
    assert "Places must be between 1 and 500" in page
    item.refresh_from_db()
    assert item.title == "Warehouse operative"
    good = client.post(url, _form(item, title="Warehouse team member", pay="12.60", places="3"))
    assert good.status_code == 302
    item.refresh_from_db()
    assert (item.title, item.places, item.pay_pence_per_hour) == ("Warehouse team member", 3, 1260)
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(item.pk))
    assert "title" in event.detail["fields"]


def test_employer_cannot_change_another_employers_opportunity(client, employer):
    rival = wp.opportunity(wp.employer(name="Rival Ltd"), title="Theirs")
    for name in ("employer-opportunity-edit", "employer-opportunity-close"):
        assert client.get(reverse(f"workplace:{name}", args=[rival.pk])).status_code == 404
        assert client.post(reverse(f"workplace:{name}", args=[rival.pk])).status_code == 404
    response = client.post(reverse("workplace:employer-opportunity-reopen", args=[rival.pk]))
    assert response.status_code == 404
    rival.refresh_from_db()
    assert rival.title == "Theirs"
    assert rival.closed_early_on is None
    assert AuditEvent.objects.filter(action=DENIED, object_id=str(rival.pk)).count() == 5


def test_closing_early_and_reopening(client, employer, south):
    item = wp.opportunity(employer, closing_date=today() + dt.timedelta(days=20))
    advertised = item.closing_date
    person = wp.young_person(south)
    assert (
        client.get(reverse("workplace:employer-opportunity-close", args=[item.pk])).status_code
        == 200
    )
    client.post(reverse("workplace:employer-opportunity-close", args=[item.pk]))
    item.refresh_from_db()
    assert not item.is_open
    assert item.closed_early_on == today()
    assert item.advertised_closing_date == advertised
    # Gone from the adviser's list and the young person's matches at once.
    assert not matching.matches_for_young_person(person, Opportunity.objects.all())[0]
    page = client.get(reverse("workplace:employer-opportunity", args=[item.pk])).content.decode()
    assert "Closed early on" in page
    assert "Reopen until" in page
    # A closed opportunity is not changed until it is reopened.
    edit = client.get(reverse("workplace:employer-opportunity-edit", args=[item.pk]))
    assert edit.status_code == 302
    client.post(reverse("workplace:employer-opportunity-reopen", args=[item.pk]))
    item.refresh_from_db()
    assert item.is_open
    assert item.closing_date == advertised
    assert item.closed_early_on is None
    assert matching.matches_for_young_person(person, Opportunity.objects.all())[0]
    assert (
        AuditEvent.objects.filter(action=AuditEvent.Action.CHANGE, object_id=str(item.pk)).count()
        == 2
    )


def test_reopening_after_the_advertised_date_is_refused(employer):
    item = wp.opportunity(employer, closing_date=today() + dt.timedelta(days=5))
    user = factories.user()
    pipeline.close_early(item, today=today(), user=user)
    with pytest.raises(pipeline.StageError, match="has passed"):
        pipeline.reopen(item, today=today() + dt.timedelta(days=6), user=user)
    item.refresh_from_db()
    assert item.closed_early_on == today()
    with pytest.raises(pipeline.StageError):
        pipeline.close_early(item, today=today(), user=user)


def test_a_pending_employer_cannot_change_opportunities(client, employer):
    item = wp.opportunity(employer, title="Before")
    EmployerProfile.objects.filter(organisation=employer).update(status="pending")
    client.post(
        reverse("workplace:employer-opportunity-edit", args=[item.pk]), _form(item, title="After")
    )
    client.post(reverse("workplace:employer-opportunity-close", args=[item.pk]))
    item.refresh_from_db()
    assert item.title == "Before"
    assert item.is_open


def _applicant(south, item, stage="applied", consent=True, **fields):
    person = wp.young_person(south, consent_to_share=consent, **fields)
    return Referral.objects.create(
        organisation=south,
        young_person=person,
        opportunity=item,
        stage=stage,
        stage_dates={
            "suggested": (today() - dt.timedelta(days=10)).isoformat(),
            stage: (today() - dt.timedelta(days=5)).isoformat(),
        },
    )


def test_employer_moves_their_applicant_through_interview_and_offer(client, employer, south):
    item = wp.opportunity(employer)
    referral = _applicant(south, item, first_name="Jordan")
    page = client.get(reverse("workplace:employer-opportunity", args=[item.pk])).content.decode()
    assert reverse("workplace:employer-applicant", args=[referral.pk]) in page
    url = reverse("workplace:employer-applicant", args=[referral.pk])
    form = client.get(url).content.decode()
    assert "Jordan T." in form
    assert "Started" not in form  # what happens after an offer is the adviser's
    future = client.post(
        url, {"stage": "interview", "on": (today() + dt.timedelta(days=2)).isoformat()}
    )
    assert "The date must be today or in the past" in future.content.decode()
    referral.refresh_from_db()
    assert referral.stage == "applied"
    early = client.post(
        url, {"stage": "interview", "on": (today() - dt.timedelta(days=7)).isoformat()}
    )
    assert "on or after the date of the stage before" in early.content.decode()
    skip = client.post(url, {"stage": "started", "on": today().isoformat()})
    assert skip.status_code == 200
    referral.refresh_from_db()
    assert referral.stage == "applied"
    assert client.post(url, {"stage": "interview", "on": today().isoformat()}).status_code == 302
    assert client.post(url, {"stage": "offer", "on": today().isoformat()}).status_code == 302
    referral.refresh_from_db()
    assert referral.stage == "offer"
    assert referral.date_of("interview") == today()
    changes = AuditEvent.objects.filter(
        action=AuditEvent.Action.CHANGE, object_type="workplace.Referral"
    )
    assert [e.detail["stage"] for e in changes.order_by("at")] == ["interview", "offer"]
    assert all(e.detail["by"] == "employer" for e in changes)


def test_employer_cannot_move_applicants_they_should_not_see(client, employer, south):
    item = wp.opportunity(employer)
    private = _applicant(south, item, consent=False)
    thinking = _applicant(south, item, stage="interested")
    rival = _applicant(south, wp.opportunity(wp.employer(name="Rival Ltd")))
    for referral in (private, thinking, rival):
        url = reverse("workplace:employer-applicant", args=[referral.pk])
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"stage": "interview", "on": today().isoformat()}).status_code == 404
        )
        referral.refresh_from_db()
        assert referral.stage in ("applied", "interested")
    assert AuditEvent.objects.filter(action=DENIED, object_type="workplace.Referral").count() == 6
