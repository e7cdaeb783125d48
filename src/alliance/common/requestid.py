"""Every web request gets an id (the proxy's X-Request-ID when it is plainly an id, else a new
one), sent back in the X-Request-ID header and put on every log line of the request
(alliance.common.logcontext, written by alliance.config.logging). A task queued with `request_id=` runs under that id in the task
worker; any other task runs under its own task id. In JSON logging a line per request names the
view, method, status and time (never the query string, the person or the form)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from contextvars import Token
from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from alliance.common import logcontext
from alliance.common.logsafe import safe_path

log = logging.getLogger("alliance.request")
HEADER = "X-Request-ID"


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        rid = logcontext.new_request_id(request.headers.get(HEADER))
        started = time.perf_counter()
        with logcontext.request_context(rid):
            response = self.get_response(request)
            response[HEADER] = rid
            if settings.LOG_FORMAT == "json":
                match = getattr(request, "resolver_match", None)
                log.info(
                    "request",
                    extra={
                        "method": request.method,
                        "path": safe_path(request.path),
                        "view": match.view_name if match else "",
                        "status": response.status_code,
                        "duration_ms": round(1000 * (time.perf_counter() - started), 1),
                    },
                )
        return response


_running: threading.local = threading.local()


def task_started(sender: Any, task_result: Any, **kwargs: Any) -> None:
    given = task_result.kwargs.get("request_id")
    rid = str(given if given and given != logcontext.NO_REQUEST else f"task-{task_result.id}")
    tokens: list[Token[str]] = getattr(_running, "tokens", [])
    tokens.append(logcontext.current.set(rid))
    _running.tokens = tokens


def task_finished(sender: Any, task_result: Any, **kwargs: Any) -> None:
    tokens: list[Token[str]] = getattr(_running, "tokens", [])
    if tokens:
        logcontext.current.reset(tokens.pop())
