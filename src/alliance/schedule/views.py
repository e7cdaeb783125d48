"""Scheduled jobs, for administrators: what runs by itself, when it last ran and how it went."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_tasks_db.models import DBTaskResult

from alliance.access.policy import Area, guard
from alliance.schedule.services import status


@guard(Area.AUDIT)
def jobs(request: HttpRequest) -> HttpResponse:
    rows = status()
    ids = [row.task_result_id for row in rows if row.task_result_id]
    results = {str(r.id): r for r in DBTaskResult.objects.filter(id__in=ids)}
    return render(
        request,
        "schedule/jobs.html",
        {
            "title": "Scheduled jobs",
            "rows": [(row, results.get(row.task_result_id)) for row in rows],
        },
    )
