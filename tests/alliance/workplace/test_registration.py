"""Businesses registering themselves: the public question pages, the one-time password link,
the council's WorkPlace team approving or declining, and the protections on the public form."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from alliance.accounts.models import Membership, Role, User
from alliance.audit.models import AuditEvent
from alliance.workplace import registration
from alliance.workplace.models import (
    Adviser,
    EmployerProfile,
    Opportunity,
    RegistrationAttempt,
)
from tests import factories
from tests.alliance.workplace import factories as wp

pytestmark = pytest.mark.django_db
DURHAM_POSTCODE = "DH1 3AA"  # County Durham (E06000047), which runs no WorkPlace in these tests

ANSWERS = {
    "business": {"business_name": "Harton Bakery", "sector": "hospitality"},
    "address": {"address": "12 Fowler Street\nSouth Shields", "postcode": "ne33 1nr"},
    "contact": {"contact_name": "Pat Rowell", "email": "pat@harton-bakery.test"},
    "offers": {"offers": ["apprenticeship", "work-experience"]},
    "pledge": {"pledge": "A guaranteed interview for every care leaver who applies"},
}


@pytest.fixture
def south(reference_data):
    return wp.south_tyneside()


@pytest.fixture
def team(south):
    """South Tyneside's WorkPlace team: a careers adviser and a personal adviser."""
    careers = wp.adviser(south, kind=Adviser.Kind.CAREERS)
    wp.adviser(south, kind=Adviser.Kind.PERSONAL)
    return careers


def _answer_all(client, answers=ANSWERS, submit=True):
    for step, data in answers.items():
        response = client.post(reverse("workplace:register-step", args=[step]), data)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    if submit:
        return client.post(reverse("workplace:register-check"), {"website": ""})
    return None


def _link_in(message) -> str:
    found = re.search(r"https?://\S+/register/password/\S+/", message.body)
    assert found, message.body
    return found.group(0)


def test_a_business_registers_and_is_pending(client, team, south):
    start = client.get(reverse("workplace:register"))
    assert start.status_code == 200
    assert "Register your business" in start.content.decode()
    response = _answer_all(client)
    assert response.status_code == 302
    assert response["Location"] == reverse("workplace:register-done")
    assert "pat@harton-bakery.test" in client.get(response["Location"]).content.decode()

    profile = EmployerProfile.objects.select_related("organisation").get()
    assert profile.organisation.name == "Harton Bakery"
    assert profile.organisation.kind == "employer"
    assert profile.status == EmployerProfile.Status.PENDING
    assert profile.council == south  # the council for NE33 1NR
    assert profile.postcode == "NE33 1NR"
    assert profile.offers == ["apprenticeship", "work-experience"]
    assert profile.pledged_on == dt.date.today()
    user = User.objects.get(email="pat@harton-bakery.test")
    assert not user.has_usable_password()
    assert Membership.objects.get(user=user).role == Role.EMPLOYER
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.CREATE, object_type="workplace.EmployerProfile"
    ).exists()
    # The business gets its password link; the careers adviser hears a registration waits.
    to_business = next(m for m in mail.outbox if m.to == ["pat@harton-bakery.test"])
    assert "Choose your password" in to_business.body
    to_team = next(m for m in mail.outbox if m.to == [team.email])
    assert reverse("workplace:employer-review", args=[profile.pk]) in to_team.body


def test_the_password_link_works_once(client, team):
    _answer_all(client)
    link = _link_in(mail.outbox[0])
    visitor = Client()
    moved = visitor.get(link)
    assert moved.status_code == 302
    assert moved["Location"].endswith("/set/")  # the token leaves the address at once
    choose = visitor.get(moved["Location"])
    assert choose.status_code == 200
    # the password rules read as text, not as escaped HTML markup
    page = choose.content.decode()
    assert "&lt;ul&gt;" not in page
    assert "&lt;li&gt;" not in page
    assert "Your password must contain at least" in page
    short = visitor.post(moved["Location"], {"new_password1": "short", "new_password2": "short"})
    assert short.status_code == 200
    assert not User.objects.get(email="pat@harton-bakery.test").has_usable_password()
    good = "juniper kettle harbour lantern"
    done = visitor.post(moved["Location"], {"new_password1": good, "new_password2": good})
    assert done.status_code == 302
    user = User.objects.get(email="pat@harton-bakery.test")
    assert user.check_password(good)
    assert Client().get(link).status_code == 404  # used: the token no longer checks


