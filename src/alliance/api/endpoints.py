"""The API, version 1: councils' case-management systems upload returns and read what the checks
found; analysts read their council's indicators. Described by OpenAPI at /api/v1/openapi.json,
documented at /api/v1/docs; the checked-in copy docs/api/openapi.json is compared with it by a test.

Every call is decided by the access policy for the token's account and audited as the pages are.
"""

from __future__ import annotations

import json
from typing import Literal

import polars as pl
from django.core.exceptions import (
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
    ValidationError,
)
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import File, Form, NinjaAPI, Query, Schema, Status
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.files import UploadedFile

from alliance.access.policy import Action, Area, can
from alliance.api.authentication import ApiRefusal, BearerToken, needs
from alliance.api.models import Scope
from alliance.audit import services as audit
from alliance.common.exports import frame_csv_response, xlsx_file_response
from alliance.common.file_storage import FileStorageUnavailable
from alliance.organisations.models import Organisation
from alliance.returns import interface as returns

api = NinjaAPI(
    title="Alliance API",
    version="1",
    description=(
        "For councils' case-management systems and analysts: upload SSDA903 and CIN census "
        "returns, follow their checks, fetch the findings and the council's indicators. Send an "
        "API token issued by your organisation's administrator as `Authorization: Bearer <token>`."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
)

Kind = Literal["ssda903", "cin"]


class Problem(Schema):
    detail: str


class RuleCount(Schema):
    rule: str
    severity: str
    message: str
    findings: int
    children: int


class UploadOut(Schema):
    id: int
    kind: str
    year: int
    status: str
    status_label: str
    stage: str
    percent: int
    finished: bool
    files: list[str]
    rules: list[RuleCount]
    problem: str


class IndicatorOut(Schema):
    year: int
    code: str
    label: str
    value: float | None
    numerator: float | None
    denominator: float | None
    unit: str


ERRORS = {400: Problem, 401: Problem, 403: Problem, 404: Problem, 413: Problem, 429: Problem}


@api.exception_handler(ApiRefusal)
def _refusal(request: HttpRequest, problem: ApiRefusal) -> HttpResponse:
    response = api.create_response(request, {"detail": problem.message}, status=problem.status)
    for name, value in problem.headers.items():
        response[name] = value
    return response


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, problem: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": "Send your API token as 'Authorization: Bearer <token>'"}, status=401
    )


def _audit_bad_body(request: HttpRequest, reason: str) -> None:
    """A call whose body or parameters could not be read: who sent what where (never the body)."""
    audit.record(
        request,
        audit.Action.UPLOAD if request.method == "POST" else audit.Action.QUERY,
        object_type="api.call",
        object_repr=f"Refused API call {request.method} {request.path}",
        detail={"api": reason},
    )


@api.exception_handler(NinjaValidationError)
def _invalid(request: HttpRequest, problem: NinjaValidationError) -> HttpResponse:
    fields = sorted(
        {".".join(str(p) for p in e.get("loc", [])[1:]) or "body" for e in problem.errors}
    )
    detail = f"Check these: {', '.join(fields)}"
    _audit_bad_body(request, detail)
    return api.create_response(request, {"detail": detail, "errors": problem.errors}, status=400)


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, problem: RequestDataTooBig) -> HttpResponse:
    detail = "The request's fields are too large: send the return's contents as files"
    _audit_bad_body(request, detail)
    return api.create_response(request, {"detail": detail}, status=413)


@api.exception_handler(MultiPartParserError)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _unreadable(request: HttpRequest, problem: Exception) -> HttpResponse:
    detail = "The request's body could not be read: send it as multipart/form-data"
    _audit_bad_body(request, detail)
    return api.create_response(request, {"detail": detail}, status=400)


def _audit_refusal(request: HttpRequest, reason: str) -> None:
    """A call the token's role may not make, recorded as the access policy records a page's."""
    audit.record(
        request,
        audit.Action.ACCESS_DENIED,
        request.auth,  # type: ignore[attr-defined]
        detail={"api": reason},
    )


