"""Prometheus metrics at /metrics/, for whoever runs the service, with the token in
ALLIANCE_METRICS_TOKEN (`Authorization: Bearer …`); without the setting the address is a 404.

- `alliance_request_seconds{view,method,status}`: how long each view takes (a histogram, counted
  in every web process: gunicorn's processes share a folder, alliance.config.gunicorn).
- `alliance_task_queue_depth{queue}`, `alliance_task_queue_oldest_seconds{queue}`,
  `alliance_tasks_running`: the task queue, read from the database at each scrape.
- `alliance_upload_check_seconds`: how long upload checks took (every check decided so far;
  from the returns app, which declares `metrics_collectors` in its AppConfig as apps may).
- `alliance_sign_in_failures_last_15_minutes`: failed sign-ins (from the accounts app, which
  declares its collector the same way).

No labels carry people, councils or paths: only view names, methods and status codes."""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db.models import Count, Min
from django.http import Http404, HttpRequest, HttpResponse
from django.tasks import TaskResultStatus
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks_db.models import DBTaskResult
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from alliance.access.policy import public

REQUEST_SECONDS = Histogram(
    "alliance_request_seconds",
    "Time to answer a request, by view",
    ["view", "method", "status"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 30),
)


class MetricsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        REQUEST_SECONDS.labels(
            view=match.view_name if match else "unmatched",
            method=request.method if request.method in _METHODS else "other",
            status=str(response.status_code),
        ).observe(time.perf_counter() - started)
        return response


_METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


class DatabaseCollector(Collector):
    """What the database knows, read at each scrape."""

    def collect(self) -> Iterator[Any]:
        now = timezone.now()
        depth = GaugeMetricFamily(
            "alliance_task_queue_depth", "Tasks waiting to run", labels=["queue"]
        )
        oldest = GaugeMetricFamily(
            "alliance_task_queue_oldest_seconds", "Age of the oldest waiting task", labels=["queue"]
        )
        waiting = (
            DBTaskResult.objects.filter(status=TaskResultStatus.READY)
            .values("queue_name")
            .annotate(n=Count("id"), since=Min("enqueued_at"))
        )
        for row in waiting:
            depth.add_metric([row["queue_name"]], row["n"])
            oldest.add_metric([row["queue_name"]], (now - row["since"]).total_seconds())
        yield depth
        yield oldest
        running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).count()
        yield GaugeMetricFamily("alliance_tasks_running", "Tasks being run", value=running)


def registry() -> CollectorRegistry:
    found = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.MultiProcessCollector(found)
    else:
        found.register(_Default(REGISTRY))
    found.register(DatabaseCollector())
    for config in apps.get_app_configs():
        for path in getattr(config, "metrics_collectors", ()):
            found.register(import_string(path)())
    return found


class _Default(Collector):
    def __init__(self, source: CollectorRegistry) -> None:
        self.source = source

    def collect(self) -> Iterator[Any]:
        yield from self.source.collect()


@public
def metrics(request: HttpRequest) -> HttpResponse:
    """For a Prometheus server holding the token; a 404 to anyone else."""
    token = str(getattr(settings, "METRICS_TOKEN", ""))
    given = request.headers.get("Authorization", "").removeprefix("Bearer ")
    if not token or not hmac.compare_digest(given.encode(), token.encode()):
        raise Http404
    return HttpResponse(generate_latest(registry()), content_type=CONTENT_TYPE_LATEST)