def test_a_pending_employer_signs_in_but_cannot_post(client, team):
    _answer_all(client)
    user = User.objects.get(email="pat@harton-bakery.test")
    employer = Client()
    employer.force_login(user)
    home = employer.get(reverse("workplace:employer-home")).content.decode()
    assert "waiting for approval" in home
    assert "Post an opportunity" not in home
    response = employer.post(
        reverse("workplace:employer-opportunity-new"),
        {"title": "Baker", "kind": "job", "description": "Bake.", "places": "1"},
    )
    assert response.status_code == 302
    assert not Opportunity.objects.exists()
    assert AuditEvent.objects.filter(
        action=AuditEvent.Action.ACCESS_DENIED, object_type="workplace.EmployerProfile"
    ).exists()


def test_an_adviser_approves_and_the_employer_can_post(client, team):
    _answer_all(client)
    profile = EmployerProfile.objects.get()
    mail.outbox.clear()
    adviser = Client()
    adviser.force_login(team)
    listed = adviser.get(reverse("workplace:employers")).content.decode()
    assert "Waiting for approval" in listed
    assert "Harton Bakery" in listed
    page = adviser.get(reverse("workplace:employer-review", args=[profile.pk])).content.decode()
    assert "pat@harton-bakery.test" in page
    response = adviser.post(
        reverse("workplace:employer-review", args=[profile.pk]), {"decision": "approve"}
    )
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.status == EmployerProfile.Status.APPROVED
    assert profile.decided_by == team
    assert mail.outbox[0].to == ["pat@harton-bakery.test"]
    assert "approved" in mail.outbox[0].subject
    # No password chosen yet: the approval carries a fresh link.
    assert Client().get(_link_in(mail.outbox[0])).status_code == 302
    event = AuditEvent.objects.get(
        action=AuditEvent.Action.CHANGE, object_type="workplace.EmployerProfile"
    )
    assert event.detail["decision"] == "approved"
    assert event.username == team.username
    # Deciding twice is refused.
    again = adviser.post(
        reverse("workplace:employer-review", args=[profile.pk]), {"decision": "decline"}
    )
    assert again.status_code == 403

    employer = Client()
    employer.force_login(User.objects.get(email="pat@harton-bakery.test"))
    posted = employer.post(
        reverse("workplace:employer-opportunity-new"),
        {
            "title": "Apprentice baker",
            "kind": "apprenticeship",
            "description": "Early starts, good bread.",
            "places": "1",
            "postcode": "NE33 1NR",
            "hours_per_week": "37",
            "min_age": "16",
            "max_age": "25",
            "pay": "8.00",  # an apprenticeship is paid at least the apprentice rate
            "closing_date": (dt.date.today() + dt.timedelta(days=20)).isoformat(),
        },
    )
    assert posted.status_code == 302
    assert Opportunity.objects.get().employer == profile.organisation


def test_declining_needs_a_reason_which_is_emailed(client, team):
    _answer_all(client)
    profile = EmployerProfile.objects.get()
    mail.outbox.clear()
    adviser = Client()
    adviser.force_login(team)
    url = reverse("workplace:employer-review", args=[profile.pk])
    missing = adviser.post(url, {"decision": "decline", "reason": " "})
    assert "Enter why the registration is declined" in missing.content.decode()
    profile.refresh_from_db()
    assert profile.status == EmployerProfile.Status.PENDING
    assert not mail.outbox
    adviser.post(url, {"decision": "decline", "reason": "We could not find this business"})
    profile.refresh_from_db()
    assert profile.status == EmployerProfile.Status.DECLINED
    assert "We could not find this business" in mail.outbox[0].body
    assert not User.objects.get(email="pat@harton-bakery.test").is_active


