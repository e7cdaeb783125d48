"""Duty reminder emails to personal advisers: what goes in, once per duty per day, and the
command that sends them now."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from alliance.accounts.models import User
from alliance.audit.models import AuditEvent
from alliance.workplace import reminders
from alliance.workplace.models import (
    Adviser,
    Appointment,
    CareLeaverInfo,
    DutyReminder,
    YoungPerson,
)
from alliance.workplace.tasks import send_duty_reminders
from tests.alliance.workplace import factories as wp

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 15)


@pytest.fixture
def south(reference_data):
    return wp.south_tyneside()


def _adviser(south, name="Pat Adviser"):
    user = wp.adviser(south)
    User.objects.filter(pk=user.pk).update(full_name=name)
    return Adviser.objects.select_related("user").get(user=user)


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _appointment(person, day, status):
    return Appointment.objects.create(
        organisation=person.organisation,
        young_person=person,
        starts_at=_at(day),
        place="Town hall",
        purpose="Careers chat",
        status=status,
    )


def test_each_personal_adviser_gets_one_digest_of_their_young_peoples_duties(south):
    mine = _adviser(south)
    theirs = _adviser(south, "Other Adviser")
    # Review overdue (last review over six months ago).
    review = wp.young_person(
        south,
        first_name="Robyn",
        last_name="Hallgarth",
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2025, 6, 1),
        pathway_plan_reviewed=dt.date(2025, 11, 1),
    )
    # 18th birthday on 20 June 2026: the information is due within 14 days.
    birthday = wp.young_person(
        south,
        first_name="Kai",
        last_name="Marsden",
        personal_adviser=mine,
        date_of_birth=dt.date(2008, 6, 20),
        pathway_plan_started=dt.date(2026, 3, 1),
    )
    CareLeaverInfo.objects.create(
        organisation=south,
        young_person=birthday,
        birthday=17,
        recorded_on=dt.date(2025, 6, 20),
        in_touch="YES",
        activity="F5",
        accommodation="U1",
        recorded_by=mine.user,
    )
    # Missed an appointment and was not rebooked; another missed one was rebooked.
    missed = wp.young_person(
        south,
        first_name="Lee",
        last_name="Ormond",
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2026, 4, 1),
    )
    _appointment(missed, dt.date(2026, 6, 1), Appointment.Status.MISSED)
    rebooked = wp.young_person(
        south,
        first_name="Sam",
        last_name="Rebook",
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2026, 4, 1),
    )
    _appointment(rebooked, dt.date(2026, 6, 2), Appointment.Status.MISSED)
    _appointment(rebooked, dt.date(2026, 6, 22), Appointment.Status.BOOKED)
    # Review due in 20 days: not yet.
    wp.young_person(
        south,
        first_name="Nico",
        last_name="Later",
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2026, 1, 5),
    )
    # Another adviser's young person with an overdue review.
    wp.young_person(
        south,
        first_name="Alex",
        last_name="Elsewhere",
        personal_adviser=theirs,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2025, 1, 1),
    )

    assert reminders.send_reminders(TODAY) == 2
    to_mine = next(m for m in mail.outbox if m.to == [mine.user.email])
    body = to_mine.body
    assert "Robyn H.: Pathway plan review, 1 May 2026" in body
    assert "Kai M.: Care leaver information for 18th birthday, 20 June 2026" in body
    assert "Lee O.: Missed appointment (Careers chat) not rebooked, 1 June 2026" in body
    assert "Sam R." not in body
    assert "Nico L." not in body
    assert "Alex E." not in body
    assert "Hallgarth" not in body  # surnames stay behind the sign-in
    assert body.index("Overdue:") < body.index("Robyn H.") < body.index("Due soon:")
    assert body.index("Due soon:") < body.index("Kai M.")
    assert "(2 overdue)" in to_mine.subject
    assert DutyReminder.objects.filter(adviser=mine).count() == 3
    event = AuditEvent.objects.get(object_type="workplace.DutyReminder", detail__to=mine.user.email)
    assert sorted(event.detail["young_people"]) == sorted([review.pk, birthday.pk, missed.pk])


def test_a_second_run_the_same_day_sends_nothing_again(south):
    mine = _adviser(south)
    wp.young_person(
        south,
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2025, 1, 1),
    )
    assert reminders.send_reminders(TODAY) == 1
    assert reminders.send_reminders(TODAY) == 0
    assert len(mail.outbox) == 1
    # A new duty the same day is sent on its own; the next day everything outstanding again.
    wp.young_person(
        south,
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2025, 2, 1),
    )
    assert reminders.send_reminders(TODAY) == 1
    assert mail.outbox[1].body.count("Pathway plan review") == 1
    assert reminders.send_reminders(TODAY + dt.timedelta(days=1)) == 1
    assert mail.outbox[2].body.count("Pathway plan review") == 2


def test_a_failed_send_records_nothing_so_the_next_run_tries_again(south, monkeypatch):
    mine = _adviser(south)
    wp.young_person(
        south,
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2025, 1, 1),
    )

    def broken(*args, **kwargs):
        raise OSError("mail server down")

    monkeypatch.setattr(reminders, "send_mail", broken)
    with pytest.raises(OSError, match="mail server down"):
        reminders.send_reminders(TODAY)
    assert not DutyReminder.objects.exists()
    monkeypatch.undo()
    assert reminders.send_reminders(TODAY) == 1


def test_the_command_and_the_task_send_them(south):
    mine = _adviser(south)
    wp.young_person(
        south,
        personal_adviser=mine,
        date_of_birth=dt.date(2009, 12, 1),
        pathway_plan_started=dt.date(2025, 1, 1),
    )
    out = io.StringIO()
    call_command("send_duty_reminders", "--now", "--date", TODAY.isoformat(), stdout=out)
    assert "Sent 1 reminder email." in out.getvalue()
    assert send_duty_reminders.call((TODAY + dt.timedelta(days=1)).isoformat()) == 1
    with pytest.raises(Exception, match="--date must be a date"):
        call_command("send_duty_reminders", "--now", "--date", "15/06/2026")


def _overview_counts(client) -> tuple[int, int]:
    """The two numbers at the top of the WorkPlace overview: overdue, and due or coming up."""
    page = client.get("/workplace/").content.decode()
    overdue = re.search(r'([\d,]+)</span><a class="govuk-link" [^>]*>duties overdue', page)
    due = re.search(r'([\d,]+)</span><a class="govuk-link" [^>]*>due now or in the next', page)
    assert overdue
    assert due
    return int(overdue[1]), int(due[1])


def test_the_overview_and_the_email_count_overdue_duties_by_the_same_rule(client, south):
    """The overview once said 8 overdue while the email said 10: the email also counted
    birthday information still inside its window after the birthday ("Due now" on the page),
    and missed appointments the page left out. Both now count `Duty.overdue`."""
    today = dt.date.today()
    mine = _adviser(south)
    client.force_login(mine.user)
    # 18th birthday ten days ago, nothing recorded: still in the window, so due now, not overdue
    just_had_birthday = wp.young_person(
        south,
        personal_adviser=mine,
        date_of_birth=(today - dt.timedelta(days=10)).replace(year=today.year - 18),
        pathway_plan_started=today - dt.timedelta(days=30),
    )
    # Missed an appointment last week and nothing booked since: overdue
    missed = wp.young_person(
        south,
        personal_adviser=mine,
        date_of_birth=wp.born_aged(19),
        pathway_plan_started=today - dt.timedelta(days=30),
    )
    CareLeaverInfo.objects.create(
        organisation=south,
        young_person=missed,
        birthday=19,
        recorded_on=today - dt.timedelta(days=40),
        in_touch="YES",
        activity="F5",
        accommodation="U1",
        recorded_by=mine.user,
    )
    _appointment(missed, today - dt.timedelta(days=7), Appointment.Status.MISSED)
    # Review seven months late: overdue
    wp.young_person(
        south,
        personal_adviser=mine,
        date_of_birth=wp.born_aged(16) - dt.timedelta(days=100),
        pathway_plan_started=today - dt.timedelta(days=400),
    )

    emailed = reminders.duties_due(list(YoungPerson.objects.filter(personal_adviser=mine)), today)
    overdue, _due = _overview_counts(client)
    assert overdue == sum(d.overdue for d in emailed) == 2
    birthday_duty = next(d for d in emailed if d.young_person_id == just_had_birthday.pk)
    assert not birthday_duty.overdue
    assert reminders.send_reminders(today) == 1
    assert "(2 overdue)" in mail.outbox[-1].subject
    duties_page = client.get("/workplace/duties/").content.decode()
    assert "Missed appointment (Careers chat) not rebooked" in duties_page
    record = client.get(f"/workplace/young-people/{missed.pk}/").content.decode()
    assert "Missed appointment (Careers chat) not rebooked" in record
