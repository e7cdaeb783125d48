"""Queue scheduled jobs when they are due (`alliance scheduler`; `alliance serve` runs it beside the
task worker). `--once` checks once and exits, for cron or a systemd timer instead of the loop."""

from __future__ import annotations

import signal
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from alliance.schedule.services import queue_due


class Command(BaseCommand):
    help = "Queue the scheduled jobs (reminders, escalations, clean-ups) when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit")
        parser.add_argument(
            "--interval", type=int, default=30, help="Seconds between checks (default 30)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        stop = threading.Event()
        if not options["once"]:
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, lambda *_: stop.set())
        while True:
            for queued in queue_due():
                self.stdout.write(
                    f"queued {queued.job.title} ({queued.slot}), task {queued.task_result_id}"
                )
            if options["once"] or stop.wait(max(1, options["interval"])):
                return
