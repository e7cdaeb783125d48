"""Gunicorn settings for `alliance serve` (the rest are given on its command line), including an
access log that never carries query strings or one-time link tokens.

Some libraries take seconds to import (scikit-learn for the Edge of Care evaluation). An app names
them in its AppConfig as `slow_imports`; each web process imports them, and every page's module, on
a background thread as soon as it starts, so the first person to open a page does not wait.
"""

from __future__ import annotations

import importlib
import logging
import os
import tempfile
import threading
from typing import Any

from django.apps import apps
from gunicorn.glogging import Logger

from alliance.common.logsafe import safe_path

log = logging.getLogger("alliance.serve")


def _warm_up() -> None:
    # every page's module, imported before the first request rather than during it (about a
    # second on a 2-core machine: the API, Polars, the statutory library)
    from django.urls import get_resolver  # noqa: PLC0415  Django is set up by now

    try:
        get_resolver().url_patterns  # noqa: B018  the property imports every urls module
    except Exception:  # a broken page module shows up on its first request instead
        log.exception("could not load the pages ahead of time")
    for config in apps.get_app_configs():
        for module in getattr(config, "slow_imports", ()):
            try:
                importlib.import_module(module)
            except Exception:  # a missing optional library shows up on its page instead
                log.exception("could not import %s ahead of time", module)


def on_starting(server: Any) -> None:
    """Prometheus metrics are counted in every web process and added up at /metrics/: the
    processes share a folder of their own, made here in the master before it starts them
    (alliance.common.metrics)."""
    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="alliance-metrics-")


def child_exit(server: Any, worker: Any) -> None:
    # imported only here: prometheus_client picks its multi-process mode when first imported, which
    # must come after on_starting has set PROMETHEUS_MULTIPROC_DIR
    from prometheus_client import multiprocess  # noqa: PLC0415  after the mode is chosen

    multiprocess.mark_process_dead(worker.pid)


def post_worker_init(worker: Any) -> None:
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()


# Seconds an idle kept-alive connection stays open. Gunicorn's default of 2 closed it while people
# paused between pages, so a form sent just then met a closed connection ("connection closed" on
# 4 of 23,000 requests in bench/load_bench.py, all uploads: clients send a page request again by
# themselves, never a form); it also cost a new connection for most pages. Longer than the 60 s a
# proxy or load balancer usually keeps an idle connection to its servers, so the proxy, not the
# service, closes it; the gthread worker holds idle connections without a thread.
keepalive = 75

# The access log: the path without its query string (which carries searched surnames, filters and
# `next` addresses) and with one-time link tokens masked; the referrer likewise.
access_log_format = '%(h)s %(l)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
logger_class = "alliance.config.gunicorn.SafeAccessLogger"


class SafeAccessLogger(Logger):
    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> Any:
        atoms = super().atoms(resp, req, environ, request_time)
        path = safe_path(environ.get("RAW_URI") or environ.get("PATH_INFO") or "/")
        safe = {
            "r": f"{environ.get('REQUEST_METHOD', '-')} {path} {environ.get('SERVER_PROTOCOL', '-')}",
            "U": path,
            "q": "",
            "f": safe_path(environ.get("HTTP_REFERER", "-")),
        }
        # Headers ({...}i), response headers ({...}o) and environ ({...}e) may hold cookies,
        # referrers and query strings: a custom format cannot reach them.
        kept = {k: v for k, v in atoms.items() if not k.startswith("{")}
        return kept | safe
