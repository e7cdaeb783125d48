"""Addresses as they may appear in logs: no query string (searched surnames, filters, `next`)
and no secret path segment (the one-time password links' user id and token).

Used by the web server's access log (alliance.config.gunicorn) and by a filter on the service's
own log handler (for Django's "Not Found: /path" lines and the like). No Django imports: the web
server loads this before Django is set up.
"""

from __future__ import annotations

import logging
import re
from urllib.parse import urlsplit

MASK = "[hidden]"
# Paths whose later segments are secrets, and how many segments follow the prefix.
_SECRET_PATHS = [re.compile(r"^(/workplace/register/password/)[^/?#\s]+/[^/?#\s]+")]
# Any other segment that looks like a token: long, letters and digits mixed.
_TOKEN_SEGMENT = re.compile(
    r"(?<=/)(?=[A-Za-z0-9_\-.=]*\d)(?=[A-Za-z0-9_\-.=]*[A-Za-z])[A-Za-z0-9_\-.=]{20,}(?=/|$)"
)
# A path (with optional query) inside a longer line of text.
_PATH_IN_TEXT = re.compile(r"(?<![\w/])(/[^\s\"']*)")


def safe_path(url: str) -> str:
    """The path of a URL or request target with its query string dropped and secrets masked."""
    if not url or url == "-":
        return url
    path = urlsplit(url).path if "://" in url else url.split("?", 1)[0].split("#", 1)[0]
    path = path or "/"
    for pattern in _SECRET_PATHS:
        path = pattern.sub(rf"\g<1>{MASK}/{MASK}", path)
    return _TOKEN_SEGMENT.sub(MASK, path)


def scrub(text: str) -> str:
    """Every path in a line of text made safe (see `safe_path`)."""
    return _PATH_IN_TEXT.sub(lambda match: safe_path(match.group(1)), text)


class SafePathsFilter(logging.Filter):
    """A logging filter that scrubs the paths in each record's message and arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = scrub(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(scrub(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: scrub(v) if isinstance(v, str) else v for k, v in record.args.items()}
        # Django's request logger puts the request itself on the record, and the JSON formatter
        # writes every such extra as text: "<WSGIRequest: GET '/path?surname=…&token=…'>". Only
        # the request's method and scrubbed path are kept.
        request = getattr(record, "request", None)
        if request is not None and not isinstance(request, str):
            method = getattr(request, "method", "") or ""
            record.request = f"{method} {scrub(getattr(request, 'path', '') or '')}".strip()
        return True
