"""Duty reminders: each morning, each personal adviser gets one email listing their young
people's leaving-care duties due within 14 days or overdue, so nothing waits for someone to open
the duties page.

What goes in each email is recorded (`DutyReminder`, one row per young person, duty and day), so
a second run the same day, or two schedulers racing, never sends a duty twice that day: the rows
are written in the same transaction as the email is sent, and a unique constraint refuses the
second writer. Emails name the young person by first name and initial and say what is due; the
record itself stays behind the sign-in.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.audit import services as audit
from alliance.workplace import leaving_care
from alliance.workplace.models import (
    Adviser,
    DutyReminder,
    YoungPerson,
)

NOTICE_DAYS = 14  # a duty due within this many days is included


@dataclass(frozen=True)
class Due:
    young_person_id: int
    name: str  # first name and initial
    key: str  # which duty: the same key on the same day is sent once
    what: str
    due: dt.date
    overdue: bool


def _short(first: str, last: str) -> str:
    return f"{first} {last[:1]}." if last else first


def duties_due(people: list[YoungPerson], today: dt.date) -> list[Due]:
    """The duties `leaving_care.duties` finds for these young people (pathway plans and reviews,
    birthday information from 17 to 21, missed appointments not rebooked) that are overdue or
    due within `NOTICE_DAYS`. Overdue or not is `Duty.overdue`, the rule the advisers' pages
    count by, so the email and the overview never disagree."""
    by_id = {p.pk: p for p in people}
    horizon = today + dt.timedelta(days=NOTICE_DAYS)
    found: list[Due] = []
    chosen = YoungPerson.objects.filter(pk__in=list(by_id))
    for duty in leaving_care.duties(chosen, today):
        if not duty.overdue and duty.due > horizon:
            continue
        person = by_id[duty.young_person_id]
        if duty.appointment_id is not None:
            key = f"missed-{duty.appointment_id}"
        elif duty.birthday_age is not None:
            key = f"info-{duty.birthday_age}"
        elif duty.what.startswith("Pathway plan review"):
            key = f"review-{duty.due.isoformat()}"
        else:
            key = "first-plan"
        found.append(
            Due(
                person.pk,
                _short(person.first_name, person.last_name),
                key,
                duty.what,
                duty.due,
                duty.overdue,
            )
        )
    return sorted(found, key=lambda d: (not d.overdue, d.due, d.name))


def _body(adviser: Adviser, items: list[Due], today: dt.date) -> str:
    lines = [
        f"Dear {adviser.user.display_name},",
        "",
        f"These leaving-care duties for your young people are overdue or due by "
        f"{(today + dt.timedelta(days=NOTICE_DAYS)):%-d %B %Y}:",
        "",
    ]
    for heading, overdue in (("Overdue", True), ("Due soon", False)):
        chosen = [d for d in items if d.overdue == overdue]
        if chosen:
            lines.append(f"{heading}:")
            lines.extend(f"- {d.name}: {d.what}, {d.due:%-d %B %Y}" for d in chosen)
            lines.append("")
    lines.append(
        "Sign in to Alliance and open WorkPlace, then 'Leaving-care duties', to record them. "
        "You get this email once a day while a duty is outstanding."
    )
    return "\n".join(lines)


def send_reminders(today: dt.date | None = None) -> int:
    """Email each personal adviser their duties not yet sent today. Returns how many emails
    were sent. Safe to run more than once a day."""
    today = today or timezone.localdate()
    sent = 0
    advisers = Adviser.objects.filter(
        kind=Adviser.Kind.PERSONAL, user__is_active=True
    ).select_related("user", "organisation")
    for adviser in advisers:
        if not adviser.user.email:
            continue
        people = list(
            YoungPerson.objects.filter(
                personal_adviser=adviser, organisation=adviser.organisation
            ).exclude(in_touch="DIED")
        )
        if not people:
            continue
        try:
            with transaction.atomic():
                done = set(
                    DutyReminder.objects.filter(young_person__in=people, sent_on=today).values_list(
                        "young_person_id", "duty"
                    )
                )
                items = [
                    d for d in duties_due(people, today) if (d.young_person_id, d.key) not in done
                ]
                if not items:
                    continue
                DutyReminder.objects.bulk_create(
                    DutyReminder(
                        organisation=adviser.organisation,
                        adviser=adviser,
                        young_person_id=d.young_person_id,
                        duty=d.key,
                        what=d.what[:200],
                        due=d.due,
                        sent_on=today,
                        sent_to=adviser.user.email,
                    )
                    for d in items
                )
                overdue = sum(d.overdue for d in items)
                send_mail(
                    f"WorkPlace: {len(items)} leaving-care "
                    f"{'duty' if len(items) == 1 else 'duties'} to do"
                    + (f" ({overdue} overdue)" if overdue else ""),
                    _body(adviser, items, today),
                    settings.DEFAULT_FROM_EMAIL,
                    [adviser.user.email],
                )
                audit.record(
                    None,
                    audit.Action.EXPORT,
                    object_type="workplace.DutyReminder",
                    object_repr=f"Duty reminder email to {adviser.user.email}",
                    organisation_id=adviser.organisation_id,
                    detail={
                        "to": adviser.user.email,
                        "young_people": sorted({d.young_person_id for d in items}),
                        "duties": len(items),
                        "day": today.isoformat(),
                    },
                )
        except IntegrityError:
            continue  # another run sent these moments ago
        sent += 1
    return sent
