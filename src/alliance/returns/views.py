"""Pages for statutory returns: upload, progress, the report, the performance page, agreements,
the alliance's pooled records and the DfE's suppressed aggregates."""

from __future__ import annotations

import datetime as dt
from typing import Any

import polars as pl
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from alliance.access.policy import (
    Action,
    Area,
    can,
    get_visible_or_404,
    guard,
    roles_of,
    scope,
    visible_to,
)
from alliance.access.roles import Role
from alliance.audit import services as audit
from alliance.common.exports import frame_csv_response, xlsx_file_response
from alliance.organisations.models import AllianceMember, Organisation
from alliance.returns import interface, performance, storage
from alliance.returns.forms import AgreementForm, UploadForm
from alliance.returns.models import DataSharingAgreement, ReturnKind, Upload
from alliance.returns.services import (
    aggregate_figures,
    findings,
    findings_workbook,
    pooled_figures,
    retention,
    sharing,
    stored_returns,
    uploading,
)

ROWS_SHOWN = 500


def _own_council(request: HttpRequest, action: Action = Action.VIEW) -> Organisation | None:
    ids = scope(request.user, Area.RETURNS, action).organisation_ids
    return (
        Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.COUNCIL)
        .order_by("name")
        .first()
    )


@guard(Area.RETURNS)
def index(request: HttpRequest) -> HttpResponse:
    council = _own_council(request)
    uploads = visible_to(
        request.user, Upload.objects.select_related("organisation", "uploaded_by"), Area.RETURNS
    )
    may_upload = can(request.user, Area.RETURNS, Action.CHANGE)
    return render(
        request,
        "returns/index.html",
        {
            "title": "Statutory returns",
            "council": council,
            "uploads": list(uploads[:50]),
            "form": UploadForm() if may_upload else None,
            "may_upload": may_upload,
            "limit_mb": storage.upload_limit() // storage.MB,
            "upload_again": stored_returns.stored_with_old_cin_pseudonyms(council)
            if council
            else [],
        },
    )


def _upload(request: HttpRequest) -> HttpResponse:
    """Refuse an oversized body before reading it, then let CSRF protection read the form. The
    address is the form's; opened as a page (a bookmark, a refresh after a refusal) it goes to
    the form rather than a 'method not allowed' page."""
    if request.method in ("GET", "HEAD"):
        return redirect(reverse("returns:index") + "#upload-a-return")
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > storage.upload_limit() + 1024 * 1024:
        return render(
            request,
            "returns/upload_refused.html",
            {
                "title": "The file is too large",
                "limit_mb": storage.upload_limit() // storage.MB,
            },
            status=413,
        )
    return _upload_checked(request)


@csrf_protect
@require_POST
def _upload_checked(request: HttpRequest) -> HttpResponse:
    council = _own_council(request, Action.CHANGE)
    form = UploadForm(request.POST, request.FILES)
    if council is not None and form.is_valid():
        try:
            upload = uploading.start_upload(
                organisation=council,
                user=request.user,
                kind=form.cleaned_data["kind"],
                year=form.cleaned_data["year"],
                current=form.cleaned_data["current"],
                previous=form.cleaned_data["previous"],
                providers=form.cleaned_data["providers"],
            )
        except ValidationError as problem:
            names = [
                f.name for f in [*form.cleaned_data["current"], *form.cleaned_data["providers"]]
            ]
            # a provider list's problem is shown by its own field; the return's by the return's
            on = "providers" if isinstance(problem, storage.ProviderListProblem) else "current"
            form.add_error(on, problem)
            # a refused upload is an upload too: who tried to send what, and why it was refused
            audit.record(
                request,
                audit.Action.UPLOAD,
                object_type="returns.Upload",
                object_repr=f"Refused upload of {council}'s {form.cleaned_data['kind']} return",
                organisation_id=council.pk,
                detail={
                    "refused": str(problem),
                    "files": names,
                    "year": form.cleaned_data["year"],
                },
            )
        else:
            audit.record(
                request,
                audit.Action.UPLOAD,
                upload,
                detail={
                    "files": upload.file_names,
                    "bytes": upload.size_bytes,
                    "provider_lists": upload.provider_file_names,
                },
            )
            return redirect("returns:upload", pk=upload.pk)
    elif council is None:
        form.add_error(None, "Only a council analyst can upload a council's returns")
    uploads = visible_to(request.user, Upload.objects.select_related("organisation"), Area.RETURNS)
    return render(
        request,
        "returns/index.html",
        {
            "title": "Statutory returns",
            "council": council,
            "uploads": list(uploads[:50]),
            "form": form,
            "may_upload": True,
            "limit_mb": storage.upload_limit() // storage.MB,
        },
        status=400,
    )