def _council(request: HttpRequest) -> Organisation:
    """The council the token's account works for (a token acts for one organisation)."""
    token = request.auth  # type: ignore[attr-defined]
    organisation: Organisation = token.organisation
    if organisation.kind != Organisation.Kind.COUNCIL or not can(
        request.user, Area.RETURNS, Action.VIEW, organisation
    ):
        _audit_refusal(request, "only a council's own token can do this")
        raise ApiRefusal(403, "Only a council's own token can do this")
    return organisation


@api.post(
    "/returns",
    response={202: UploadOut, **ERRORS},
    summary="Upload a return",
    description=(
        "SSDA903: the return's CSV files (or one ZIP); CIN census: its XML file. Optional "
        "`previous`: last year's SSDA903 files. Optional `providers` (SSDA903 only, up to 2): "
        "Ofsted's provider lists, the .xlsx workbooks as Ofsted publishes them or CSV saved "
        "from them; with them the seven Ofsted-provider rules (219, 221, 224, 227, 228, 229 "
        "and 1008) run, without them they do not. The check runs in the background: poll the "
        "returned upload until `finished` is true."
    ),
)
def upload_return(
    request: HttpRequest,
    kind: Form[Kind],
    year: Form[int],
    files: File[list[UploadedFile]],
    # File[...] | None would hide the field from ninja (it was never read): the None goes inside
    previous: File[list[UploadedFile] | None] = None,
    providers: File[list[UploadedFile] | None] = None,
) -> Status:
    needs(request, Scope.UPLOAD_RETURNS)
    council = _council(request)
    if not can(request.user, Area.RETURNS, Action.CHANGE, council):
        _audit_refusal(request, "the token's role cannot upload returns")
        raise ApiRefusal(403, "This token cannot upload returns")
    if year not in returns.collection_years(kind):
        years = ", ".join(f"{y - 1} to {y}" for y in returns.collection_years(kind))
        raise ApiRefusal(400, f"The {kind} return can be checked for these years: {years}")
    # Django's uploaded files (a name and chunks()) are what the upload form gives start_upload.
    try:
        upload = returns.start_upload(
            organisation=council,
            user=request.user,
            kind=kind,
            year=year,
            current=files,  # type: ignore[arg-type]
            previous=previous or [],  # type: ignore[arg-type]
            providers=providers or [],  # type: ignore[arg-type]
        )
    except ValidationError as problem:
        audit.record(
            request,
            audit.Action.UPLOAD,
            object_type="returns.Upload",
            object_repr=f"Refused upload of {council}'s {kind} return (API)",
            organisation_id=council.pk,
            detail={
                "refused": " ".join(problem.messages),
                "files": [f.name for f in [*files, *(providers or [])]],
            },
        )
        status = (
            503
            if isinstance(problem, FileStorageUnavailable)
            else 413
            if "too large" in " ".join(problem.messages).lower()
            else 400
        )
        raise ApiRefusal(status, " ".join(problem.messages)) from None
    audit.record(
        request,
        audit.Action.UPLOAD,
        upload,
        detail={
            "files": upload.file_names,
            "bytes": upload.size_bytes,
            "provider_lists": upload.provider_file_names,
            "via": "API",
        },
    )
    return Status(202, returns.progress(upload))


@api.get(
    "/returns/{upload_id}", response={200: UploadOut, **ERRORS}, summary="An upload's progress"
)
def upload_progress(request: HttpRequest, upload_id: int) -> dict[str, object]:
    needs(request, Scope.READ_RETURNS)
    upload = returns.visible_upload(request, upload_id)
    if upload.status in ("accepted", "rejected", "failed"):
        audit.record(request, audit.Action.VIEW, upload, detail={"via": "API", "page": "progress"})
    return returns.progress(upload)


