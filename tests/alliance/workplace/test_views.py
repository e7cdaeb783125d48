"""WorkPlace pages through the Django test client: what each kind of user sees, access refused
and audited, and bad input refused with nothing changed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.workplace.models import (
    Adviser,
    Appointment,
    CareLeaverInfo,
    Opportunity,
    Referral,
    StatusLetter,
    YoungPerson,
)
from tests import factories
from tests.alliance.workplace import factories as wp

pytestmark = pytest.mark.django_db
DENIED = AuditEvent.Action.ACCESS_DENIED


@pytest.fixture
def south(reference_data):
    return wp.south_tyneside()


@pytest.fixture
def adviser(client, south):
    user = wp.adviser(south)
    client.force_login(user)
    return user


def _person_form(**overrides):
    data = {
        "first_name": "Robyn",
        "last_name": "Hallgarth",
        "date_of_birth": wp.born_aged(18).isoformat(),
        "legal_status": "former-relevant",
        "in_touch": "YES",
        "activity": "F5",
        "accommodation": "U1",
        "interests": ["logistics"],
        "postcode": "ne33 2rl",
        "max_travel_miles": "10",
        "hours": "either",
        "consent_to_share": "on",
    }
    data.update(overrides)
    return data


# --- advisers ----------------------------------------------------------------------------------


def test_adviser_pages_show_their_councils_records(client, adviser, south):
    person = wp.young_person(south, first_name="Visible")
    item = wp.opportunity()
    for name, args in [
        ("index", []),
        ("duties", []),
        ("young-people", []),
        ("young-person", [person.pk]),
        ("matches", [person.pk]),
        ("opportunities", []),
        ("opportunity", [item.pk]),
        ("employers", []),
        ("group-sessions", []),
        ("local-offer", []),
        ("outcomes", []),
        ("young-person-new", []),
        ("letter-new", [person.pk]),
    ]:
        response = client.get(reverse(f"workplace:{name}", args=args))
        assert response.status_code == 200, name
    page = client.get(reverse("workplace:young-people")).content.decode()
    assert "Visible Testperson" in page
    matches = client.get(reverse("workplace:matches", args=[person.pk])).content.decode()
    assert item.title in matches
    assert "miles from home" in matches


def test_viewing_a_record_is_audited(client, adviser, south):
    person = wp.young_person(south)
    client.get(reverse("workplace:young-person", args=[person.pk]))
    event = AuditEvent.objects.filter(action=AuditEvent.Action.VIEW, object_id=str(person.pk)).get()
    assert event.object_type == "workplace.YoungPerson"
    assert event.username == adviser.username


def test_another_councils_young_person_is_404_and_audited(client, adviser):
    north = factories.council("392").organisation
    theirs = wp.young_person(north)
    for name in ("young-person", "young-person-edit", "matches", "letter-new"):
        response = client.get(reverse(f"workplace:{name}", args=[theirs.pk]))
        assert response.status_code == 404, name
    assert AuditEvent.objects.filter(action=DENIED, object_id=str(theirs.pk)).count() == 4
    listed = client.get(reverse("workplace:young-people")).content.decode()
    assert reverse("workplace:young-person", args=[theirs.pk]) not in listed


def test_other_roles_are_refused_and_audited(client, south):
    for role, org in (
        (Role.COUNCIL_ANALYST, south),
        (Role.EMPLOYER, wp.employer()),
        (Role.YOUNG_PERSON, south),
    ):
        client.force_login(factories.user(role, org))
        assert client.get(reverse("workplace:young-people")).status_code == 403
    assert AuditEvent.objects.filter(action=DENIED).count() == 3


def test_adding_a_young_person(client, adviser, south):
    response = client.post(reverse("workplace:young-person-new"), _person_form())
    person = YoungPerson.objects.get(first_name="Robyn")
    assert response.status_code == 302
    assert person.organisation == south
    assert person.postcode == "NE33 2RL"
    assert person.easting
    assert person.consent_recorded == dt.date.today()
    created = AuditEvent.objects.get(action=AuditEvent.Action.CREATE, object_id=str(person.pk))
    # the service audits with the acting adviser; the request's address and path still come along
    assert created.user_id == adviser.pk
    assert created.path == reverse("workplace:young-person-new")
    assert created.ip_address == "127.0.0.1"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"activity": "Z9"}, "is not a main activity code the DfE uses"),
        ({"accommodation": "Q1"}, "is not a accommodation code the DfE uses"),
        ({"postcode": "SW1A 1AA"}, "Enter a postcode in the North East"),
        ({"postcode": "not a postcode"}, "Enter a real postcode"),
        ({"date_of_birth": "2030-01-01"}, "Date of birth must be in the past"),
        ({"first_name": ""}, "Enter the young person’s first name"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    client, adviser, change, message
):
    response = client.post(reverse("workplace:young-person-new"), _person_form(**change))
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert not YoungPerson.objects.filter(last_name="Hallgarth").exists()


def test_a_duplicate_young_person_is_refused(client, adviser, south):
    client.post(reverse("workplace:young-person-new"), _person_form())
    response = client.post(
        reverse("workplace:young-person-new"), _person_form(first_name="robyn", activity="G5")
    )
    assert "already has a WorkPlace record" in response.content.decode()
    assert YoungPerson.objects.filter(last_name="Hallgarth").count() == 1
    # the refused change leaves no audit row: only the first record's creation is audited
    assert (
        AuditEvent.objects.filter(action="create", object_type="workplace.YoungPerson").count() == 1
    )
    assert YoungPerson.objects.get(last_name="Hallgarth").activity == "F5"


def test_changing_a_record_with_an_unknown_code_changes_nothing(client, adviser, south):
    person = wp.young_person(south, activity="F4")
    data = _person_form(first_name=person.first_name, last_name=person.last_name, activity="XX")
    response = client.post(reverse("workplace:young-person-edit", args=[person.pk]), data)
    assert response.status_code == 200
    person.refresh_from_db()
    assert person.activity == "F4"
    assert person.last_name == "Testperson"


def test_recording_birthday_information(client, adviser, south):
    person = wp.young_person(south)
    url = reverse("workplace:care-leaver-info", args=[person.pk])
    data = {
        "birthday": "18",
        "recorded_on": dt.date.today().isoformat(),
        "in_touch": "YES",
        "activity": "F2",
        "accommodation": "Z1",
    }
    assert client.post(url, data).status_code == 302
    person.refresh_from_db()
    assert person.activity == "F2"
    assert CareLeaverInfo.objects.get(young_person=person).birthday == 18
    again = client.post(url, {**data, "activity": "G4"})
    assert "already recorded" in again.content.decode()
    bad = client.post(url, {**data, "birthday": "19", "activity": "ZZ"})
    assert "is not a main activity code" in bad.content.decode()
    assert CareLeaverInfo.objects.filter(young_person=person).count() == 1


def test_suggest_and_move_a_referral(client, adviser, south):
    person, item = wp.young_person(south), wp.opportunity()
    client.post(reverse("workplace:suggest", args=[person.pk, item.pk]))
    referral = Referral.objects.get(young_person=person)
    assert referral.reasons
    response = client.post(
        reverse("workplace:referral", args=[referral.pk]),
        {"stage": "applied", "on": dt.date.today().isoformat()},
    )
    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.stage == "applied"
    backwards = client.post(
        reverse("workplace:referral", args=[referral.pk]),
        {"stage": "suggested", "on": dt.date.today().isoformat()},
    )
    assert backwards.status_code == 200
    assert "There is a problem" in backwards.content.decode()


def test_appointments_and_goals(client, adviser, south):
    person = wp.young_person(south)
    tomorrow = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("workplace:appointment-new", args=[person.pk]),
        {
            "date": tomorrow,
            "time": "10:30",
            "place": "Town Hall",
            "purpose": "CV",
            "status": "attended",
        },
    )
    assert "has not happened yet" in response.content.decode()
    client.post(
        reverse("workplace:appointment-new", args=[person.pk]),
        {
            "date": tomorrow,
            "time": "2:30pm",  # as the pages show times
            "place": "Town Hall",
            "purpose": "CV",
            "status": "booked",
        },
    )
    appointment = Appointment.objects.get(young_person=person)
    assert appointment.status == "booked"
    assert timezone.localtime(appointment.starts_at).time() == dt.time(14, 30)
    edit = client.get(reverse("workplace:appointment", args=[appointment.pk])).content.decode()
    assert 'value="2:30pm"' in edit
    refused = client.post(
        reverse("workplace:appointment", args=[appointment.pk]),
        {"date": tomorrow, "time": "25:00", "place": "Town Hall", "purpose": "CV",
         "status": "booked"},
    )  # fmt: skip
    assert "Enter a time like 2:30pm or 14:30" in refused.content.decode()
    client.post(
        reverse("workplace:goal-new", args=[person.pk]),
        {"description": "Open a bank account", "due": tomorrow, "progress": "not-started"},
    )
    assert person.goals.get().description == "Open a bank account"


def test_status_letter_is_issued_logged_and_audited(client, adviser, south):
    person = wp.young_person(south)
    response = client.post(
        reverse("workplace:letter-new", args=[person.pk]), {"addressed_to": "Tyne Coast College"}
    )
    letter = StatusLetter.objects.get(young_person=person)
    assert response.status_code == 302
    assert letter.issued_by == adviser
    page = client.get(reverse("workplace:letter", args=[letter.pk])).content.decode()
    assert "Confirmation of care leaver status" in page
    assert letter.reference in page
    assert "Former relevant" in page
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="workplace.StatusLetter"
    ).exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.DOWNLOAD, object_id=str(letter.pk)
    ).exists()


def test_no_letter_for_a_young_person_who_is_not_a_care_leaver(client, adviser, south):
    person = wp.young_person(south, legal_status="qualifying")
    client.post(reverse("workplace:letter-new", args=[person.pk]), {"addressed_to": "Anyone"})
    assert not StatusLetter.objects.exists()


def test_outcomes_csv(client, adviser, south):
    response = client.get(reverse("workplace:outcomes-csv"))
    text = b"".join(
        response.streaming_content if response.streaming else [response.content]
    ).decode()
    assert response["Content-Type"].startswith("text/csv")
    assert text.splitlines()[0].startswith("age_band,collection_year,workplace_eet_percent")
    assert "17-18,2023/24" in text  # the published DfE years are there beside WorkPlace's own
    assert "unsuppressed" in response["Content-Disposition"]
    assert text.strip().splitlines()[-1].startswith('"Unsuppressed management information')
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_outcomes_page_says_when_no_returns_are_uploaded(client, adviser, south):
    page = client.get(reverse("workplace:outcomes")).content.decode()
    assert "No SSDA903 returns uploaded yet" in page
    assert "Council’s SSDA903 returns" not in page


# --- employers ---------------------------------------------------------------------------------


@pytest.fixture
def employer(client, south):
    org = wp.employer(name="Own Firm Ltd")
    client.force_login(factories.user(Role.EMPLOYER, org))
    return org


def test_employer_posts_an_opportunity(client, employer):
    data = {
        "title": "Forklift driver",
        "kind": "job",
        "description": "Drive forklifts.",
        "places": "2",
        "postcode": "NE32 3DT",
        "hours_per_week": "37",
        "min_age": "18",
        "max_age": "25",
        "interests": ["logistics"],
        "support": ["interview"],
        "pay": "12.71",
        "closing_date": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
    }
    assert client.post(reverse("workplace:employer-opportunity-new"), data).status_code == 302
    item = Opportunity.objects.get(title="Forklift driver")
    assert item.employer == employer
    assert item.pay_pence_per_hour == 1271
    assert item.easting
    past = {**data, "title": "Closed already", "closing_date": "2020-01-01"}
    response = client.post(reverse("workplace:employer-opportunity-new"), past)
    assert "The closing date must be today or in the future" in response.content.decode()
    assert not Opportunity.objects.filter(title="Closed already").exists()


def test_employer_sees_only_consented_applicants_on_own_opportunities(client, employer, south):
    item = wp.opportunity(employer)
    shared = wp.young_person(south, first_name="Sharer", consent_to_share=True)
    private = wp.young_person(south, first_name="Private", consent_to_share=False)
    not_yet = wp.young_person(south, first_name="Thinking", consent_to_share=True)
    for person, stage in ((shared, "applied"), (private, "interview"), (not_yet, "interested")):
        Referral.objects.create(
            organisation=south, young_person=person, opportunity=item, stage=stage
        )
    page = client.get(reverse("workplace:employer-opportunity", args=[item.pk])).content.decode()
    assert "Sharer T." in page
    assert "Private" not in page
    assert "Thinking" not in page
    assert "1 more applicant has not agreed to share" in page


def test_employer_opening_someone_elses_record_is_refused_and_audited(client, employer, south):
    rival = wp.opportunity(wp.employer(name="Rival Ltd"))
    person = wp.young_person(south)
    assert client.get(reverse("workplace:employer-opportunity", args=[rival.pk])).status_code == 404
    assert client.get(reverse("workplace:young-person", args=[person.pk])).status_code == 403
    assert client.get(reverse("workplace:opportunity", args=[rival.pk])).status_code == 403
    events = AuditEvent.objects.filter(action=DENIED)
    assert events.count() == 3
    assert events.filter(object_type="workplace.Opportunity", object_id=str(rival.pk)).exists()


def test_employer_pledge(client, employer):
    client.post(
        reverse("workplace:employer-pledge"), {"pledge": "An interview for every care leaver"}
    )
    employer.employer_profile.refresh_from_db()
    assert employer.employer_profile.pledged_on == dt.date.today()


# --- young people ------------------------------------------------------------------------------


def test_young_person_sees_only_their_own_record(client, south):
    user = factories.user(Role.YOUNG_PERSON, south)
    me = wp.young_person(south, user=user, first_name="Mine")
    other = wp.young_person(south, first_name="Someone")
    item = wp.opportunity()
    client.force_login(user)
    page = client.get(reverse("workplace:me")).content.decode()
    assert "Hello Mine" in page
    assert "Someone" not in page
    assert item.title in page
    assert client.get(reverse("workplace:young-person", args=[other.pk])).status_code == 403
    response = client.post(reverse("workplace:me-interested", args=[item.pk]))
    assert response.status_code == 302
    assert Referral.objects.get(young_person=me).stage == "interested"
    assert not Referral.objects.filter(young_person=other).exists()


def test_young_person_without_a_record_or_another_councils_opportunity(client, south):
    user = factories.user(Role.YOUNG_PERSON, south)
    client.force_login(user)
    assert client.get(reverse("workplace:me")).status_code == 404
    wp.young_person(south, user=user)
    north_employer = wp.employer(factories.council("392").organisation)
    theirs = wp.opportunity(north_employer)
    assert client.post(reverse("workplace:me-interested", args=[theirs.pk])).status_code == 404
    assert AuditEvent.objects.filter(action=DENIED, object_id=str(theirs.pk)).exists()
    assert not Referral.objects.exists()


def test_a_young_person_signs_in_to_their_own_plan_spoken_to_as_you(client, south):
    """From the walk-through: the young person landed on the national picture, read "suits
    them", saw no way to reach their adviser, and was offered the job they had already kept
    for three months."""
    user = factories.user(Role.YOUNG_PERSON, south)
    adviser_user = wp.adviser(south)
    adviser = Adviser.objects.get(user=adviser_user)
    Adviser.objects.filter(pk=adviser.pk).update(phone="0191 498 0123")
    me = wp.young_person(
        south, user=user, first_name="Mine", personal_adviser=adviser, hours="full-time"
    )
    kept = wp.opportunity(title="Warehouse job I am in")
    open_one = wp.opportunity(title="Warehouse job I could do")
    suggested = wp.opportunity(title="Warehouse job suggested to me")
    Referral.objects.create(
        organisation=south, young_person=me, opportunity=kept, stage="sustained-3",
        stage_dates={"suggested": "2026-01-01", "started": "2026-02-01",
                     "sustained-3": "2026-05-01"},
    )  # fmt: skip
    Referral.objects.create(
        organisation=south, young_person=me, opportunity=suggested, stage="suggested",
        stage_dates={"suggested": "2026-01-01"},
    )  # fmt: skip
    client.force_login(user)
    home = client.get("/")
    assert home.status_code == 302
    assert home.url == reverse("workplace:me")
    page = client.get(reverse("workplace:me")).content.decode()
    offered = page[page.index("Opportunities for you") : page.index("Your advisers")]
    assert open_one.title in offered
    assert kept.title not in offered
    assert "suits you" in offered
    assert "suits them" not in page
    assert "Matches your interest in" in offered
    # a suggestion alone is not "your adviser knows you are interested": they can say so
    assert reverse("workplace:me-interested", args=[suggested.pk]) in offered
    assert adviser_user.display_name in page
    assert f"mailto:{adviser_user.email}" in page
    assert "0191 498 0123" in page


def test_other_roles_still_land_on_the_home_page(client, south):
    client.force_login(wp.adviser(south))
    assert client.get("/").status_code == 200
