"""The national picture's pages. All published data, so public (no sign-in)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import Max, Min, Q
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from markupsafe import Markup

from alliance.access.policy import public
from alliance.common.charts import Series, line_chart
from alliance.common.exports import csv_response
from alliance.common.jinja import in_sentence
from alliance.nationalpicture import services
from alliance.nationalpicture.models import Grade, Indicator, IndicatorValue, Judgement, Source
from alliance.organisations import reference_cache
from alliance.organisations.models import Council, CouncilType, Region

NOT_JUDGED = "not-judged"
# The seeds quote "about 70%" for 2016: the page shows what the data say at this date.
THEN = dt.date(2016, 3, 31)
SORTS = {
    "name": lambda r: r.council.name.lower(),
    "region": lambda r: (r.council.region.name, r.council.name),
    "type": lambda r: (r.council.get_council_type_display(), r.council.name),
    "children": lambda r: (r.council.children_0_17 or 0, r.council.name),
    "dfe": lambda r: r.council.dfe_code,
    "ons": lambda r: r.council.ons_code,
    "grade": lambda r: (r.grade_rank, r.council.name),
    "published": lambda r: (r.judgement.published if r.judgement else dt.date.min, r.council.name),
}
_GRADE_RANK = {g.value: i for i, g in enumerate(Grade)}


@dataclass
class Row:
    council: Council
    judgement: Judgement | None

    @property
    def grade_rank(self) -> int:
        return _GRADE_RANK.get(self.judgement.overall, 9) if self.judgement else 9


def _params(request: HttpRequest) -> dict[str, str]:
    """The GET filters and sort order, as read."""
    params = {
        "q": request.GET.get("q", "").strip()[:100],
        "region": request.GET.get("region", "").strip(),
        "grade": request.GET.get("grade", "").strip(),
        "sort": request.GET.get("sort", "name"),
        "order": "desc" if request.GET.get("order") == "desc" else "asc",
    }
    if params["sort"] not in SORTS:
        params["sort"] = "name"
    return params


def _filtered_rows(params: dict[str, str]) -> list[Row]:
    """The councils the filters ask for, sorted."""
    councils = Council.objects.select_related("region").order_by("name")
    if params["region"]:
        councils = councils.filter(region__code=params["region"])
    if params["q"]:
        q = params["q"]
        councils = councils.filter(
            Q(name__icontains=q)
            | Q(ofsted_name__icontains=q)
            | Q(dfe_code=q)
            | Q(ons_code__iexact=q)
        )
    latest = services.latest_judgements()
    rows = [Row(c, latest.get(c.pk)) for c in councils]
    grade = params["grade"]
    if grade == NOT_JUDGED:
        rows = [r for r in rows if r.judgement is None]
    elif grade in _GRADE_RANK:
        rows = [r for r in rows if r.judgement is not None and r.judgement.overall == grade]
    rows.sort(key=SORTS[params["sort"]], reverse=params["order"] == "desc")
    return rows


def _share_chart(points: list[services.GradeShare]) -> Any:
    return line_chart(
        "Share of councils rated requires improvement or inadequate",
        "Line chart of the percentage of English councils whose most recent Ofsted overall judgement "
        f"was requires improvement or inadequate, every quarter from {points[0].as_at:%B %Y} to "
        f"{points[-1].as_at:%B %Y}. The same figures at 31 March each year are in the table below.",
        [f"{p.as_at:%Y}" if p.as_at.month == 1 else "" for p in points],
        [
            Series(
                "Requires improvement or inadequate (%)",
                [None if p.percent is None else round(p.percent, 1) for p in points],
            )
        ],
        unit="%",
        y_max=100,
    )


@public
def index(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    params = _params(request)
    if params["q"] or params["region"] or params["grade"]:
        body = _index_body(params, today)
    else:
        # the page most visitors open, public figures only and the same for everyone: rendered
        # once a day per reference load (only unfiltered, so what people type keeps no copies)
        body = reference_cache.remembered(
            f"national-picture:{today}:{params['sort']}:{params['order']}",
            lambda: _index_body(params, today),
        )
    return render(
        request,
        "nationalpicture/index.html",
        {"title": "National picture", "body": Markup(body)},  # noqa: S704 - our template's output, escaped as it rendered
    )


def _index_body(params: dict[str, str], today: dt.date) -> str:
    rows = _filtered_rows(params)
    # The quarterly series, then and now, from one read of the judgements.
    points = services.share_over_time(end=today)
    then, now = services.shares_at([THEN, today])
    yearly = [p for p in points if (p.as_at.month, p.as_at.day) == (4, 1)]
    query = {k: v for k, v in params.items() if v and k not in ("sort", "order")}

    def sort_link(column: str) -> str:
        order = "desc" if params["sort"] == column and params["order"] == "asc" else "asc"
        return "?" + urlencode({**query, "sort": column, "order": order})

    context = {
        "rows": rows,
        "params": params,
        "regions": Region.objects.order_by("name"),
        "grades": list(Grade),
        "not_judged": NOT_JUDGED,
        "now": now,
        "then": then,
        "yearly": yearly,
        "chart": _share_chart(points),
        "sort_link": sort_link,
        "csv_link": reverse("national-picture:councils-csv")
        + ("?" + urlencode({**query, "sort": params["sort"], "order": params["order"]})),
        "last_published": services.last_published(),
        "filtered": bool(query),
        "council_types": dict(CouncilType.choices),
    }
    return render_to_string("nationalpicture/index_body.html", context)


CSV_HEADER = [
    "council",
    "dfe_code",
    "ons_code",
    "region",
    "council_type",
    "children_0_17",
    "population_year",
    "framework",
    "inspection_date",
    "publication_date",
    "overall_effectiveness",
    "impact_of_leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
    "source",
]


@public
def councils_csv(request: HttpRequest) -> StreamingHttpResponse:
    """The table as CSV, with the same filters and order as the page."""
    rows = _filtered_rows(_params(request))

    def lines() -> Iterator[list[Any]]:
        for row in rows:
            c, j = row.council, row.judgement
            yield (
                [
                    c.name,
                    c.dfe_code,
                    c.ons_code,
                    c.region.name,
                    c.get_council_type_display(),
                    c.children_0_17 if c.children_0_17 is not None else "",
                    c.population_year or "",
                    j.get_framework_display() if j else "",
                    j.inspection_date.isoformat() if j and j.inspection_date else "",
                    j.published.isoformat() if j else "",
                    j.get_overall_display() if j else "not yet judged",
                    j.get_leaders_display() if j else "",
                    j.get_help_and_protection_display() if j else "",
                    j.get_children_in_care_display() if j else "",
                    j.get_care_leavers_display() if j else "",
                    j.get_source_display() if j else "",
                ]
            )

    return csv_response(
        f"national-picture-{timezone.localdate():%Y-%m-%d}.csv", CSV_HEADER, lines()
    )


def _comparison_chart(comparison: services.Comparison, council: Council) -> Any:
    indicator = comparison.indicator
    unit = "%" if indicator.unit == "%" else ""
    return line_chart(
        indicator.name,
        f"Line chart of {in_sentence(indicator.name)} for {council.name}, the mean of its statistical neighbours, "
        f"{council.region.name} and England, {comparison.periods[0]} to {comparison.periods[-1]}. "
        "Suppressed or unpublished figures leave a gap. The figures are in the table below the chart.",
        comparison.periods,
        [
            Series(council.name, [f.value for f in comparison.council]),
            Series("Statistical neighbours (mean)", [f.value for f in comparison.neighbours]),
            Series(council.region.name, [f.value for f in comparison.region]),
            Series("England", [f.value for f in comparison.england]),
        ],
        unit=unit,
    )


@public
def council_profile(request: HttpRequest, dfe_code: str) -> HttpResponse:
    council = Council.objects.select_related("region").filter(dfe_code=dfe_code).first()
    if council is None:
        return render(
            request,
            "nationalpicture/council_not_found.html",
            {"title": "Council not found", "code": dfe_code[:10]},
            status=404,
        )
    # the profile is public figures only, the same for everyone: rendered once per reference load
    # (its tables and charts were most of the page's processor time)
    body = reference_cache.remembered(
        f"council-profile:{council.pk}", lambda: _council_profile_body(council)
    )
    return render(
        request,
        "nationalpicture/council.html",
        {"title": council.name, "council": council, "body": Markup(body)},  # noqa: S704 - our template's output, escaped as it rendered
    )


def _council_profile_body(council: Council) -> str:
    neighbour_links = list(
        council.neighbour_links.filter(model=services.NEIGHBOUR_MODEL)
        .select_related("neighbour__region")
        .order_by("rank")
    )
    neighbours = [link.neighbour for link in neighbour_links]
    latest = services.latest_judgements()
    comparisons = services.compare(council, neighbours=neighbours)
    charts = [(c, _comparison_chart(c, council)) for c in comparisons if c.periods]
    concerns = services.concerns(council, neighbours=neighbours)
    context = {
        "council": council,
        "latest": latest.get(council.pk),
        "history": services.judgement_history(council),
        "neighbours": [(link, latest.get(link.neighbour_id)) for link in neighbour_links],
        "charts": charts,
        "concerns": concerns[:15],
        "concern_count": len(concerns),
    }
    return render_to_string("nationalpicture/council_body.html", context)


@public
def about_data(request: HttpRequest) -> HttpResponse:
    key = list(Indicator.objects.filter(source="ees").order_by("topic", "name"))
    spans = {
        row["indicator_id"]: (row["first"], row["last"])
        for row in IndicatorValue.objects.filter(indicator__source="ees")
        .values("indicator_id")
        .annotate(first=Min("period"), last=Max("period"))
    }
    context = {
        "title": "About the data",
        "sources": list(Source),
        "last_published": services.last_published(),
        "key_indicators": [(i, spans.get(i.pk, ("", ""))) for i in key],
        "lait_count": Indicator.objects.filter(source="lait").count(),
        "lait_latest": IndicatorValue.objects.filter(indicator__source="lait")
        .aggregate(latest=Max("period_sort"))
        .get("latest"),
    }
    return render(request, "nationalpicture/about_data.html", context)
