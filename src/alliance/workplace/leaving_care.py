"""WorkPlace's leaving-care duties: pathway plan reviews, the care-leaver information due around
each birthday from 17 to 21, and the care leaver status letter. No request objects here."""

from __future__ import annotations

import datetime as dt
import secrets
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from alliance.accounts.models import User
from alliance.audit import services as audit
from alliance.workplace import wording
from alliance.workplace.models import (
    Appointment,
    CareLeaverInfo,
    PathwayPlanReview,
    StatusLetter,
    YoungPerson,
)

REVIEW_MONTHS = 6  # a pathway plan is reviewed at least every six months
UPCOMING_DAYS = 28  # "coming up" means within four weeks
INFO_AGES = range(17, 22)  # care-leaver information is due around each birthday from 17 to 21
# The SSDA903 guidance counts information recorded from 3 months before to 1 month after the
# birthday as "around" it.
INFO_WINDOW_BEFORE = 92
INFO_WINDOW_AFTER = 31


def add_months(day: dt.date, months: int) -> dt.date:
    """`months` after `day`; from the 29th-31st into a shorter month, its last day (31 August
    and six months is 28 February)."""
    return day + relativedelta(months=months)


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # 29 February in a year that has none: the DfE counts 1 March
        return dt.date(date_of_birth.year + age, 3, 1)


@dataclass(frozen=True)
class Duty:
    young_person_id: int
    young_person: str
    what: str
    due: dt.date
    status: str  # "overdue", "due", "upcoming": decided in one place, `duties_for`
    birthday_age: int | None = None
    appointment_id: int | None = None  # a missed appointment not rebooked

    @property
    def overdue(self) -> bool:
        """The one rule every page and the reminder email count "overdue" by."""
        return self.status == "overdue"

    @property
    def status_label(self) -> str:
        return {"overdue": "Overdue", "due": "Due now", "upcoming": "Coming up"}[self.status]

    @property
    def tag_colour(self) -> str:
        return {"overdue": "red", "due": "orange", "upcoming": "blue"}[self.status]


def review_due(started: dt.date | None, reviewed: dt.date | None, today: dt.date) -> dt.date | None:
    last = reviewed or started
    return add_months(last, REVIEW_MONTHS) if last else None


@dataclass(frozen=True, slots=True)
class DutyPerson:
    """The few facts about a young person the duty rules read."""

    pk: int
    name: str
    date_of_birth: dt.date
    pathway_plan_started: dt.date | None
    pathway_plan_reviewed: dt.date | None


WINDOW_BEFORE = dt.timedelta(days=INFO_WINDOW_BEFORE)
WINDOW_AFTER = dt.timedelta(days=INFO_WINDOW_AFTER)


def duties_for(
    people: Iterable[YoungPerson | DutyPerson],
    recorded: dict[int, set[int]],
    today: dt.date | None = None,
) -> list[Duty]:
    """The leaving-care duties overdue, due now or coming up for these young people.
    `recorded` maps a young person's id to the birthdays whose information is recorded."""
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    sixteenth = birthday(today, -16)  # born on or before this: 16 or over today
    found: list[Duty] = []
    nothing: set[int] = set()
    for person in people:
        pk, name, born = person.pk, person.name, person.date_of_birth
        if person.pathway_plan_started is None and born <= sixteenth:
            found.append(Duty(pk, name, "Pathway plan: write the first plan", today, "overdue"))
        due = review_due(person.pathway_plan_started, person.pathway_plan_reviewed, today)
        if due is not None and due <= horizon:
            status = "overdue" if due < today else "upcoming"
            found.append(Duty(pk, name, "Pathway plan review", due, status))
        done = recorded.get(pk, nothing)
        days = [(age, birthday(born, age)) for age in INFO_AGES]
        passed = [age for age, day in days if day <= today]
        latest = passed[-1] if passed else None
        for age, day in days:
            if age in done:
                continue
            opens, closes = day - WINDOW_BEFORE, day + WINDOW_AFTER
            what = f"Care leaver information for {wording.birthday_label(age)}"
            if today > closes:
                # Only the most recent missed birthday is still worth chasing for the return.
                if age == latest:
                    found.append(Duty(pk, name, what, closes, "overdue", age))
            elif opens <= today:
                found.append(Duty(pk, name, what, day, "due", age))
            elif opens <= horizon:
                found.append(Duty(pk, name, what, day, "upcoming", age))
    return sorted(found, key=lambda d: (ORDER[d.status], d.due, d.young_person))


MISSED_LOOKBACK_DAYS = 90  # a missed appointment older than this is no longer chased


