"""The request id each log line carries: the web request's, or the task's that a request queued
(alliance.common.requestid sets it; alliance.config.logging writes it). No Django imports: settings
load this through the logging configuration."""

from __future__ import annotations

import contextvars
import re
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

NO_REQUEST = "-"
current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default=NO_REQUEST)
# A request id given by a proxy is kept only if it is plainly an id (no room for anything else).
_GIVEN = re.compile(r"^[A-Za-z0-9._:-]{8,64}$")


def request_id() -> str:
    """The id of the request (or task) this code runs for, "-" outside any."""
    return current.get()


def new_request_id(given: str | None = None) -> str:
    return given if given and _GIVEN.match(given) else uuid.uuid4().hex


@contextmanager
def request_context(rid: str) -> Iterator[str]:
    token = current.set(rid or NO_REQUEST)
    try:
        yield rid
    finally:
        current.reset(token)
