"""`alliance manage send_programme_reminders [--now] [--date YYYY-MM-DD]`: queue the programme's
reminder emails (the scheduler does it daily); `--now` sends them in this process instead."""

from __future__ import annotations

from alliance.programme.tasks import send_programme_reminders
from alliance.schedule.commands import ReminderCommand


class Command(ReminderCommand):
    help = (
        "Queue emails about overdue milestones and quarterly reviews due (or send them with --now)."
    )
    task = send_programme_reminders
