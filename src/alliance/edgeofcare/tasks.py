"""Background work for Edge of Care, on the database-backed task queue (`alliance serve` runs the
worker). Schedule `escalate_missed_targets` every few minutes and `purge_expired_records` daily
(see docs/edgeofcare.md)."""

from __future__ import annotations

from django.tasks import task

from alliance.edgeofcare import live_queue, outcomes, retention
from alliance.edgeofcare.models import Referral
from alliance.organisations.models import Organisation


@task()
def escalate_missed_targets() -> int:
    """Flag referrals about to miss their first-contact target and email the team lead."""
    return live_queue.escalate()


@task()
def purge_expired_records() -> list[str]:
    """Delete closed records past their retention period; each deletion is audited (PURGE)."""
    return retention.purge()


@task()
def match_outcomes_from_returns() -> int:
    """Fill children's outcomes (entered care, referred again) from each council's latest
    SSDA903 and CIN uploads; returns how many answers were filled."""
    councils = Organisation.objects.filter(
        pk__in=Referral.objects.values("organisation_id").distinct()
    )
    return sum(outcomes.match_outcomes(council) for council in councils)
