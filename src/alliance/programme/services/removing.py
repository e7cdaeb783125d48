"""Removing a record entered by mistake, with the reason why, and the rules for what may never be removed."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from alliance.programme.history import record_change, snapshot
from alliance.programme.models import (
    BudgetLine,
    Engagement,
    ImprovementPlan,
    PracticeItem,
    QuarterlyReview,
    SpendEntry,
)
from alliance.programme.services.money import _lock_partner, spend_fixed
from alliance.programme.services.practice import _withdraw_practice
from alliance.programme.services.records import CLOSED, FIELDS, engagement_of, owner_of

NOT_REMOVED: dict[type[Model], str] = {
    Engagement: "An engagement is not removed: close it, with its impact, instead",
    QuarterlyReview: "Quarterly reviews are scheduled with the engagement: record or change the "
    "review instead",
    ImprovementPlan: "The plan belongs to the engagement: change it instead",
}


def removal_refused(obj: Model) -> str:
    """Why this record may not be removed, in words, or "" when it may."""
    never = NOT_REMOVED.get(type(obj))
    if never:
        return never
    engagement = engagement_of(obj)
    if (
        engagement is not None
        and not isinstance(obj, SpendEntry)
        and engagement.status == Engagement.Status.CLOSED
    ):
        return CLOSED
    if isinstance(obj, BudgetLine):
        count = obj.spend.count()
        if count:
            return (
                f"{obj.name} has {count} spend entr{'y' if count == 1 else 'ies'} recorded "
                "against it: it can be removed only when it has none"
            )
    if isinstance(obj, SpendEntry):
        return spend_fixed(obj)
    if isinstance(obj, PracticeItem) and obj.is_withdrawn:
        return "This item has already been withdrawn"
    return ""


@transaction.atomic
def remove_record(obj: Model, *, reason: str, user: Any) -> None:
    """Remove a record that was entered by mistake, with the reason why. The history keeps what it
    said (each field before) and the reason; money already included in a spend report is never
    removed (see `reverse_spend`)."""
    reason = (reason or "").strip()
    if isinstance(obj, SpendEntry):
        _lock_partner(obj.budget_line.partner_id)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    refusal = removal_refused(obj)
    if refusal:
        raise ValidationError(refusal)
    if not reason:
        raise ValidationError({"reason": "Enter why it is being removed"})
    if isinstance(obj, PracticeItem):
        _withdraw_practice(obj, reason=reason, user=user)
        return
    owner = owner_of(obj)
    before = snapshot(obj, FIELDS[type(obj)])
    pk = obj.pk
    obj.delete()
    obj.pk = pk  # for the history's reference to what was removed
    record_change(
        user=user,
        obj=obj,
        programme=owner.programme,
        organisation_id=owner.organisation_id,
        before=before,
        after={},
        engagement=owner.engagement,
        action="removed",
        reason=reason,
    )
