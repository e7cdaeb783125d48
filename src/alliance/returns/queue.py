"""Queueing the returns app's background work (`alliance.returns.tasks`) by the task's name.

The tasks call the services; the services queue tasks through this module, which names them and
imports them only when one is queued, so neither imports the other (no import circle)."""

from __future__ import annotations

from django.utils.module_loading import import_string

from alliance.common.logcontext import request_id

TASKS = "alliance.returns.tasks"
CHECK_UPLOAD = "check_upload"
PREPARE_FINDINGS_WORKBOOK = "prepare_findings_workbook"


def enqueue(task: str, *args: object) -> None:
    """Queue the returns task named `task` (one of the names above) with `args`, under the
    request id of the request queueing it (its log lines carry it into the worker)."""
    import_string(f"{TASKS}.{task}").enqueue(*args, request_id=request_id())