def test_only_the_councils_advisers_decide(client, team, south):
    _answer_all(client)
    profile = EmployerProfile.objects.get()
    # A council practitioner who is not a WorkPlace adviser (Edge of Care, say) may look only.
    other = Client()
    other.force_login(factories.user(Role.COUNCIL_PRACTITIONER, south))
    url = reverse("workplace:employer-review", args=[profile.pk])
    assert other.get(url).status_code == 200
    assert other.post(url, {"decision": "approve"}).status_code == 403
    # Another council's adviser does not even see it.
    north = Client()
    north.force_login(wp.adviser(factories.council("392").organisation))
    assert north.get(url).status_code == 404
    assert north.post(url, {"decision": "approve"}).status_code == 404
    profile.refresh_from_db()
    assert profile.status == EmployerProfile.Status.PENDING
    assert (
        AuditEvent.objects.filter(
            action=AuditEvent.Action.ACCESS_DENIED, object_id=str(profile.pk)
        ).count()
        == 3
    )


def test_a_business_already_registered_there_is_caught_with_a_clear_message(client, team, south):
    existing = wp.employer(south, name="Harton Bakery")
    existing.employer_profile.postcode = "NE33 1NR"
    existing.employer_profile.save()
    client.post(reverse("workplace:register-step", args=["business"]), ANSWERS["business"])
    same_place = client.post(
        reverse("workplace:register-step", args=["address"]), ANSWERS["address"]
    )
    assert "Harton Bakery at NE33 1NR is already registered" in same_place.content.decode()
    assert EmployerProfile.objects.count() == 1


