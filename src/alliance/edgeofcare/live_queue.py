"""The live queue: referrals waiting for a first response, and escalating the ones past their
target."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from alliance.edgeofcare.models import CouncilSettings, Referral

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    minutes_left: int  # negative: overdue

    @property
    def overdue(self) -> bool:
        return self.minutes_left < 0

    @property
    def time_left(self) -> str:
        m = abs(self.minutes_left)
        if m >= 48 * 60:
            text = f"{m // 1440} days {m % 1440 // 60} hr"
        elif m >= 60:
            text = f"{m // 60} hr {m % 60} min"
        else:
            text = f"{m} min"
        return f"{text} overdue" if self.overdue else text


def queue(referrals: QuerySet[Referral], now: dt.datetime | None = None) -> list[QueueRow]:
    """Families waiting for first contact, the most urgent (least time left) first."""
    now = now or timezone.now()
    waiting = (
        referrals.filter(status=Referral.Status.AWAITING_CONTACT)
        .order_by("due_at")
        .only("id", "received_at", "due_at", "urgency", "postcode", "escalated_at", "risk")[:500]
    )
    return [QueueRow(r, int((r.due_at - now).total_seconds() // 60)) for r in waiting]


def escalate(now: dt.datetime | None = None) -> int:
    """Flag every referral whose first-contact target will be missed within the council's warning
    time and email the team lead, once per referral. Returns how many were escalated.

    Safe to run again and at the same time as another run (the scheduler every few minutes, a
    worker retrying, someone running the command by hand): each referral is claimed with one
    conditional update (`escalated_at` still empty) and only the run whose update changed the
    row emails about it. The claim and the email share a transaction, so if the email cannot be
    sent the claim is undone and the next run tries again."""
    now = now or timezone.now()
    escalated = 0
    for cs in CouncilSettings.objects.select_related("organisation"):
        soon = now + dt.timedelta(minutes=cs.warn_minutes)
        due = list(
            Referral.objects.filter(
                organisation=cs.organisation,
                status=Referral.Status.AWAITING_CONTACT,
                escalated_at__isnull=True,
                due_at__lte=soon,
            )
            .order_by("due_at")
            .only("id", "urgency", "due_at")
        )
        escalated += escalate_referrals(cs, due, now)
    return escalated


def escalate_referrals(cs: CouncilSettings, due: Sequence[Referral], now: dt.datetime) -> int:
    """Claim and email about `due` (the council's referrals about to miss their target, as read
    a moment ago): a referral another run has claimed since is left to that run."""
    if not due:
        return 0
    with transaction.atomic():
        claimed = [
            r
            for r in due
            if Referral.objects.filter(
                pk=r.pk, escalated_at__isnull=True, status=Referral.Status.AWAITING_CONTACT
            ).update(escalated_at=now)
        ]
        if claimed and cs.team_lead_email:
            lines = [
                f"{r.reference} ({r.get_urgency_display()}): first contact due "
                f"{timezone.localtime(r.due_at):%d %B %Y at %H:%M}"
                + (" — already overdue" if r.due_at < now else "")
                for r in claimed
            ]
            send_mail(
                f"Edge of Care: {len(claimed)} referral(s) about to miss the first-contact target",
                "These families are waiting for first contact and their target is close or "
                "passed:\n\n" + "\n".join(lines) + "\n\nSee the live queue in Alliance.",
                None,
                [cs.team_lead_email],
            )
    if claimed:
        log.info(
            "escalated %d referral(s) for %s: %s",
            len(claimed),
            cs.organisation,
            ", ".join(r.reference for r in claimed),
        )
    return len(claimed)
