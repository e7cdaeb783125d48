"""Reminders to leads of milestones and reviews coming due, sent by the scheduled task."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction

from alliance.accounts.models import Membership, Role
from alliance.programme.models import (
    Engagement,
    Milestone,
    QuarterlyReview,
)

# ---------------------------------------------------------------------------------------------
# Reminders


@dataclass
class Reminder:
    to: list[str]
    subject: str
    body: str


def _leads_of(alliance_ids: Iterable[int]) -> dict[int, list[str]]:
    found: dict[int, list[str]] = defaultdict(list)
    for org_id, email in Membership.objects.filter(
        organisation_id__in=list(alliance_ids), role=Role.ALLIANCE_LEAD, user__is_active=True
    ).values_list("organisation_id", "user__email"):
        found[org_id].append(email)
    return found


def due_reminders(
    today: dt.date, review_notice_days: int = 14
) -> tuple[list[Reminder], list[int], list[int]]:
    """Emails for milestones overdue and quarterly reviews due within `review_notice_days` (or
    overdue and not held), on active engagements, not already reminded today. Returns the emails
    and the milestone and review ids they cover."""
    milestones = list(
        Milestone.objects.filter(
            engagement__status=Engagement.Status.ACTIVE, completed_on__isnull=True, due__lt=today
        )
        .exclude(last_reminded=today)
        .select_related("engagement__supported_council", "engagement__alliance")
    )
    reviews = list(
        QuarterlyReview.objects.filter(
            engagement__status=Engagement.Status.ACTIVE,
            held_on__isnull=True,
            due__lte=today + dt.timedelta(days=review_notice_days),
        )
        .exclude(last_reminded=today)
        .select_related("engagement__supported_council", "engagement__alliance")
    )
    leads = _leads_of(
        {m.engagement.alliance_id for m in milestones} | {r.engagement.alliance_id for r in reviews}
    )
    reminders: list[Reminder] = []
    for m in milestones:
        to = sorted(
            {*leads.get(m.engagement.alliance_id, []), *([m.owner_email] if m.owner_email else [])}
        )
        if not to:
            continue
        days = (today - m.due).days
        reminders.append(
            Reminder(
                to,
                f"Milestone overdue: {m.title} ({m.engagement.supported_council.name})",
                f'The milestone "{m.title}" in {m.engagement.alliance.name}\'s engagement with '
                f"{m.engagement.supported_council.name} was due on {m.due.day} {m.due:%B %Y} "
                f"({days} day{'s' if days != 1 else ''} ago) and is not marked complete.\n\n"
                f"Owner: {m.owner}. RAG status: {m.get_rag_display()}.\n\n"
                "Update it, with evidence, in the improvement programme.",
            )
        )
    for r in reviews:
        to = sorted(leads.get(r.engagement.alliance_id, []))
        if not to:
            continue
        when = "was due" if r.due < today else "is due"
        reminders.append(
            Reminder(
                to,
                f"Quarterly review {'overdue' if r.due < today else 'due'}: {r.engagement.supported_council.name}",
                f"The quarterly review of {r.engagement.alliance.name}'s engagement with "
                f"{r.engagement.supported_council.name} {when} on {r.due.day} {r.due:%B %Y}.\n\n"
                "Record the review and its notes in the improvement programme.",
            )
        )
    return reminders, [m.pk for m in milestones], [r.pk for r in reviews]


def send_reminders(today: dt.date | None = None) -> int:
    """Send the due reminders by email and mark what was covered, so a second run the same day
    sends nothing again. Returns how many emails were sent."""
    today = today or dt.date.today()
    with transaction.atomic():
        reminders, milestone_ids, review_ids = due_reminders(today)
        for reminder in reminders:
            send_mail(reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, reminder.to)
        Milestone.objects.filter(pk__in=milestone_ids).update(last_reminded=today)
        QuarterlyReview.objects.filter(pk__in=review_ids).update(last_reminded=today)
    return len(reminders)
