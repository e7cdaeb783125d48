"""`alliance manage send_duty_reminders`: queue today's duty reminder emails to personal
advisers (the scheduler runs it daily); `--now` sends them in this process instead."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.workplace import reminders
from alliance.workplace.tasks import send_duty_reminders


class Command(BaseCommand):
    help = (
        "Queue emails to personal advisers about leaving-care duties overdue or due within "
        "14 days (or send them with --now)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--date", help="Treat this day (YYYY-MM-DD) as today")
        parser.add_argument(
            "--now", action="store_true", help="Send now instead of queueing a task"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        day = options.get("date")
        if day:
            try:
                dt.date.fromisoformat(day)
            except ValueError:
                raise CommandError(f"--date must be a date like 2026-06-30, not {day!r}") from None
        if options["now"]:
            sent = reminders.send_reminders(dt.date.fromisoformat(day) if day else None)
            self.stdout.write(f"Sent {sent} reminder email{'s' if sent != 1 else ''}.")
            return
        result = send_duty_reminders.enqueue(day)
        self.stdout.write(f"Queued the reminders (task {result.id}); the task worker sends them.")
