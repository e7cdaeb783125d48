"""Spend reports with the DfE: the list of reports, and each report's page, where the DfE
acknowledges or queries it and the alliance's lead answers a query."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from alliance.access.policy import Action, Area, get_visible_or_404, guard, visible_to
from alliance.audit import services as audit
from alliance.common.query_values import whole_number
from alliance.programme.models import Programme, SpendReport, SpendReportStatus
from alliance.programme.services import spend_report_queries as queries
from alliance.programme.views.shared import _refuse

AWAITING_DFE = (SpendReportStatus.SUBMITTED, SpendReportStatus.ANSWERED)


def _reports(request: HttpRequest) -> QuerySet[SpendReport]:
    return visible_to(
        request.user, SpendReport.objects.all(), Area.PROGRAMME, via="partner__alliance"
    )


@guard(Area.PROGRAMME)
def spend_report_list(request: HttpRequest) -> HttpResponse:
    """Every spend report the person may see, those awaiting the DfE first."""
    reports = _reports(request).select_related(
        "partner__alliance", "partner__programme", "submitted_by"
    )
    status = request.GET.get("status", "")
    if status == "awaiting":
        reports = reports.filter(status__in=AWAITING_DFE)
    elif status in SpendReportStatus.values:
        reports = reports.filter(status=status)
    programme = whole_number(request.GET.get("programme", ""))
    if programme is not None:
        reports = reports.filter(partner__programme_id=programme)
    reports = reports.annotate(n_messages=Count("messages")).order_by(
        "partner__programme__name", "partner__alliance__name", "quarter"
    )
    counts = _reports(request).aggregate(
        awaiting=Count("id", filter=Q(status__in=AWAITING_DFE)),
        queried=Count("id", filter=Q(status=SpendReportStatus.QUERIED)),
    )
    return render(
        request,
        "programme/spend_reports.html",
        {
            "title": "Spend reports",
            "reports": list(reports),
            "status": status,
            "statuses": SpendReportStatus.choices,
            "counts": counts,
            "programmes": Programme.objects.filter(
                pk__in=_reports(request).values("partner__programme_id")
            ),
            "programme": programme,
        },
    )


def _detail(
    request: HttpRequest,
    report: SpendReport,
    errors: dict[str, str] | None = None,
    text: str = "",
    status: int = 200,
) -> HttpResponse:
    thread = list(report.messages.select_related("written_by"))
    return render(
        request,
        "programme/spend_report.html",
        {
            "title": f"Spend report to {report.period_ends.day} {report.period_ends:%B %Y}",
            "report": report,
            "thread": thread,
            "may_acknowledge": queries.may_acknowledge(request.user, report),
            "may_query": queries.may_query(request.user, report),
            "may_answer": queries.may_answer(request.user, report),
            "errors": errors or {},
            "text": text,
        },
        status=status,
    )


def _report(request: HttpRequest, pk: int) -> SpendReport:
    return get_visible_or_404(
        request,
        SpendReport.objects.select_related(
            "partner__alliance", "partner__programme", "submitted_by", "acknowledged_by"
        ),
        Area.PROGRAMME,
        via="partner__alliance",
        pk=pk,
    )


@guard(Area.PROGRAMME)
@require_http_methods(["GET"])
def spend_report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    audit.record(request, audit.Action.VIEW, report)
    return _detail(request, report)


def _act(request: HttpRequest, pk: int, step: str) -> HttpResponseBase:
    report = _report(request, pk)
    allowed = (
        queries.is_lead_of(request.user, report)
        if step == "answer"
        else queries.is_dfe(request.user)
    )
    if not allowed:  # seen the report, but this step is the DfE's or the alliance lead's
        return _refuse(request, Area.PROGRAMME, Action.CHANGE, report)
    text = request.POST.get("text", "")
    try:
        if step == "acknowledge":
            queries.acknowledge(report, user=request.user)
            done = "Spend report acknowledged"
        elif step == "query":
            queries.raise_query(report, text, user=request.user)
            done = "Query sent: the alliance's leads have been emailed"
        else:
            queries.answer_query(report, text, user=request.user)
            done = "Answer sent to the DfE"
    except ValidationError as error:
        if hasattr(error, "error_dict"):
            errors = {f"{step}-text": " ".join(error.message_dict.get("text", error.messages))}
        else:
            errors = {"summary": " ".join(error.messages)}
        report.refresh_from_db()
        return _detail(request, report, errors, text, status=400)
    messages.success(request, done)
    return redirect("programme:spend-report", report.pk)


@guard(Area.PROGRAMME)
@require_POST
def spend_report_acknowledge(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, "acknowledge")


@guard(Area.PROGRAMME)
@require_POST
def spend_report_query(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, "query")


@guard(Area.PROGRAMME)
@require_POST
def spend_report_answer(request: HttpRequest, pk: int) -> HttpResponseBase:
    return _act(request, pk, "answer")
