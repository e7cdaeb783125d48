"""`alliance manage send_programme_reminders`: queue the reminder emails (run it daily, e.g. from
cron); the task worker sends them. `--now` sends in this process instead of queueing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from alliance.programme import services
from alliance.programme.tasks import send_programme_reminders


class Command(BaseCommand):
    help = (
        "Queue emails about overdue milestones and quarterly reviews due (or send them with --now)."
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
                raise CommandError(f"--date must be a date like 2019-06-30, not {day!r}") from None
        if options["now"]:
            sent = services.send_reminders(dt.date.fromisoformat(day) if day else None)
            self.stdout.write(f"Sent {sent} reminder email{'s' if sent != 1 else ''}.")
            return
        result = send_programme_reminders.enqueue(day)
        self.stdout.write(f"Queued the reminders (task {result.id}); the task worker sends them.")