def missed_appointments(people: dict[int, str], today: dt.date) -> list[Duty]:
    """Appointments these young people (id: name) missed in the last `MISSED_LOOKBACK_DAYS`
    and that nothing later has been booked (or attended) since: each an overdue duty."""
    since = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=MISSED_LOOKBACK_DAYS), dt.time())
    )
    later = Appointment.objects.filter(
        young_person=OuterRef("young_person"),
        starts_at__gt=OuterRef("starts_at"),
        status__in=(Appointment.Status.BOOKED, Appointment.Status.ATTENDED),
    )
    missed = (
        Appointment.objects.filter(
            young_person_id__in=list(people),
            status=Appointment.Status.MISSED,
            starts_at__gte=since,
        )
        .annotate(rebooked=Exists(later))
        .filter(rebooked=False)
        .order_by("starts_at")
    )
    return [
        Duty(
            appointment.young_person_id,
            people[appointment.young_person_id],
            f"Missed appointment ({appointment.purpose}) not rebooked",
            timezone.localtime(appointment.starts_at).date(),
            "overdue",
            appointment_id=appointment.pk,
        )
        for appointment in missed
    ]


ORDER = {"overdue": 0, "due": 1, "upcoming": 2}


def duties(people: QuerySet[YoungPerson], today: dt.date | None = None) -> list[Duty]:
    """Every duty for these young people, missed appointments included: the advisers' pages
    and the reminder email (`reminders.duties_due`) both count from this."""
    today = today or dt.date.today()
    rows = list(
        people.values_list(
            "id",
            "first_name",
            "last_name",
            "date_of_birth",
            "pathway_plan_started",
            "pathway_plan_reviewed",
        )
    )
    recorded: dict[int, set[int]] = defaultdict(set)
    for person_id, age in CareLeaverInfo.objects.filter(
        young_person_id__in=[row[0] for row in rows]
    ).values_list("young_person_id", "birthday"):
        recorded[person_id].add(age)
    found = duties_for(
        (DutyPerson(pk, f"{first} {last}", born, started, reviewed)
         for pk, first, last, born, started, reviewed in rows),
        recorded,
        today,
    )  # fmt: skip
    found += missed_appointments({row[0]: f"{row[1]} {row[2]}" for row in rows}, today)
    return sorted(found, key=lambda d: (ORDER[d.status], d.due, d.young_person))


def info_birthday_for(person: YoungPerson, today: dt.date) -> int | None:
    """The birthday (17-21) whose information window contains today, or None."""
    for age in INFO_AGES:
        day = birthday(person.date_of_birth, age)
        if (
            day - dt.timedelta(days=INFO_WINDOW_BEFORE)
            <= today
            <= day + dt.timedelta(days=INFO_WINDOW_AFTER)
        ):
            return age
    return None


@transaction.atomic
def record_care_leaver_info(
    person: YoungPerson,
    *,
    age: int,
    recorded_on: dt.date,
    in_touch: str,
    activity: str,
    accommodation: str,
    user: User,
) -> CareLeaverInfo:
    """Record the birthday information and make it the young person's current position
    (audited with the acting user)."""
    info = CareLeaverInfo.objects.create(
        organisation=person.organisation,
        young_person=person,
        birthday=age,
        recorded_on=recorded_on,
        in_touch=in_touch,
        activity=activity,
        accommodation=accommodation,
        recorded_by=user,
    )
    person.in_touch, person.activity, person.accommodation = in_touch, activity, accommodation
    person.save(update_fields=["in_touch", "activity", "accommodation", "updated_at"])
    audit.record(None, audit.Action.CREATE, info, user=user, detail={"birthday": info.birthday})
    return info


@transaction.atomic
def record_pathway_review(
    person: YoungPerson, *, reviewed_on: dt.date, summary: str, user: User
) -> PathwayPlanReview:
    """Record a pathway plan review; the plan's latest review date (and its start, if it had
    none) follow."""
    review = person.pathway_reviews.create(
        organisation=person.organisation,
        reviewed_on=reviewed_on,
        summary=summary,
        recorded_by=user,
    )
    latest = person.pathway_reviews.order_by("-reviewed_on").first()
    person.pathway_plan_reviewed = latest.reviewed_on if latest else None
    if person.pathway_plan_started is None:
        person.pathway_plan_started = review.reviewed_on
    person.save(update_fields=["pathway_plan_reviewed", "pathway_plan_started"])
    audit.record(None, audit.Action.CREATE, review, user=user)
    return review


@transaction.atomic
def issue_status_letter(person: YoungPerson, addressed_to: str, user: User) -> StatusLetter:
    reference = f"WP-{dt.date.today():%Y%m}-{secrets.token_hex(3).upper()}"
    letter = StatusLetter.objects.create(
        organisation=person.organisation,
        young_person=person,
        reference=reference,
        addressed_to=addressed_to,
        legal_status=person.legal_status,
        issued_by=user,
    )
    audit.record(None, audit.Action.CREATE, letter, user=user, detail={"to": letter.addressed_to})
    return letter
