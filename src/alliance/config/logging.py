"""The service's logs: one JSON object a line in production (ALLIANCE_LOG_FORMAT=json), plain
text for a developer; every line carries the request id of the web request it belongs to, and a
task queued by a request carries that request's id into the task worker's lines.

Nothing personal goes in: paths lose their query strings and tokens (alliance.common.logsafe),
request lines name the view, method, status and time, never the person or the form.
No Django imports: settings load this."""

from __future__ import annotations

import logging
from typing import Any

from alliance.common.logcontext import current


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


def config(fmt: str, level: str) -> dict[str, Any]:
    """Django's LOGGING for `fmt` "json" or "text"."""
    formatters: dict[str, Any] = {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
            "timestamp": False,
        },
        "text": {"format": "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"},
    }
    return {
        "version": 1,
        "disable_existing_loggers": False,
        # Paths in log lines lose their query strings and one-time link tokens.
        "filters": {
            "safe_paths": {"()": "alliance.common.logsafe.SafePathsFilter"},
            "request_id": {"()": "alliance.config.logging.RequestIdFilter"},
        },
        "formatters": {"main": formatters["json" if fmt == "json" else "text"]},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "filters": ["safe_paths", "request_id"],
                "formatter": "main",
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "WARNING"}},
    }
