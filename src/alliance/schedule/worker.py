"""The task worker `alliance worker` runs: django_tasks_db's worker, made to keep going.

- It writes its sign of life and runs the apps' housekeeping from a thread of its own
  (alliance.schedule.liveness), so a dead worker's work is taken over by a live one.
- A database that stops answering (PostgreSQL restarted, network lost) does not end it: the
  error is logged, the connections closed, and it tries again after a pause that doubles up to
  half a minute.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from django.db import InterfaceError, OperationalError, connections
from django_tasks_db.management.commands.db_worker import Worker

log = logging.getLogger(__name__)

MAX_PAUSE = 30.0


def pause_after(failures: int) -> float:
    return float(min(MAX_PAUSE, 2 ** max(0, failures - 1)))


class SteadyWorker(Worker):
    """django_tasks_db's Worker that survives the database going away."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.failures = 0

    def run(self) -> None:
        while self.running:
            started = time.monotonic()
            try:
                super().run()
                return
            except (OperationalError, InterfaceError) as exc:
                if time.monotonic() - started > MAX_PAUSE:
                    self.failures = 0  # it had been working: start the pauses again from 1 s
                self.failures += 1
                pause = pause_after(self.failures)
                log.warning(
                    "task worker %s: the database did not answer (%s); trying again in %.0f s",
                    self.worker_id,
                    str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__,
                    pause,
                )
                connections.close_all()
                self.running_task = False
                self.startup_delay = False
                time.sleep(pause)
