"""How every programme record is saved: the fields each kind keeps in its history, who owns it, and the checks shared by every save (an engagement still open, dates within it)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Model

from alliance.common.jinja import money
from alliance.programme.history import record_change, snapshot
from alliance.programme.models import (
    Activity,
    BudgetLine,
    Engagement,
    ImprovementPlan,
    Milestone,
    PracticeItem,
    Priority,
    Programme,
    QuarterlyReview,
    SpendEntry,
)

MONEY_FIELDS = {"amount_pence", "grant_share_pence", "grant_total_pence"}


def _money(pence: int) -> str:
    return money(pence)


# ---------------------------------------------------------------------------------------------
# Plans, priorities, milestones, activities, reviews and money: every record is added, changed
# and removed the same way (`save_record`, `remove_record`), with its own rules checked inside
# the save's transaction and each change written to the history.

MILESTONE_FIELDS = (
    "title",
    "owner",
    "owner_email",
    "due",
    "rag",
    "evidence",
    "completed_on",
    "priority",
)
PLAN_FIELDS = ("summary", "agreed_on")
PRIORITY_FIELDS = ("ofsted_area", "description")
ACTIVITY_FIELDS = ("kind", "held_on", "people", "hours", "notes")
REVIEW_FIELDS = ("due", "held_on", "rag", "notes")
BUDGET_FIELDS = ("kind", "name", "amount_pence")
SPEND_FIELDS = ("budget_line", "engagement", "spent_on", "amount_pence", "description", "evidence")

ENGAGEMENT_FIELDS = ("starts", "ends")
PRACTICE_FIELDS = ("title", "summary", "ofsted_areas", "tags", "attachment")

FIELDS: dict[type[Model], tuple[str, ...]] = {
    Engagement: ENGAGEMENT_FIELDS,
    Milestone: MILESTONE_FIELDS,
    ImprovementPlan: PLAN_FIELDS,
    Priority: PRIORITY_FIELDS,
    Activity: ACTIVITY_FIELDS,
    QuarterlyReview: REVIEW_FIELDS,
    BudgetLine: BUDGET_FIELDS,
    SpendEntry: SPEND_FIELDS,
    PracticeItem: PRACTICE_FIELDS,
}

CLOSED = "This engagement is closed: its records are kept as they were when it closed"


@dataclass(frozen=True)
class Owner:
    """Whose record it is: its history and audit rows are filed under this organisation."""

    programme: Programme | None  # None for a practice item: the library is everyone's
    organisation_id: int
    engagement: Engagement | None = None

    @property
    def is_demo(self) -> bool:
        return self.programme is not None and self.programme.is_demo


def engagement_of(obj: Model) -> Engagement | None:
    if isinstance(obj, Engagement):
        return obj
    if isinstance(obj, Priority):
        return obj.plan.engagement
    if isinstance(obj, SpendEntry):
        return obj.engagement
    return getattr(obj, "engagement", None)


def owner_of(obj: Model) -> Owner:
    if isinstance(obj, PracticeItem):  # the publishing organisation, in no one programme
        return Owner(None, obj.organisation_id)
    if isinstance(obj, BudgetLine):
        return Owner(obj.partner.programme, obj.partner.alliance_id)
    if isinstance(obj, SpendEntry):
        partner = obj.budget_line.partner
        return Owner(partner.programme, partner.alliance_id, obj.engagement)
    engagement = engagement_of(obj)
    if engagement is None:  # pragma: no cover - every other record belongs to an engagement
        raise TypeError(f"No owner for {obj!r}")
    return Owner(engagement.programme, engagement.alliance_id, engagement)


def _save(obj: Model, *, user: Any, check: Any = None) -> Any:
    """Check, save and write the history: the before values are read from the database inside the
    same transaction, so the history says what really changed."""
    fields = FIELDS[type(obj)]
    before = snapshot(type(obj)._default_manager.get(pk=obj.pk), fields) if obj.pk else None
    if check is not None:
        check()
    obj.save()
    owner = owner_of(obj)
    record_change(
        user=user,
        obj=obj,
        programme=owner.programme,
        organisation_id=owner.organisation_id,
        before=before,
        after=snapshot(obj, fields),
        engagement=owner.engagement,
    )
    return obj


def _open(engagement: Engagement) -> None:
    status = Engagement.objects.filter(pk=engagement.pk).values_list("status", flat=True).first()
    if status == Engagement.Status.CLOSED:
        raise ValidationError(CLOSED)


def check_within(engagement: Engagement, day: dt.date | None, field: str, label: str) -> None:
    if day is not None and not (engagement.starts <= day <= engagement.ends):
        raise ValidationError(
            {
                field: f"{label} must be within the engagement, between "
                f"{engagement.starts.day} {engagement.starts:%B %Y} and "
                f"{engagement.ends.day} {engagement.ends:%B %Y}"
            }
        )
