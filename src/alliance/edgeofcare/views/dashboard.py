"""The dashboard and the evaluation (Area.EDGE_OF_CARE_FIGURES): figures only, no family's
details, for the council's leaders and analysts and the practitioners who run the service."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils import timezone

from alliance.access.policy import Action, Area, belongs_to, guard, scope
from alliance.audit import services as audit
from alliance.common.charts import Series, bar_chart, line_chart
from alliance.common.exports import csv_response
from alliance.common.query_values import whole_number
from alliance.edgeofcare import effect, figures, figures_shown
from alliance.edgeofcare.models import Referral
from alliance.organisations.models import Organisation

# ---------------------------------------------------------------- insight (no family details)


def _insight_council(request: HttpRequest) -> Organisation | None:
    """The council the dashboard is about: ?council=<id> among those the person reaches, or
    the first that runs the service."""
    s = scope(request.user, Area.EDGE_OF_CARE_FIGURES)
    qs = Organisation.objects.filter(
        Exists(Referral.objects.filter(organisation=OuterRef("pk"))),
        kind=Organisation.Kind.COUNCIL,
    )
    if not s.everything:
        qs = qs.filter(pk__in=s.organisation_ids)
    wanted = whole_number(request.GET.get("council", ""))
    if wanted is not None:
        found = qs.filter(pk=wanted).first()
        if found:
            return found
    return qs.order_by("name").first()


@guard(Area.EDGE_OF_CARE_FIGURES)
def dashboard(request: HttpRequest) -> HttpResponseBase:
    council = _insight_council(request)
    if council is None:
        return render(
            request,
            "edgeofcare/dashboard.html",
            {"title": "Edge of Care dashboard", "council": None},
        )
    # Every figure is a bounded number of grouped queries (no per-row work), and the rolling
    # ones cover the last twelve months, so the page costs the same after five years as after one.
    referrals = Referral.objects.filter(organisation=council)
    now = timezone.now()
    since = figures.last_twelve_months(now)
    monthly = figures.monthly_referrals(referrals)
    targets = figures.target_figures(referrals, now, since)
    in_use = figures.services_in_use([council.pk])
    outcomes = figures.outcome_figures(council)
    closures = figures.closure_figures(referrals, since)
    # small numbers hidden from anyone who is not the council's own staff (a lead, the DfE)
    shown = figures_shown.shown(
        hide=not belongs_to(request.user, council.pk),
        monthly=monthly,
        targets=targets,
        in_use=in_use,
        outcomes=outcomes,
        closures=closures,
    )
    if request.GET.get("format") == "csv":
        audit.record(
            request,
            audit.Action.EXPORT,
            object_type="edgeofcare.Dashboard",
            object_repr=f"Edge of Care figures, {council}",
            organisation_id=council.pk,
        )
        rows: list[list[Any]] = []
        for label, text in shown.monthly:
            rows.append(["referrals", label, text])
        for t in shown.targets:
            rows.append(["first contacts on time, last 12 months", t["urgency"], t["met"]])
            rows.append(["first contacts late, last 12 months", t["urgency"], t["missed"]])
            rows.append(["waiting and overdue", t["urgency"], t["waiting_overdue"]])
        for row in shown.in_use:
            rows.append(["families with service", row["service"].name, row["active"]])
            rows.append(["families waiting", row["service"].name, row["waiting"]])
        for o in shown.outcomes:
            for k in figures_shown.OUTCOME_COUNTS:
                rows.append([f"outcome {k}", f"{o['months']} months", o[k]])
        for label, text in shown.closures:
            rows.append(["cases closed in the last 12 months", label, text])
        return csv_response(f"edge-of-care-{council.slug}.csv", ["measure", "group", "value"], rows)
    chart = (
        None
        if shown.hidden
        else line_chart(
            "Referrals each month",
            f"Referrals to Edge of Care in {council} over the last 12 months",
            [m[:3] + " " + m[-2:] for m, _ in monthly],  # "Dec 25": room for twelve on the axis
            [Series("Referrals", [float(n) for _, n in monthly])],
        )
    )
    services_chart = (
        None
        if shown.hidden
        else bar_chart(
            "Families working with each service",
            "Families each service is working with now",
            [row["service"].name for row in in_use],
            [float(row["active"]) for row in in_use],
        )
    )
    return render(
        request,
        "edgeofcare/dashboard.html",
        {
            "title": "Edge of Care dashboard",
            "council": council,
            "small_numbers_hidden": shown.hidden,
            "monthly": shown.monthly,
            "chart": chart,
            "services_chart": services_chart,
            "targets": shown.targets,
            "in_use": shown.in_use,
            "outcomes": shown.outcomes,
            "closures": shown.closures,
            "total": figures_shown.one(referrals.count(), shown.hidden),
            "headline": effect.headline(council),
        },
    )


@guard(Area.EDGE_OF_CARE_FIGURES)
def evaluation(request: HttpRequest) -> HttpResponse:
    council = _insight_council(request)
    years: list[int] = []
    result = None
    costs = None
    year = None
    if council is not None:
        years = effect.referral_years(council)
        wanted = whole_number(request.GET.get("year", ""))
        year = wanted if wanted is not None and wanted in years else effect.default_year(years)
        if year is not None:
            found = effect.estimate(council, year)
            result, costs = found.outcome, found.costs
    return render(
        request,
        "edgeofcare/evaluation.html",
        {
            "title": "Does Edge of Care keep children out of care?",
            "council": council,
            "years": years,
            "year": year,
            "outcome": result,
            "costs": costs,
            "can_edit_costs": council is not None
            and scope(request.user, Area.EDGE_OF_CARE, Action.CHANGE).includes(council.pk),
        },
    )
