"""Changing a young person's WorkPlace record and their action plan (appointments and goals):
each change is saved and audited with the acting user in one transaction, so a refused change
leaves no audit row. No request objects here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from alliance.accounts.models import User
from alliance.audit import services as audit
from alliance.workplace.models import Appointment, Goal, YoungPerson

ALREADY_RECORDED = "This young person already has a WorkPlace record"


def add_young_person(person: YoungPerson, *, user: User) -> YoungPerson:
    """Save a new young person's record (from an unsaved form instance). Raises
    `ValidationError` when they already have one."""
    try:
        with transaction.atomic():
            person.save()
            audit.record(None, audit.Action.CREATE, person, user=user)
    except IntegrityError as exc:
        raise ValidationError(ALREADY_RECORDED, code="duplicate") from exc
    return person


@transaction.atomic
def change_young_person(person: YoungPerson, fields: list[str], *, user: User) -> YoungPerson:
    """Save the changes to a young person's record; the audit row names the changed fields."""
    person.save()
    audit.record(None, audit.Action.CHANGE, person, user=user, detail={"fields": fields})
    return person


@transaction.atomic
def save_plan_item[Item: (Appointment, Goal)](
    item: Item, person: YoungPerson, *, user: User
) -> Item:
    """Save an appointment or goal (from an unsaved form instance) on the young person's record."""
    created = item.pk is None
    item.organisation = person.organisation
    item.young_person = person
    item.save()
    audit.record(None, audit.Action.CREATE if created else audit.Action.CHANGE, item, user=user)
    return item
