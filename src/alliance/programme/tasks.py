"""Background work for the programme, run by the task worker (`alliance serve` starts it)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from alliance.programme.services.reminders import send_reminders


@task()
def send_programme_reminders(today: str | None = None) -> int:
    """Email alliance leads (and milestone owners) about overdue milestones and quarterly reviews
    due within 14 days or overdue. Safe to run more than once a day: what was covered today is
    marked and not sent again. Returns how many emails were sent."""
    day = dt.date.fromisoformat(today) if today else None
    return send_reminders(day)
