"""What a walk-through of a practitioner's day found (issue #16): a contact in the same minute as
the referral, a family postcode outside the council, a named allocated worker, codes shown with
their meaning, and who may see the service's figures."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.edgeofcare import demo, workers
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import Referral
from tests import factories as core
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner(client, north):
    person = core.member_of(north, Role.COUNCIL_PRACTITIONER)
    client.force_login(person)
    return person


def _contact(client, r, when):
    local = timezone.localtime(when)
    return client.post(
        f"/edge-of-care/referrals/{r.pk}/contacts/new/",
        {
            "kind": "phone",
            "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"),
            "notes": "Rang mum back at once",
        },
    )


def test_a_contact_in_the_same_minute_as_the_referral_is_accepted(client, practitioner, north):
    # received at hh:mm:45: the form's hh:mm is 45 seconds earlier, but the same minute
    received = (timezone.now() - dt.timedelta(hours=1)).replace(second=45, microsecond=0)
    r = factories.referral(north, received_at=received)
    response = _contact(client, r, received)
    assert response.status_code == 302, response.content.decode()
    r.refresh_from_db()
    assert r.status == Referral.Status.AWAITING_TRIAGE
    assert r.first_contact_at is not None


def test_a_contact_a_minute_before_the_referral_is_still_refused(client, practitioner, north):
    received = (timezone.now() - dt.timedelta(hours=1)).replace(second=5, microsecond=0)
    r = factories.referral(north, received_at=received)
    response = _contact(client, r, received - dt.timedelta(minutes=1))
    assert response.status_code == 200
    assert "at or after the time the referral was received" in response.content.decode()
    assert not r.contacts.exists()


def _referral_post(postcode, **overrides):
    data = {
        "referrer_type": "police",
        "referrer_name": "PC Example, Northumbria Police",
        "address_line_1": "3 Sample Close",
        "address_town": "Wallsend",
        "postcode": postcode,
        "needs": ["domestic-abuse"],
        "risk": "high",
        "urgency": "immediate",
        "consent_basis": "public-task",
        "child-TOTAL_FORMS": "1",
        "child-INITIAL_FORMS": "0",
        "child-0-first_name": "Mia",
        "child-0-last_name": "Dodds",
        "child-0-date_of_birth": "2012-05-04",
        "child-0-primary_need": "N4",
        "child-0-looked_after": "no",
        "member-TOTAL_FORMS": "0",
        "member-INITIAL_FORMS": "0",
    }
    return data | overrides


def test_a_london_postcode_for_a_north_tyneside_family_is_a_warning_to_confirm(
    client, practitioner, north
):
    page = client.post("/edge-of-care/referrals/new/", _referral_post("SW1A 1AA"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "data-outside-area" in html
    assert "SW1A 1AA is in Westminster&#39;s area, not North Tyneside" in html or (
        "SW1A 1AA is in Westminster's area, not North Tyneside" in html
    )
    assert not Referral.objects.exists()
    saved = client.post(
        "/edge-of-care/referrals/new/", _referral_post("SW1A 1AA", outside_area_ok="on")
    )
    assert saved.status_code == 302
    assert Referral.objects.get().postcode == "SW1A 1AA"


def test_a_postcode_that_does_not_exist_is_an_error(client, practitioner, north):
    page = client.post("/edge-of-care/referrals/new/", _referral_post("NE99 9ZZ"))
    html = page.content.decode()
    assert "NE99 9ZZ is not in the ONS Postcode Directory" in html
    assert "There is a problem" in html
    assert not Referral.objects.exists()


def test_a_north_tyneside_postcode_saves_without_a_warning(client, practitioner, north):
    response = client.post("/edge-of-care/referrals/new/", _referral_post("NE29 6DL"))
    assert response.status_code == 302
    assert Referral.objects.get().postcode == "NE29 6DL"


def _named(org, role, name):
    person = core.member_of(org, role)
    person.full_name = name
    person.save(update_fields=["full_name"])
    return person


def test_a_case_has_a_named_allocated_worker_changed_with_an_audit(client, practitioner, north):
    sam = _named(north, Role.COUNCIL_PRACTITIONER, "Sam Worker")
    r = factories.referral(north)
    page = client.get(f"/edge-of-care/referrals/{r.pk}/").content.decode()
    assert "Allocated worker" in page
    assert "Nobody yet" in page
    form = client.get(f"/edge-of-care/referrals/{r.pk}/worker/").content.decode()
    assert "Sam Worker" in form
    response = client.post(f"/edge-of-care/referrals/{r.pk}/worker/", {"worker": str(sam.pk)})
    assert response.status_code == 302
    r.refresh_from_db()
    assert r.allocated_worker == sam
    assert "Sam Worker" in client.get(f"/edge-of-care/referrals/{r.pk}/").content.decode()
    change = AuditEvent.objects.filter(action="change", object_id=str(r.pk)).latest("pk")
    assert change.detail["allocated_worker"] == "Sam Worker"
    assert change.detail["was"] is None


@pytest.mark.parametrize("who", ["analyst", "other council"])
def test_only_the_councils_edge_of_care_people_can_be_allocated(
    client, practitioner, north, south, who
):
    outsider = (
        _named(north, Role.COUNCIL_ANALYST, "Ana Lyst")
        if who == "analyst"
        else _named(south, Role.COUNCIL_PRACTITIONER, "Sou Th")
    )
    r = factories.referral(north)
    form = client.get(f"/edge-of-care/referrals/{r.pk}/worker/").content.decode()
    assert outsider.full_name not in form
    response = client.post(f"/edge-of-care/referrals/{r.pk}/worker/", {"worker": str(outsider.pk)})
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    r.refresh_from_db()
    assert r.allocated_worker is None
    with pytest.raises(EdgeOfCareError):
        workers.allocate_worker(r, outsider, user=practitioner)


def test_the_case_list_shows_the_worker_and_filters_my_cases(client, practitioner, north):
    practitioner.full_name = "Pat Practitioner"
    practitioner.save(update_fields=["full_name"])
    sam = _named(north, Role.COUNCIL_PRACTITIONER, "Sam Worker")
    mine = factories.referral(north, postcode="NE29 6DL")
    theirs = factories.referral(north, postcode="NE30 1AA")
    nobodys = factories.referral(north, postcode="NE28 6HT")
    workers.allocate_worker(mine, practitioner, user=practitioner)
    workers.allocate_worker(theirs, sam, user=practitioner)
    everything = client.get("/edge-of-care/cases/").content.decode()
    assert "Pat Practitioner" in everything
    assert "Sam Worker" in everything
    my_cases = client.get("/edge-of-care/cases/?worker=me").content.decode()
    assert mine.reference in my_cases
    assert theirs.reference not in my_cases
    assert nobodys.reference not in my_cases
    unallocated = client.get("/edge-of-care/cases/?worker=none").content.decode()
    assert nobodys.reference in unallocated
    assert mine.reference not in unallocated
    sams = client.get(f"/edge-of-care/cases/?worker={sam.pk}").content.decode()
    assert theirs.reference in sams
    assert mine.reference not in sams
    index = client.get("/edge-of-care/").content.decode()
    assert "the 1 family allocated to you" in index


def test_the_demo_families_being_worked_with_have_a_named_worker(north):
    team = _named(north, Role.COUNCIL_PRACTITIONER, "Demo Worker")
    demo.load()
    triaged = Referral.objects.filter(organisation=north, triaged_at__isnull=False)
    assert triaged.exists()
    assert not triaged.filter(allocated_worker__isnull=True).exists()
    assert triaged.filter(allocated_worker=team).count() == triaged.count()
