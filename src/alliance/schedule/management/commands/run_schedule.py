"""Queue scheduled jobs when they are due (`alliance scheduler`; `alliance serve` runs it beside the
task worker). `--once` checks once and exits, for cron or a systemd timer instead of the loop.

The loop writes its sign of life (for /health/) and survives the database going away: the error
is logged, the connections closed, and it tries again at the next check."""

from __future__ import annotations

import logging
import signal
import socket
import threading
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import InterfaceError, OperationalError, connections
from django.utils import timezone

from alliance.schedule import liveness
from alliance.schedule.models import ProcessBeat
from alliance.schedule.services import queue_due
from alliance.schedule.worker import pause_after

log = logging.getLogger(__name__)


class Command(BaseCommand):
    help = "Queue the scheduled jobs (reminders, escalations, clean-ups) when they are due."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Check once and exit")
        parser.add_argument(
            "--interval", type=int, default=30, help="Seconds between checks (default 30)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["once"]:  # from cron or a timer: one sign of life per machine
            liveness.beat(
                f"s-{socket.gethostname()[:40]}-once", ProcessBeat.Kind.SCHEDULER, timezone.now()
            )
            self.queue_due_jobs()
            return
        stop = threading.Event()
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: stop.set())
        name = liveness.process_name(ProcessBeat.Kind.SCHEDULER)
        beating = liveness.Beating(name, ProcessBeat.Kind.SCHEDULER)
        beating.start()
        failures = 0
        try:
            while True:
                wait = max(1, options["interval"])
                try:
                    self.queue_due_jobs()
                    failures = 0
                except (OperationalError, InterfaceError) as exc:
                    failures += 1
                    wait = min(wait, int(pause_after(failures)))
                    log.warning(
                        "scheduler: the database did not answer (%s); trying again in %s s",
                        type(exc).__name__,
                        wait,
                    )
                    connections.close_all()
                if stop.wait(wait):
                    return
        finally:
            beating.stop()

    def queue_due_jobs(self) -> None:
        for queued in queue_due():
            self.stdout.write(
                f"queued {queued.job.title} ({queued.slot}), task {queued.task_result_id}"
            )
