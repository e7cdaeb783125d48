"""The family's plan: the goals agreed with them and the reviews of how it is going. Each change is
audited as a change to the family's referral, made by the acting `user`."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from alliance.audit import services as audit
from alliance.edgeofcare.models import Goal, Referral, Review, ServiceAllocation


def add_goal(
    referral: Referral, description: str, allocation: ServiceAllocation | None, *, user: Any
) -> Goal:
    with transaction.atomic():
        goal = referral.goals.create(description=description, allocation=allocation)
        audit.record(None, audit.Action.CHANGE, referral, user=user, detail={"added": "goal"})
    return goal


def set_goal_status(goal: Goal, status: str, *, user: Any) -> None:
    with transaction.atomic():
        goal.status = status
        goal.save(update_fields=["status"])
        audit.record(
            None,
            audit.Action.CHANGE,
            goal.referral,
            user=user,
            detail={"goal": goal.pk, "status": goal.status},
        )


def add_review(referral: Referral, fields: dict[str, Any], *, user: Any) -> Review:
    """`fields`: the review form's answers (the review's model fields)."""
    with transaction.atomic():
        review = referral.reviews.create(**fields)
        audit.record(None, audit.Action.CHANGE, referral, user=user, detail={"added": "review"})
    return review
