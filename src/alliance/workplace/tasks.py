"""Background work for WorkPlace, run by the task worker (`alliance serve` starts it)."""

from __future__ import annotations

import datetime as dt

from django.tasks import task

from alliance.workplace import reminders


@task()
def send_duty_reminders(today: str | None = None) -> int:
    """Email each personal adviser a digest of their young people's leaving-care duties overdue
    or due within 14 days (pathway plans and reviews, birthday information from 17 to 21,
    appointments missed and not rebooked). Safe to run more than once a day: each duty is sent
    once a day at most. Returns how many emails were sent."""
    day = dt.date.fromisoformat(today) if today else None
    return reminders.send_reminders(day)
