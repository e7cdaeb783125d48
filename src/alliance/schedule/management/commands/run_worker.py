"""`alliance worker`: django_tasks_db's `db_worker`, with signs of life, the apps' housekeeping
(a dead worker's work is taken over) and surviving a database restart (alliance.schedule.worker).
It never reloads itself: a reload could stop a task half-way.
"""

from __future__ import annotations

import os
from typing import Any

from django.conf import settings
from django_tasks_db.management.commands import db_worker

from alliance.schedule import liveness
from alliance.schedule.models import ProcessBeat
from alliance.schedule.worker import SteadyWorker


class Command(db_worker.Command):
    help = "Run the background task worker (it takes over the work of workers that stopped)."

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        lower_priority(settings.TASK_WORKER_NICENESS)
        # the worker's id is its name in the signs of life, so its task rows can be matched to it
        name = liveness.process_name(ProcessBeat.Kind.WORKER)
        excluded = options["exclude_queues"]
        worker = SteadyWorker(
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=name,
            excluded_queue_names=excluded.split(",") if excluded else [],
        )
        beating = liveness.Beating(name, ProcessBeat.Kind.WORKER, liveness.housekeeping())
        beating.start()
        worker.configure_signals()
        try:
            worker.run()
        finally:
            beating.stop()


def lower_priority(niceness: int) -> None:
    """Run this process `niceness` steps below the web's priority (0-19): pages come first."""
    if niceness > 0 and hasattr(os, "nice"):
        os.nice(min(niceness, 19))
