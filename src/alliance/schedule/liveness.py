"""Signs of life of the task workers and schedulers, and taking over the work of dead ones.

Each `alliance worker` and `alliance scheduler` writes a `ProcessBeat` every few seconds from a
thread of its own (`Beating`), so a long task does not silence it. A worker also runs, at start
and then every few seconds, the housekeeping every app declares in its AppConfig
(`worker_housekeeping = ("alliance.returns.recovery.requeue_stalled_checks",)`) after marking
failed the task rows of workers that stopped beating (killed, machine lost): so work a dead
worker held is picked up by a live one without anyone editing the database.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult

from alliance.schedule.models import ProcessBeat

log = logging.getLogger(__name__)

STOPPED_WORKER = "alliance.schedule.liveness.WorkerStopped"


class WorkerStopped(Exception):
    """The task worker running this task stopped (killed or lost) before it finished."""


def stale_after() -> dt.timedelta:
    """How long without a sign of life before a worker, scheduler or upload check is taken for
    dead (ALLIANCE_TASK_STALE_SECONDS)."""
    return dt.timedelta(seconds=int(settings.TASK_STALE_AFTER_SECONDS))


def beat_every() -> float:
    """Seconds between signs of life: often enough that a few are missed before going stale."""
    return max(0.5, min(15.0, stale_after().total_seconds() / 4))


def process_name(kind: str) -> str:
    """A name unique to this process (at most 64 characters, a task worker id's limit)."""
    return f"{kind[:1]}-{socket.gethostname()[:32]}-{os.getpid()}-{uuid.uuid4().hex[:8]}"


def beat(name: str, kind: str, started_at: dt.datetime) -> None:
    ProcessBeat.objects.update_or_create(
        name=name, defaults={"kind": kind, "started_at": started_at, "seen_at": timezone.now()}
    )


def live_names(now: dt.datetime | None = None) -> set[str]:
    since = (now or timezone.now()) - stale_after()
    return set(ProcessBeat.objects.filter(seen_at__gte=since).values_list("name", flat=True))


def fail_orphaned_tasks(now: dt.datetime | None = None) -> list[str]:
    """Mark failed the running task rows whose worker stopped beating; returns their ids.
    A row is changed only while still running, so two workers doing this at once mark it once."""
    now = now or timezone.now()
    alive = live_names(now)
    failed = []
    running = DBTaskResult.objects.filter(
        status=TaskResultStatus.RUNNING, started_at__lt=now - stale_after()
    )
    for row in running.only("id", "worker_ids", "task_path"):
        if row.worker_ids and row.worker_ids[-1] in alive:
            continue
        changed = DBTaskResult.objects.filter(pk=row.pk, status=TaskResultStatus.RUNNING).update(
            status=TaskResultStatus.FAILED,
            finished_at=now,
            exception_class_path=STOPPED_WORKER,
            traceback=WorkerStopped.__doc__ or "",
        )
        if changed:
            log.warning("task %s (%s): its worker stopped, marked failed", row.pk, row.task_path)
            failed.append(str(row.pk))
    return failed


def housekeeping() -> list[Callable[[], object]]:
    """What the installed apps ask every task worker to run at start and every few seconds."""
    found: list[Callable[[], object]] = [fail_orphaned_tasks]
    for config in apps.get_app_configs():
        found.extend(import_string(path) for path in getattr(config, "worker_housekeeping", ()))
    found.append(forget_long_gone)
    return found


def forget_long_gone(now: dt.datetime | None = None) -> int:
    """Beats of processes gone for a day are of no more use."""
    since = (now or timezone.now()) - dt.timedelta(days=1)
    return ProcessBeat.objects.filter(seen_at__lt=since).delete()[0]


class Beating(threading.Thread):
    """Writes this process's sign of life every `beat_every()` seconds (and, for a worker, runs
    the housekeeping) until stopped. A database that does not answer is logged and tried again
    at the next beat: it never stops the process."""

    def __init__(
        self, name: str, kind: str, jobs: list[Callable[[], object]] | None = None
    ) -> None:
        super().__init__(daemon=True, name=f"{kind}-beat")
        self.process = name
        self.kind = kind
        self.jobs = jobs or []
        self.started_at = timezone.now()
        self.stopping = threading.Event()

    def start(self) -> None:
        if connection.vendor == "sqlite" and getattr(connection, "is_in_memory_db", bool)():
            # the test suite's in-memory database cannot be shared with a thread: once, here
            self.once(close=False)
            return
        super().start()

    def once(self, *, close: bool = True) -> None:
        try:
            beat(self.process, self.kind, self.started_at)
            for job in self.jobs:
                job()
        except DatabaseError as exc:
            log.warning("%s %s: the database did not answer (%s)", self.kind, self.process, exc)
        except Exception:
            log.exception("%s %s: housekeeping failed", self.kind, self.process)
        finally:
            if close:
                connection.close()

    def run(self) -> None:
        self.once()
        while not self.stopping.wait(beat_every()):
            self.once()

    def stop(self) -> None:
        self.stopping.set()
