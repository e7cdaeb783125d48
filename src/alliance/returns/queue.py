"""Queueing the returns app's background work (`alliance.returns.tasks`) by the task's name.

The tasks call the services; the services queue tasks through this module, which names them and
imports them only when one is queued, so neither imports the other (no import circle)."""

from __future__ import annotations

from django.utils.module_loading import import_string

from alliance.common.logcontext import request_id

TASKS = "alliance.returns.tasks"
CHECK_UPLOAD = "check_upload"
PREPARE_FINDINGS_WORKBOOK = "prepare_findings_workbook"


# Task workers take the highest priority first (then the oldest). A council's check starts at
# DEFAULT and drops a step for each check of the same council already waiting or running, so one
# council sending many returns (or one large one) cannot hold up the others: another council's
# first return goes ahead of the first council's second.
DEFAULT = 0
STEP = 10
LOWEST = -100


def fair_priority(ahead: int) -> int:
    """The priority of a council's check with `ahead` of its checks already queued or running."""
    return max(LOWEST, DEFAULT - STEP * max(0, ahead))


def enqueue(task: str, *args: object, priority: int = DEFAULT) -> None:
    """Queue the returns task named `task` (one of the names above) with `args`, under the
    request id of the request queueing it (its log lines carry it into the worker)."""
    found = import_string(f"{TASKS}.{task}")
    if priority != DEFAULT:
        found = found.using(priority=priority)
    found.enqueue(*args, request_id=request_id())
