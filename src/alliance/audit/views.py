"""The audit log, for administrators: read-only, filterable, exportable; and the page for a form
refused by the CSRF check, which is written to the log."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render

from alliance.access.policy import Action, Area, guard
from alliance.audit import services as audit
from alliance.audit.models import AuditEvent
from alliance.common.exports import csv_response


@guard(Area.AUDIT)
def log(request: HttpRequest) -> HttpResponseBase:
    events = AuditEvent.objects.all()
    who = request.GET.get("who", "").strip()
    action = request.GET.get("action", "").strip()
    record_type = request.GET.get("type", "").strip()
    if who:
        events = events.filter(username__icontains=who)
    if action:
        events = events.filter(action=action)
    if record_type:
        events = events.filter(object_type__icontains=record_type)
    if request.GET.get("format") == "csv":
        return _export(request, events)
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    # read the page now: the row recording this view, added below, would otherwise push the
    # page's last entry off it (the paginator has already counted the rows)
    page.object_list = list(page.object_list)
    # the log names people, their addresses and the records they saw: reading it is audited too
    audit.record(
        request,
        audit.Action.VIEW,
        object_type="audit.AuditEvent",
        object_repr="Audit log",
        detail={
            "filters": {"who": who, "action": action, "type": record_type},
            "page": page.number,
        },
    )
    return render(
        request,
        "audit/log.html",
        {
            "title": "Audit log",
            "page": page,
            "who": who,
            "action": action,
            "type": record_type,
            "actions": AuditEvent.Action.choices,
        },
    )


@guard(Area.AUDIT, Action.EXPORT)
def _export(request: HttpRequest, events: QuerySet[AuditEvent]) -> StreamingHttpResponse:
    audit.record(
        request,
        audit.Action.EXPORT,
        object_type="audit.AuditEvent",
        detail={"filters": dict(request.GET)},
    )
    header = [
        "at",
        "username",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "organisation_id",
        "ip_address",
        "method",
        "path",
    ]

    def rows() -> Iterator[list[Any]]:
        for e in events.iterator():
            yield (
                [
                    e.at.isoformat(),
                    e.username,
                    e.action,
                    e.object_type,
                    e.object_id,
                    e.object_repr,
                    e.organisation_id or "",
                    e.ip_address or "",
                    e.method,
                    e.path,
                ]
            )

    return csv_response("audit-log.csv", header, rows())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form post refused by the CSRF check (a forged or stale form): audited, then refused
    (settings.CSRF_FAILURE_VIEW)."""
    audit.record(request, audit.Action.ACCESS_DENIED, object_type="csrf", detail={"reason": reason})
    return render(request, "common/csrf_failure.html", status=403)
