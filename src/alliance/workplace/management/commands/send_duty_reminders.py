"""`alliance manage send_duty_reminders [--now] [--date YYYY-MM-DD]`: queue today's duty reminder
emails to personal advisers (the scheduler does it daily); `--now` sends them in this process."""

from __future__ import annotations

from alliance.schedule.commands import ReminderCommand
from alliance.workplace.tasks import send_duty_reminders


class Command(ReminderCommand):
    help = (
        "Queue emails to personal advisers about leaving-care duties overdue or due within "
        "14 days (or send them with --now)."
    )
    task = send_duty_reminders
