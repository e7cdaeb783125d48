"""Advisers' outcomes page and its CSV download."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from alliance.access.policy import Action, Area, guard
from alliance.audit import services as audit
from alliance.common.charts import Series, line_chart
from alliance.common.exports import csv_response
from alliance.organisations.models import Organisation
from alliance.workplace import figures, pipeline
from alliance.workplace.models import Opportunity, Referral, YoungPerson
from alliance.workplace.views.shared import adviser_council

# The figures, not the records: advisers, and the council's leaders and analysts.
FIGURES = Area.WORKPLACE_FIGURES


@guard(FIGURES)
def outcomes(request: HttpRequest) -> HttpResponse:
    council = adviser_council(request, Action.VIEW, FIGURES)
    data = _outcomes(request, council)
    return render(request, "workplace/outcomes.html", {"title": "Outcomes", **data})


def _outcomes(request: HttpRequest, council: Organisation) -> dict[str, Any]:
    ours = figures.eet_by_year(council)
    national = figures.national_comparison(council)
    has_returns, returns = figures.returns_history(council)
    bands: list[dict[str, Any]] = []
    for band, *_ in figures.AGE_BANDS:
        comparison = national.get(band)
        years: set[int] = set(ours[band]) | set(returns.get(band, {}))
        published: dict[int, tuple[Any, Any, Any]] = {}
        if comparison is not None:
            for i, period in enumerate(comparison.periods):
                year = _period_year(period)
                if year is not None:
                    published[year] = (
                        comparison.council[i],
                        comparison.neighbours[i],
                        comparison.england[i],
                    )
                    years.add(year)
        rows: list[dict[str, Any]] = []
        for year in sorted(years):
            share = ours[band].get(year)
            pub = published.get(year)
            rows.append(
                {
                    "year": year,
                    "label": figures.year_label(year),
                    "workplace": share.percent if share else None,
                    "workplace_n": f"{share.numerator} of {share.denominator}" if share else "",
                    "returns": returns.get(band, {}).get(year),
                    "published": pub[0].value if pub else None,
                    "neighbours": pub[1].value if pub else None,
                    "england": pub[2].value if pub else None,
                }
            )
        series = [
            Series("WorkPlace records", [r["workplace"] for r in rows]),
            Series(f"{council.name} (published)", [r["published"] for r in rows]),
            Series("Statistical neighbours (mean)", [r["neighbours"] for r in rows]),
            Series("England", [r["england"] for r in rows]),
        ]
        if has_returns:
            series.insert(1, Series("Council's SSDA903 returns", [r["returns"] for r in rows]))
        chart = (
            line_chart(
                f"Care leavers aged {band.replace('-', ' to ')} in education, employment or training",
                "Percentage by collection year: WorkPlace's own records beside the published "
                "figures for the council, its statistical neighbours and England",
                [r["label"] for r in rows],
                series,
                unit="%",
            )
            if rows
            else None
        )
        bands.append({"band": band, "rows": rows, "chart": chart})
    # the one council's figures, even for someone who reaches several
    opportunities = Opportunity.objects.filter(council=council)
    return {
        "council": council,
        "bands": bands,
        "now": figures.eet_now(YoungPerson.objects.filter(organisation=council)),
        "has_returns": has_returns,
        "employers": figures.by_employer(opportunities),
        "pipeline": pipeline.pipeline_counts(Referral.objects.filter(organisation=council)),
    }


def _period_year(period: str) -> int | None:
    """'2024' or '2023/24' or '2023-24' → the collection year's end (2024)."""
    digits = period.replace("-", "/").split("/")
    try:
        first = int(digits[0][:4])
    except ValueError:
        return None
    if len(digits) > 1 and digits[1]:
        return first + 1
    return first


UNSUPPRESSED_NOTE = (
    "Unsuppressed management information for the council's own staff: small numbers are not "
    "hidden, so do not publish or share these figures outside the council."
)


@guard(FIGURES, Action.EXPORT)
def outcomes_csv(request: HttpRequest) -> HttpResponseBase:
    council = adviser_council(request, Action.EXPORT, FIGURES)
    data = _outcomes(request, council)
    rows: list[list[Any]] = []
    rows.append(
        [
            "age_band",
            "collection_year",
            "workplace_eet_percent",
            "workplace_count",
            "council_ssda903_eet_percent",
            "council_published_eet_percent",
            "statistical_neighbours_mean_percent",
            "england_percent",
        ]
    )
    for band in data["bands"]:
        for r in band["rows"]:
            rows.append(
                [
                    band["band"],
                    r["label"],
                    "" if r["workplace"] is None else r["workplace"],
                    r["workplace_n"],
                    "" if r["returns"] is None else r["returns"],
                    "" if r["published"] is None else r["published"],
                    "" if r["neighbours"] is None else r["neighbours"],
                    "" if r["england"] is None else r["england"],
                ]
            )
    rows.append([])
    rows.append(
        [
            "employer",
            "opportunities",
            "places",
            "started",
            "sustained_3_months",
            "sustained_6_months",
        ]
    )
    for e in data["employers"]:
        rows.append(
            [e.employer, e.opportunities, e.places, e.started, e.sustained_3, e.sustained_6]
        )
    rows.append([])
    rows.append([UNSUPPRESSED_NOTE])
    audit.record(
        request, audit.Action.EXPORT, object_type="workplace.Outcomes", organisation_id=council.pk
    )
    return csv_response("workplace-outcomes-unsuppressed.csv", None, rows)