@api.get(
    "/returns/{upload_id}/findings",
    response={200: list[dict[str, object]], 202: Problem, **ERRORS},
    summary="What the checks found",
    description=(
        "One row a finding with the council's own child ids. `format`: `json` (default), `csv` "
        "or `xlsx`. The Excel workbook is prepared in the background: a 202 means ask again soon."
    ),
)
def upload_findings(
    request: HttpRequest, upload_id: int, format: Query[Literal["json", "csv", "xlsx"]] = "json"
) -> object:
    needs(request, Scope.READ_RETURNS)
    upload = returns.visible_upload(request, upload_id, Action.EXPORT)
    if upload.status != "accepted":
        raise ApiRefusal(404, "This upload has no findings: it was not accepted")
    name = f"{upload.organisation.slug}-{upload.kind}-{upload.year}-upload-{upload.pk}-findings"
    if format == "xlsx":
        path = returns.findings_workbook_path(upload)
        if path is None:
            return Status(
                202, {"detail": "The workbook is being prepared: ask again in a few seconds"}
            )
        audit.record(
            request, audit.Action.DOWNLOAD, upload, detail={"file": f"{name}.xlsx", "via": "API"}
        )
        return xlsx_file_response(path, f"{name}.xlsx")
    frame = returns.own_findings(upload)
    audit.record(
        request,
        audit.Action.DOWNLOAD,
        upload,
        detail={"file": f"{name}.{format}", "rows": frame.height, "via": "API"},
    )
    if format == "csv":
        return frame_csv_response(f"{name}.csv", _flat(frame))
    return _flat(frame).to_dicts()


def _flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Nested columns (a finding's field values) as JSON text, so CSV can hold them too."""
    if frame.is_empty():
        return frame
    nested = [n for n, t in frame.schema.items() if t.is_nested()]
    return frame.with_columns(pl.col(n).map_elements(_json, return_dtype=pl.String) for n in nested)


def _json(value: object) -> str:
    return json.dumps(value, default=str)


@api.get(
    "/indicators",
    response={200: list[IndicatorOut], **ERRORS},
    summary="The council's indicators from its accepted returns, by year",
)
def indicators(request: HttpRequest, kind: Query[Kind]) -> list[dict[str, object]]:
    needs(request, Scope.READ_INDICATORS)
    council = _council(request)
    rows = returns.own_indicator_history(council, kind)
    audit.record(
        request,
        audit.Action.VIEW,
        council,
        object_repr=f"{council}'s {kind} indicators (API)",
        detail={"via": "API", "kind": kind, "rows": len(rows)},
    )
    return rows


class AggregateCell(Schema):
    table: str
    council: str
    category: str
    count: str
    suppressed: str


class AggregatesOut(Schema):
    kind: str
    year: int
    councils: int
    cells: list[AggregateCell]


@api.get(
    "/aggregates",
    response={200: AggregatesOut, **ERRORS},
    summary="Aggregate figures, small numbers suppressed",
    description=(
        "The aggregates page's tables, one cell a line, for the councils the token's role "
        "reaches: a council analyst its own council, an alliance lead the councils sharing "
        "with its alliance, a DfE analyst every council. Each count is the text the page shows: "
        "a number, `<5` (a count from 1 to 4) or `[c]` (hidden so that a small number cannot "
        "be worked out from the totals), never the count behind it. `year` is the year of 31 "
        "March. `format`: `json` (default) or `csv`."
    ),
)
def aggregates(
    request: HttpRequest,
    kind: Query[Kind],
    year: Query[int],
    format: Query[Literal["json", "csv"]] = "json",
) -> object:
    needs(request, Scope.READ_AGGREGATES)
    action = Action.EXPORT if format == "csv" else Action.VIEW
    if not can(request.user, Area.AGGREGATES, action):
        _audit_refusal(request, "aggregates are not open to this token's role")
        raise ApiRefusal(403, "This token's role cannot read aggregate figures")
    if not 2018 <= year <= 2100:
        raise ApiRefusal(400, "Give the collection year as the year of 31 March, for example 2026")
    tables, uploads = returns.aggregate_tables(request.user, kind, year)
    cells = returns.aggregate_cells(tables)
    audit.record(
        request,
        audit.Action.EXPORT if format == "csv" else audit.Action.VIEW,
        object_type="returns.aggregates",
        object_repr=f"Aggregates {kind} {year} (API{', CSV' if format == 'csv' else ''})",
        detail={
            "kind": kind,
            "year": year,
            "councils": [u.organisation_id for u in uploads],
            "via": "API",
        },
    )
    if format == "csv":
        frame = pl.DataFrame(
            cells, schema=dict.fromkeys(AggregateCell.model_fields, pl.String), orient="row"
        )
        return frame_csv_response(f"aggregates-{kind}-{year}.csv", frame)
    return {"kind": kind, "year": year, "councils": len(uploads), "cells": cells}
