"""Background work for Edge of Care, on the database-backed task queue (`alliance serve` runs the
worker). Schedule `escalate_missed_targets` every few minutes and `purge_expired_records` daily
(see docs/edgeofcare.md)."""

from __future__ import annotations

from django.tasks import task

from alliance.edgeofcare import live_queue, retention


@task()
def escalate_missed_targets() -> int:
    """Flag referrals about to miss their first-contact target and email the team lead."""
    return live_queue.escalate()


@task()
def purge_expired_records() -> list[str]:
    """Delete closed records past their retention period; each deletion is audited (PURGE)."""
    return retention.purge()
