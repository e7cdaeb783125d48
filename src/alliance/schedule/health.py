"""What /health/ reports, for load balancers and whoever runs the service: the database, the
storage (the var folder is writable and, when the service is given a bucket, the bucket answers),
the task worker (its last sign of life) and the scheduler
(how long since it last looked for due jobs), each on its own, and the commit running.
Anything down makes the answer 503, so a load balancer or monitor sees it."""

from __future__ import annotations

import functools
import subprocess
import tempfile
import uuid
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.utils import timezone

from alliance.schedule.liveness import stale_after
from alliance.schedule.models import ProcessBeat

OK, DOWN, NOT_USED = "ok", "down", "not used"


@functools.cache
def commit() -> str:
    """The commit running: ALLIANCE_COMMIT (set when the image is built), else the checkout's
    (asked once, at the first health check), else "unknown"."""
    given = str(getattr(settings, "COMMIT", "")).strip()
    if given:
        return given
    try:
        done = subprocess.run(
            ["git", "rev-parse", "HEAD"],  # noqa: S607 - git from PATH, read-only
            cwd=Path(__file__).resolve().parent,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else "unknown"


def database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError as exc:
        return {"status": DOWN, "error": type(exc).__name__}
    return {"status": OK}


def storage() -> dict[str, Any]:
    """The var folder (this machine's files and working copies) is writable and, when the
    service is given a bucket (`STORAGES["returns"]`), a small object can be written, read back
    and deleted there."""
    folder = Path(settings.VAR_DIR)
    try:
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".health-", delete=True) as probe:
            probe.write(b"ok")
            probe.flush()
    except OSError as exc:
        return {"status": DOWN, "error": exc.strerror or type(exc).__name__}
    if "returns" not in settings.STORAGES:
        return {"status": OK, "object_storage": NOT_USED}
    try:
        _probe_bucket()
    except (OSError, BotoCoreError, ClientError) as exc:
        return {"status": DOWN, "object_storage": DOWN, "error": type(exc).__name__}
    return {"status": OK, "object_storage": OK}


def _probe_bucket() -> None:
    bucket = storages["returns"]
    key = f"health/{uuid.uuid4().hex}"
    bucket.save(key, ContentFile(b"ok"))
    try:
        with bucket.open(key, "rb") as back:
            if back.read() != b"ok":
                raise OSError("the object storage gave back something else")
    finally:
        bucket.delete(key)


def _uses_task_worker() -> bool:
    return str(settings.TASKS["default"]["BACKEND"]).startswith("django_tasks_db.")


def _last_beat(kind: str) -> dict[str, Any]:

    try:
        seen = (
            ProcessBeat.objects.filter(kind=kind)
            .order_by("-seen_at")
            .values_list("seen_at", flat=True)
        ).first()
    except DatabaseError:
        return {"status": DOWN, "error": "the database did not answer"}
    if seen is None:
        return {"status": DOWN, "last_seen_seconds_ago": None}
    ago = (timezone.now() - seen).total_seconds()
    return {
        "status": OK if ago < stale_after().total_seconds() else DOWN,
        "last_seen_seconds_ago": round(max(0.0, ago), 1),
    }


def worker() -> dict[str, Any]:
    if not _uses_task_worker():
        return {"status": NOT_USED}
    return _last_beat("worker")


def scheduler() -> dict[str, Any]:
    if not _uses_task_worker():
        return {"status": NOT_USED}
    beat = _last_beat("scheduler")
    beat["lag_seconds"] = beat.pop("last_seen_seconds_ago", None)
    return beat


def report() -> tuple[bool, dict[str, Any]]:
    """(healthy, the report). Healthy when nothing is down."""
    parts = {
        "database": database(),
        "storage": storage(),
        "worker": worker(),
        "scheduler": scheduler(),
    }
    healthy = all(part["status"] != DOWN for part in parts.values())
    return healthy, {
        "status": OK if healthy else DOWN,
        **{name: part["status"] for name, part in parts.items()},
        "details": parts,
        "commit": commit(),
    }
