"""The programme at a glance: one page for DfE analysts and service administrators with every
alliance (and its download); an alliance lead sees the same page for their own alliance."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from alliance.access.policy import Action, Area, can, guard, visible_to
from alliance.audit import services as audit
from alliance.common.exports import csv_response
from alliance.common.query_values import whole_number
from alliance.programme.models import Partner, Programme
from alliance.programme.services.dfe_view import glance_rows, programme_at_a_glance
from alliance.programme.views.shared import _today


def _programmes(partners: list[int] | None) -> QuerySet[Programme]:
    """The programmes the person's partners take part in (`partners` None: every programme)."""
    programmes = Programme.objects.all()
    if partners is not None:
        programmes = programmes.filter(partners__in=partners).distinct()
    return programmes.order_by("-starts", "-pk")


def _programme(request: HttpRequest, programmes: QuerySet[Programme]) -> Programme | None:
    """The programme asked for, or the newest, among `programmes`."""
    chosen = whole_number(request.GET.get("programme", ""))
    if chosen is not None:
        found = programmes.filter(pk=chosen).first()
        if found is not None:
            return found
    return programmes.first()


def _page(request: HttpRequest, area: Area, *, everyone: bool) -> HttpResponse:
    partners = visible_to(request.user, Partner.objects.all(), area, via="alliance")
    programmes = _programmes(None if everyone else list(partners.values_list("pk", flat=True)))
    programme = _programme(request, programmes)
    glance = programme_at_a_glance(programme, partners, _today()) if programme else None
    return render(
        request,
        "programme/dfe_view.html",
        {
            "title": "The programme at a glance",
            "glance": glance,
            "programme": programme,
            "programmes": list(programmes),
            "everyone": everyone,
            "may_export": can(request.user, area, Action.EXPORT),
            "download": "programme:dfe-view-csv" if everyone else "programme:alliance-view-csv",
        },
    )


@guard(Area.PROGRAMME_SETUP)
def dfe_view(request: HttpRequest) -> HttpResponse:
    """Every alliance in the programme: for the DfE and the service's administrators."""
    return _page(request, Area.PROGRAMME_SETUP, everyone=True)


@guard(Area.PROGRAMME)
def alliance_view(request: HttpRequest) -> HttpResponse:
    """The same page for the alliances the person may see in the programme (a lead's own)."""
    return _page(request, Area.PROGRAMME, everyone=False)


def _download(request: HttpRequest, partners: QuerySet[Partner]) -> HttpResponseBase:
    """The glance of the newest (or chosen) programme among `partners`', by alliance and
    quarter, audited as an export."""
    programme = _programme(request, _programmes(list(partners.values_list("pk", flat=True))))
    header: list[str] | None = None
    rows: list[list[object]] = []
    if programme is not None:
        header, rows = glance_rows(programme_at_a_glance(programme, partners, _today()))
    audit.record(
        request,
        audit.Action.EXPORT,
        object_type="programme.Partner",
        detail={"programme": programme.pk if programme else None, "rows": len(rows)},
    )
    return csv_response("programme-at-a-glance.csv", header, rows)


@guard(Area.PROGRAMME_SETUP, Action.EXPORT)
def dfe_view_csv(request: HttpRequest) -> HttpResponseBase:
    """Every alliance's glance: for DfE analysts and the service's administrators."""
    return _download(request, Partner.objects.all())


@guard(Area.PROGRAMME, Action.EXPORT)
def alliance_view_csv(request: HttpRequest) -> HttpResponseBase:
    """The glance for the alliances the person may export in the programme (a lead's own)."""
    return _download(
        request,
        visible_to(
            request.user, Partner.objects.all(), Area.PROGRAMME, Action.EXPORT, via="alliance"
        ),
    )