upload = guard(Area.RETURNS, Action.CHANGE)(csrf_exempt(_upload))


def _get_upload(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Upload:
    return get_visible_or_404(
        request,
        Upload.objects.select_related("organisation", "uploaded_by", "compared_with"),
        Area.RETURNS,
        action,
        pk=pk,
    )


@guard(Area.RETURNS)
def upload_detail(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_upload(request, pk)
    if item.status in Upload.FINISHED:
        # the report (or the reason for refusing it, which can quote the file); the page seen
        # while the upload waits or is checked shows only its progress
        audit.record(
            request, audit.Action.VIEW, item, detail={"page": "report", "status": item.status}
        )
    counts = item.summary.get("counts", [])
    return render(
        request,
        "returns/upload.html",
        {
            "title": f"{item.short_kind} {item.year_label}: upload {item.pk}",
            "upload": item,
            "errors": [c for c in counts if c["severity"] != "query"],
            "queries": [c for c in counts if c["severity"] == "query"],
            "changes": findings.changes(item) if item.status == Upload.Status.ACCEPTED else [],
            "may_change": can(request.user, Area.RETURNS, Action.CHANGE, item.organisation_id),
        },
    )


@guard(Area.RETURNS)
def upload_status(request: HttpRequest, pk: int) -> JsonResponse:
    item = _get_upload(request, pk)
    return JsonResponse(
        {
            "status": item.status,
            "status_label": item.get_status_display(),
            "stage": item.stage,
            "checks_done": item.checks_done,
            "checks_total": item.checks_total,
            "percent": item.percent_done,
            "finished": item.status in Upload.FINISHED,
        }
    )


@guard(Area.RETURNS)
def rule_detail(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    item = _get_upload(request, pk)
    counts = {c["rule_code"]: c for c in item.summary.get("counts", [])}
    if code not in counts:
        raise Http404("No such rule in this report")
    # the council's own report: its own child ids, put back from the re-identification file
    frame = findings.findings_frame(item, identified=True)
    if not frame.is_empty():
        frame = frame.filter(pl.col("rule_code") == code)
    audit.record(
        request,
        audit.Action.VIEW,
        item,
        detail={"page": "rule", "rule": code, "rows": frame.height},
    )
    return render(
        request,
        "returns/rule.html",
        {
            "title": f"Rule {code}",
            "upload": item,
            "rule": counts[code],
            "rows": frame.head(ROWS_SHOWN).to_dicts(),
            "total": frame.height,
            "shown": min(frame.height, ROWS_SHOWN),
            "kept": retention.findings_kept(item),
            "retention_days": retention.findings_retention().days,
        },
    )


@guard(Area.RETURNS, Action.EXPORT)
def download(request: HttpRequest, pk: int) -> HttpResponseBase:
    """The findings workbook when it is ready; until then a page that says it is being
    prepared and looks again every few seconds (the task worker builds it)."""
    item = _get_upload(request, pk, Action.EXPORT)
    if item.status != Upload.Status.ACCEPTED:
        raise Http404("This upload has no report")
    path = findings_workbook.excel_report_path(item)
    if not path.exists():
        findings_workbook.request_excel_report(item)
        return render(
            request,
            "returns/preparing.html",
            {"title": "Your findings workbook is being prepared", "upload": item},
        )
    audit.record(request, audit.Action.DOWNLOAD, item, detail={"file": "findings.xlsx"})
    name = f"{item.organisation.slug}-{item.kind}-{item.year}-upload-{item.pk}-findings.xlsx"
    return xlsx_file_response(path, name)


@guard(Area.RETURNS, Action.CHANGE)
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    item = _get_upload(request, pk, Action.CHANGE)
    if uploading.retry(item):
        audit.record(request, audit.Action.CHANGE, item, detail={"retried": True})
    return redirect("returns:upload", pk=item.pk)


# ---------------------------------------------------------------------------------------------
# Performance


@guard(Area.RETURNS)
def performance_page(request: HttpRequest) -> HttpResponse:
    council_org = _own_council(request)
    kind = request.GET.get("kind", ReturnKind.SSDA903)
    if kind not in stored_returns.KINDS:
        kind = ReturnKind.SSDA903
    context: dict[str, Any] = {
        "title": "Your indicators",
        "kind": kind,
        "kinds": ReturnKind.choices,
        "council": council_org,
    }
    if council_org is not None:
        context["report"] = performance.report(council_org, kind)
        audit.record(
            request,
            audit.Action.VIEW,
            council_org,
            object_repr=f"{council_org} performance ({kind})",
            detail={"page": "performance", "kind": kind},
        )
    return render(request, "returns/performance.html", context)


# ---------------------------------------------------------------------------------------------
# Data-sharing agreements


def _alliances_of(organisation: Organisation) -> Any:
    ids = AllianceMember.objects.filter(council__organisation=organisation).values_list(
        "alliance_id", flat=True
    )
    return Organisation.objects.filter(pk__in=ids)


@guard(Area.RETURNS)
def agreements(request: HttpRequest) -> HttpResponse:
    council = _own_council(request)
    found = visible_to(
        request.user,
        DataSharingAgreement.objects.select_related("alliance", "organisation"),
        Area.RETURNS,
    )
    return render(
        request,
        "returns/agreements.html",
        {
            "title": "Data-sharing agreements",
            "council": council,
            "agreements": list(found),
            "today": timezone.localdate(),
            "may_change": can(request.user, Area.RETURNS, Action.CHANGE),
        },
    )


@guard(Area.RETURNS, Action.CHANGE)
def agreement_new(request: HttpRequest) -> HttpResponse:
    council = _own_council(request, Action.CHANGE)
    alliances = _alliances_of(council) if council else Organisation.objects.none()
    form = AgreementForm(request.POST or None, alliances=alliances)
    if request.method == "POST" and council is not None and form.is_valid():
        with transaction.atomic():
            agreement = form.save(commit=False)
            agreement.organisation = council
            agreement.recorded_by = request.user
            agreement.save()
            audit.record(request, audit.Action.CREATE, agreement)
        messages.success(request, f"Agreement with {agreement.alliance} recorded")
        return redirect("returns:agreements")
    return render(
        request,
        "returns/agreement_form.html",
        {
            "title": "Record a data-sharing agreement",
            "form": form,
            "council": council,
            "no_alliance": not alliances.exists(),
        },
        status=400 if form.errors else 200,
    )


@guard(Area.RETURNS, Action.CHANGE)
@require_POST
def agreement_end(request: HttpRequest, pk: int) -> HttpResponse:
    agreement = get_visible_or_404(
        request, DataSharingAgreement.objects.all(), Area.RETURNS, Action.CHANGE, pk=pk
    )
    with transaction.atomic():
        if agreement.ended_early_on is None:
            agreement.ended_early_on = timezone.localdate()
            agreement.save(update_fields=["ended_early_on"])
            audit.record(
                request,
                audit.Action.CHANGE,
                agreement,
                detail={
                    "ended_early_on": str(agreement.ended_early_on),
                    "ended_at": timezone.now().isoformat(),
                },
            )
    messages.success(request, f"Sharing with {agreement.alliance} ended today")
    return redirect("returns:agreements")


# ---------------------------------------------------------------------------------------------
# Pooled records (alliance leads)


def _lead_alliances(request: HttpRequest) -> list[Organisation]:
    ids = scope(request.user, Area.POOLED_RETURNS).organisation_ids
    return list(
        Organisation.objects.filter(pk__in=ids, kind=Organisation.Kind.ALLIANCE).order_by("name")
    )


def _year_choice(request: HttpRequest, kind: str) -> int:
    years = uploading.collection_years(kind) or [dt.date.today().year]
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = years[0]
    return year if 2018 <= year <= 2100 else years[0]


@guard(Area.POOLED_RETURNS)
def pooled(request: HttpRequest) -> HttpResponse:
    kind = request.GET.get("kind", ReturnKind.SSDA903)
    kind = kind if kind in stored_returns.KINDS else ReturnKind.SSDA903
    year = _year_choice(request, kind)
    blocks = []
    for alliance in _lead_alliances(request):
        tables, included = sharing.pooled_tables(alliance.pk, kind, year)
        members = list(
            AllianceMember.objects.filter(alliance=alliance).select_related("council__organisation")
        )
        # the pooled figures and each council's, from the same pooled records with the same
        # definitions (so a pooled share lies between its councils' shares)
        pooled_rows, per_council = pooled_figures.pooled_figures(
            kind, year, tables, sharing.pooled_previous(included, kind, year)
        )
        blocks.append(
            {
                "alliance": alliance,
                "included": included,
                "not_included": [
                    m.council.organisation
                    for m in members
                    if m.council.organisation not in included
                ],
                "rows": {n: f.height for n, f in sorted(tables.items())},
                "indicators": pooled_rows,
                "per_council": {
                    name: {code: row["value"] for code, row in rows.items()}
                    for name, rows in per_council.items()
                },
            }
        )
        audit.record(
            request,
            audit.Action.QUERY,
            alliance,
            detail={"pooled": kind, "year": year, "councils": [o.pk for o in included]},
        )
    return render(
        request,
        "returns/pooled.html",
        {
            "title": "Pooled returns",
            "blocks": blocks,
            "kind": kind,
            "year": year,
            "kinds": ReturnKind.choices,
            "years": uploading.collection_years(kind),
        },
    )


@guard(Area.POOLED_RETURNS, Action.EXPORT)
def pooled_download(
    request: HttpRequest, alliance_id: int, kind: str, year: int, table: str
) -> HttpResponseBase:
    alliance = get_visible_or_404(
        request,
        Organisation.objects.filter(kind=Organisation.Kind.ALLIANCE),
        Area.POOLED_RETURNS,
        Action.EXPORT,
        via="pk",
        pk=alliance_id,
    )
    if kind not in stored_returns.KINDS:
        raise Http404("No such return")
    tables, included = sharing.pooled_tables(alliance.pk, kind, year)
    if table not in tables:
        raise Http404("No such table")
    frame = sharing.pooled_download_frame(tables[table])
    audit.record(
        request,
        audit.Action.EXPORT,
        alliance,
        detail={
            "pooled": kind,
            "year": year,
            "table": table,
            "rows": frame.height,
            "councils": [o.pk for o in included],
        },
    )
    return frame_csv_response(f"{alliance.slug}-{kind}-{year}-{table}-pooled.csv", frame)


# ---------------------------------------------------------------------------------------------
# Aggregates (DfE analysts, and councils and alliances for their own reach)

BREAKDOWNS = interface.BREAKDOWNS


def _aggregate_tables(request: HttpRequest, kind: str, year: int) -> tuple[list[Any], list[Upload]]:
    """The breakdown tables the person may see, each suppressed with its totals."""
    return aggregate_figures.aggregate_tables(request.user, kind, year)


def _aggregate_choice(request: HttpRequest) -> tuple[str, int]:
    kind = request.GET.get("kind", ReturnKind.SSDA903)
    kind = kind if kind in stored_returns.KINDS else ReturnKind.SSDA903
    return kind, _year_choice(request, kind)


@guard(Area.AGGREGATES)
def aggregates(request: HttpRequest) -> HttpResponse:
    kind, year = _aggregate_choice(request)
    tables, uploads = _aggregate_tables(request, kind, year)
    audit.record(
        request,
        audit.Action.VIEW,
        object_type="returns.aggregates",
        object_repr=f"Aggregates {kind} {year}",
        detail={"kind": kind, "year": year, "councils": [u.organisation_id for u in uploads]},
    )
    return render(
        request,
        "returns/aggregates.html",
        {
            "title": "Aggregate figures from returns",
            "kind": kind,
            "year": year,
            "kinds": ReturnKind.choices,
            "years": uploading.collection_years(kind),
            "tables": tables,
            "councils": len(uploads),
            "is_dfe": Role.DFE_ANALYST in roles_of(request.user),
        },
    )


@guard(Area.AGGREGATES, Action.EXPORT)
def aggregates_download(request: HttpRequest) -> HttpResponseBase:
    """The same suppressed tables as CSV (one line a cell: `<5` and `[c]` as on the page), never
    the counts behind them."""
    kind, year = _aggregate_choice(request)
    tables, uploads = _aggregate_tables(request, kind, year)
    lines = [
        {k: cell[k] for k in ("table", "council", "category", "count")}
        for cell in aggregate_figures.aggregate_cells(tables)
    ]
    frame = pl.DataFrame(
        lines,
        schema={
            "table": pl.String,
            "council": pl.String,
            "category": pl.String,
            "count": pl.String,
        },
    )
    audit.record(
        request,
        audit.Action.EXPORT,
        object_type="returns.aggregates",
        object_repr=f"Aggregates {kind} {year} (CSV)",
        detail={"kind": kind, "year": year, "councils": [u.organisation_id for u in uploads]},
    )
    return frame_csv_response(f"aggregates-{kind}-{year}.csv", frame)
