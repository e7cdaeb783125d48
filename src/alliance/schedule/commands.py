"""The management command shape every reminder job shares: queue the job's task for a day (the
worker sends), or with `--now` run it in this process; `--date` treats another day as today.
Each app's command names its task and says in `help` what it sends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class ReminderCommand(BaseCommand):
    # a `django.tasks` task taking the day as ISO text (or None for today), returning emails sent
    task: Any = None

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
            sent = int(self.task.call(day))
            self.stdout.write(f"Sent {sent} reminder email{'s' if sent != 1 else ''}.")
            return
        result = self.task.enqueue(day)
        self.stdout.write(f"Queued the reminders (task {result.id}); the task worker sends them.")
