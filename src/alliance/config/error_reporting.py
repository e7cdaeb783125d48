"""Optional error reporting to Sentry (or a Sentry-compatible service such as GlitchTip).

Off unless `ALLIANCE_SENTRY_DSN` is set. What leaves the service is the error's type, message and
stack (file names and lines, never local variables), the view's address with its query string
dropped and its secret segments masked, the release (commit) and the environment. Nothing else of
the request goes: no cookies, no headers, no form or upload body, no user, no SQL parameters.
The children's records the service holds must never reach a third party's error tracker.
"""

from __future__ import annotations

from typing import Any

import sentry_sdk
from sentry_sdk.integrations.django import DjangoIntegration

from alliance.common.logsafe import safe_path, scrub

# Request parts kept: the method and a safe address. Everything else is dropped.
_KEPT_REQUEST_KEYS = {"method"}


def _safe_request(request: dict[str, Any]) -> dict[str, Any]:
    safe = {key: value for key, value in request.items() if key in _KEPT_REQUEST_KEYS}
    if isinstance(request.get("url"), str):
        safe["url"] = safe_path(request["url"])
    return safe


def _strip_frames(exception: dict[str, Any]) -> None:
    for value in exception.get("values") or []:
        if isinstance(value.get("value"), str):
            value["value"] = scrub(value["value"])
        for frame in (value.get("stacktrace") or {}).get("frames") or []:
            frame.pop("vars", None)


def scrubbed(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event with every part that could carry personal data or secrets removed."""
    if isinstance(event.get("request"), dict):
        event["request"] = _safe_request(event["request"])
    event.pop("user", None)
    event.pop("extra", None)
    if isinstance(event.get("transaction"), str):
        event["transaction"] = safe_path(event["transaction"])
    if isinstance(event.get("logentry"), dict):
        for key in ("message", "formatted"):
            if isinstance(event["logentry"].get(key), str):
                event["logentry"][key] = scrub(event["logentry"][key])
        event["logentry"].pop("params", None)
    if isinstance(event.get("exception"), dict):
        _strip_frames(event["exception"])
    crumbs = event.get("breadcrumbs")
    if isinstance(crumbs, dict):
        crumbs["values"] = [c for c in (crumbs.get("values") or []) if _kept(c)]
    return event


def _kept(crumb: dict[str, Any]) -> bool:
    """Breadcrumbs of SQL (whose parameters are surnames and dates of birth) and of HTTP calls are
    dropped; log lines are kept, scrubbed like the service's own log."""
    if crumb.get("category") in {"query", "httplib", "subprocess", "redis"}:
        return False
    if isinstance(crumb.get("message"), str):
        crumb["message"] = scrub(crumb["message"])
    crumb.pop("data", None)
    return True


def start(dsn: str, *, environment: str, release: str) -> None:
    """Report to `dsn` unhandled errors in web requests, and error log lines (a failed task logs one)."""
    sentry_sdk.init(
        dsn=dsn,
        environment=environment,
        release=release or None,
        integrations=[DjangoIntegration(middleware_spans=False, signals_spans=False)],
        send_default_pii=False,
        include_local_variables=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,
        before_send=scrubbed,  # type: ignore[arg-type]
        before_breadcrumb=lambda crumb, hint: crumb if _kept(crumb) else None,
    )
