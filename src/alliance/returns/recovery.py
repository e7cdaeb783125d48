"""Upload checks whose worker stopped (killed, out of memory, machine lost) are queued again.

An upload being checked has a heartbeat its check writes twice a second (services/checking.py's _Progress).
When that heartbeat is older than ALLIANCE_TASK_STALE_SECONDS, or a queued upload has no live
task to check it, a task worker's housekeeping (alliance.schedule.liveness) puts the upload back
in the queue and queues a new check. Each upload is changed by one conditional UPDATE, so however
many workers do this at once it is queued once; and `checking.claim` lets one run check it, so it
is decided once. Its files stay in the incoming folder until then (they go when it is decided).
"""

from __future__ import annotations

import datetime as dt
import logging
from functools import partial

from django.db import transaction
from django.db.models import Q
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliance.returns.models import Upload
from alliance.returns.services.uploading import enqueue
from alliance.schedule.liveness import stale_after

log = logging.getLogger(__name__)

CHECK_TASK = "alliance.returns.tasks.check_upload"
WAITING = "Waiting for the checking service"


def _pending_checks() -> set[int]:
    """Uploads with a check task waiting or running."""
    rows = DBTaskResult.objects.filter(
        task_path=CHECK_TASK, status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    ).values_list("args_kwargs", flat=True)
    return {int(row["args"][0]) for row in rows if row.get("args")}


def stalled(now: dt.datetime | None = None) -> list[Upload]:
    """Uploads being checked whose check stopped beating, and queued uploads nothing will check."""
    now = now or timezone.now()
    since = now - stale_after()
    stopped = Upload.objects.filter(status=Upload.Status.CHECKING).filter(
        Q(heartbeat_at__lt=since) | Q(heartbeat_at__isnull=True, started_at__lt=since)
    )
    waiting = Upload.objects.filter(status=Upload.Status.QUEUED, uploaded_at__lt=since).filter(
        Q(heartbeat_at__isnull=True) | Q(heartbeat_at__lt=since)
    )
    pending = _pending_checks()
    return [*stopped, *(u for u in waiting if u.pk not in pending)]


def requeue_stalled_checks(now: dt.datetime | None = None) -> list[int]:
    """Queue a new check of every stalled upload; returns their ids."""
    now = now or timezone.now()
    requeued = []
    for upload in stalled(now):
        with transaction.atomic():
            # only the worker whose UPDATE changes the row queues the check
            changed = Upload.objects.filter(
                pk=upload.pk, status=upload.status, heartbeat_at=upload.heartbeat_at
            ).update(status=Upload.Status.QUEUED, claimed_by="", stage=WAITING, heartbeat_at=now)
            if changed:
                transaction.on_commit(partial(enqueue, upload.pk))
        if changed:
            log.warning(
                "upload %s: its check stopped (attempt %s), queued again",
                upload.pk,
                upload.attempts,
            )
            requeued.append(upload.pk)
    return requeued