def _pages_for(email: str) -> list[str]:
    """Every page a visitor sees registering with this contact address."""
    visitor = Client()
    pages = []
    for step, answer in ANSWERS.items():
        data = {**answer, "email": email} if step == "contact" else answer
        response = visitor.post(reverse("workplace:register-step", args=[step]), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        pages.append(visitor.get(response["Location"]).content.decode())
    done = visitor.post(reverse("workplace:register-check"), {"website": ""})
    assert done["Location"] == reverse("workplace:register-done")
    pages.append(visitor.get(done["Location"]).content.decode())
    return [re.sub(r'(nonce|value)="[^"]*"', "", page) for page in pages]


def test_the_public_pages_never_say_whether_an_email_address_has_an_account(team):
    """Issue 12, item 10: the contact question told anyone whether an address had an account."""
    factories.user(username="pat@harton-bakery.test")  # has an account already
    taken = _pages_for("pat@harton-bakery.test")
    assert not EmployerProfile.objects.exists()
    User.objects.filter(username="pat@harton-bakery.test").delete()
    # The same journey for the address with no account: the same pages, word for word.
    new = _pages_for("pat@harton-bakery.test")
    assert EmployerProfile.objects.count() == 1
    assert taken == new


def test_an_address_that_already_signs_in_registers_nothing_and_its_owner_is_told(client, team):
    factories.user(username="pat@harton-bakery.test")
    response = _answer_all(client)
    assert response["Location"] == reverse("workplace:register-done")
    assert not EmployerProfile.objects.exists()
    assert User.objects.filter(email__iexact="pat@harton-bakery.test").count() == 1
    [told] = mail.outbox
    assert told.to == ["pat@harton-bakery.test"]
    assert "already has an account, so nothing new was registered" in told.body
    assert RegistrationAttempt.objects.exclude(outcome="contact-step").get().outcome == "duplicate"


def test_a_duplicate_registered_meanwhile_is_treated_the_same_at_the_end(client, team):
    _answer_all(client, submit=False)
    registration.register(
        registration.Registration(
            business_name="Someone Else",
            sector="retail",
            address="1 Road",
            postcode="NE33 2RL",
            council_id=wp.south_tyneside().pk,
            contact_name="Sam",
            email="PAT@harton-bakery.test",
        )
    )
    response = client.post(reverse("workplace:register-check"), {"website": ""})
    assert response["Location"] == reverse("workplace:register-done")
    assert EmployerProfile.objects.count() == 1
    assert mail.outbox[-1].to == ["pat@harton-bakery.test"]


def test_the_contact_question_is_rate_limited_per_connection(client, team):
    client.post(reverse("workplace:register-step", args=["business"]), ANSWERS["business"])
    client.post(reverse("workplace:register-step", args=["address"]), ANSWERS["address"])
    url = reverse("workplace:register-step", args=["contact"])
    statuses = [
        client.post(
            url,
            {"contact_name": "Pat"} | {"email": f"guess{n}@example.test"},
            HTTP_X_FORWARDED_FOR=f"198.51.100.{n}",
        ).status_code
        for n in range(registration.CONTACT_ANSWERS_PER_HOUR + 3)
    ]
    assert statuses == [302] * registration.CONTACT_ANSWERS_PER_HOUR + [429] * 3
    # The limit on sending registrations is separate: answering the question does not use it up.
    assert not registration.too_many_attempts("127.0.0.1")


def test_postcodes_are_checked_and_the_council_can_be_chosen(client, team, south):
    client.post(reverse("workplace:register-step", args=["business"]), ANSWERS["business"])
    url = reverse("workplace:register-step", args=["address"])
    nowhere = client.post(url, {"address": "1 Road", "postcode": "SW1A 1AA"})
    assert "Enter a postcode in the North East" in nowhere.content.decode()
    durham = client.post(url, {"address": "1 Road", "postcode": DURHAM_POSTCODE})
    assert "County Durham, the council for DH1 3AA, does not run WorkPlace" in (
        durham.content.decode()
    )
    chosen = client.post(
        url, {"address": "1 Road", "postcode": DURHAM_POSTCODE, "council": str(south.pk)}
    )
    assert chosen.status_code == 302
    answers = client.session["workplace_registration"]["answers"]
    assert answers["address"]["council"] == south.pk


def test_questions_cannot_be_skipped(client, team):
    response = client.get(reverse("workplace:register-step", args=["pledge"]))
    assert response["Location"] == reverse("workplace:register-step", args=["business"])
    assert client.get(reverse("workplace:register-check"))["Location"] == response["Location"]
    assert client.get("/workplace/register/nonsense/").status_code == 404


def test_a_filled_trap_field_creates_nothing(client, team):
    for step, data in ANSWERS.items():
        client.post(reverse("workplace:register-step", args=[step]), {**data, "website": "x"})
    response = client.post(reverse("workplace:register-check"), {"website": ""})
    assert response["Location"] == reverse("workplace:register-done")
    assert not EmployerProfile.objects.exists()
    assert not User.objects.filter(email="pat@harton-bakery.test").exists()
    assert not mail.outbox
    assert RegistrationAttempt.objects.exclude(outcome="contact-step").get().outcome == "trap"


def test_one_connection_is_limited_to_a_few_registrations_an_hour(client, team):
    for n in range(registration.ATTEMPTS_PER_HOUR):
        RegistrationAttempt.objects.create(ip_address="127.0.0.1", outcome=f"earlier-{n}")
    _answer_all(client, submit=False)
    response = client.post(reverse("workplace:register-check"), {"website": ""})
    assert response.status_code == 429
    assert not EmployerProfile.objects.exists()
    # An hour later it goes through.
    RegistrationAttempt.objects.update(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    assert client.post(reverse("workplace:register-check"), {"website": ""}).status_code == 302
    assert EmployerProfile.objects.count() == 1


def test_the_form_needs_its_csrf_token(team):
    strict = Client(enforce_csrf_checks=True)
    response = strict.post(
        reverse("workplace:register-step", args=["business"]), ANSWERS["business"]
    )
    assert response.status_code == 403


def test_an_adviser_sends_a_new_password_link(client, team, south):
    _answer_all(client)
    profile = EmployerProfile.objects.get()
    mail.outbox.clear()
    url = reverse("workplace:employer-review", args=[profile.pk])
    other = Client()
    other.force_login(factories.user(Role.COUNCIL_PRACTITIONER, south))
    assert other.post(url, {"action": "resend"}).status_code == 403
    assert not mail.outbox
    adviser = Client()
    adviser.force_login(team)
    assert adviser.post(url, {"action": "resend"}).status_code == 302
    assert mail.outbox[0].to == ["pat@harton-bakery.test"]
    assert Client().get(_link_in(mail.outbox[0])).status_code == 302
    event = AuditEvent.objects.get(action=AuditEvent.Action.CHANGE, object_id=str(profile.pk))
    assert event.detail["password_link_sent_to"] == "pat@harton-bakery.test"


def test_a_mail_failure_still_registers_and_says_so(client, team, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(registration, "send_mail", broken)
    response = _answer_all(client)
    assert response.status_code == 302
    assert EmployerProfile.objects.get().status == EmployerProfile.Status.PENDING
    page = client.get(response["Location"]).content.decode()
    assert "We could not send the email" in page
