"""Scheduled jobs, for administrators: what runs by itself, when it last ran and how it went."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django_tasks_db.models import DBTaskResult

from alliance.access.policy import Area, guard, public
from alliance.schedule.health import report
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


@public
def health(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitors: database, storage, task worker and scheduler, each on its
    own, and the commit running (alliance/schedule/health.py); 503 when any is down."""
    healthy, body = report()
    return JsonResponse(body, status=200 if healthy else 503)
