"""Queue the jobs that are due. Safe with several schedulers at once: a job's slot is claimed
with one conditional UPDATE (or one INSERT against a unique name), and only the scheduler whose
write changed the row queues the task."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from alliance.schedule.jobs import Job, registered
from alliance.schedule.models import ScheduledRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Queued:
    job: Job
    slot: str
    task_result_id: str


def _claim(job: Job, slot: str, now: dt.datetime) -> bool:
    claimed = (
        ScheduledRun.objects.filter(name=job.name)
        .exclude(slot=slot)
        .update(slot=slot, queued_at=now, task_result_id="")
    )
    if claimed:
        return True
    if ScheduledRun.objects.filter(name=job.name).exists():
        return False  # already queued for this slot
    try:
        with transaction.atomic():
            ScheduledRun.objects.create(name=job.name, slot=slot, queued_at=now)
    except IntegrityError:  # another scheduler created it first
        return False
    return True


def queue_due(now: dt.datetime | None = None, jobs: list[Job] | None = None) -> list[Queued]:
    """Queue every job whose current slot has not been queued yet; return what was queued.
    A job whose task cannot be imported or queued is logged and skipped, never blocking the
    others; its slot stays claimed so it is not retried in a tight loop (the next slot retries)."""
    now = now or timezone.now()
    queued: list[Queued] = []
    for job in registered() if jobs is None else jobs:
        slot = job.slot(now)
        if not _claim(job, slot, now):
            continue
        try:
            result = job.load().enqueue()  # type: ignore[attr-defined]
        except Exception:
            log.exception("could not queue the scheduled job %s", job.name)
            continue
        ScheduledRun.objects.filter(name=job.name, slot=slot).update(task_result_id=str(result.id))
        log.info("queued %s for %s (task %s)", job.name, slot, result.id)
        queued.append(Queued(job, slot, str(result.id)))
    return queued


@dataclass(frozen=True)
class JobStatus:
    job: Job
    last_queued_at: dt.datetime | None
    last_slot: str
    task_result_id: str


def status() -> list[JobStatus]:
    runs = {run.name: run for run in ScheduledRun.objects.all()}
    out = []
    for job in registered():
        run = runs.get(job.name)
        out.append(
            JobStatus(
                job,
                run.queued_at if run else None,
                run.slot if run else "",
                run.task_result_id if run else "",
            )
        )
    return out
