"""Insight pages. Judgements are public data about councils, so these pages need no sign-in."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import public
from alliance.common.charts import Series, line_chart
from alliance.evidence import figures
from insight.judgements import GRADES
from insight.transitions import FRAMEWORK_PAIRS, change_label

YEARS_SHOWN = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
REGION_YEARS = (2.0, 4.0, 6.0)
STARTS = ("inadequate", "requires-improvement", "any")
FRAMEWORKS = ("sif", "ilacs", "all")


@public
def improvement(request: HttpRequest) -> HttpResponse:
    """Improvement across the country: transitions and time to good or better."""
    stored = figures.current()
    if stored is None:
        return render(request, "evidence/not_computed.html", status=503)
    counts = {
        (t.from_framework, t.to_framework, t.from_judgement, t.to_judgement): t.count
        for t in stored.transitions
    }
    tables = [
        {
            "label": change_label(start, end),
            "rows": [(a, [counts.get((start, end, a, b), 0) for b in GRADES]) for a in GRADES],
        }
        for start, end in FRAMEWORK_PAIRS
    ]
    wanted = {(e.start_judgement, e.framework, e.years): e for e in stored.by_framework}
    survival: list[dict[str, Any]] = [
        {
            "start": start,
            "framework": framework,
            "rows": [
                wanted[(start, framework, y)]
                for y in YEARS_SHOWN
                if (start, framework, y) in wanted
            ],
        }
        for start in STARTS
        for framework in FRAMEWORKS
    ]
    for group in survival:
        if group["framework"] != "all" or not group["rows"]:
            continue
        rows = group["rows"]
        group["chart"] = line_chart(
            f"Judged good or better: starting at {_start_label(group['start'])}",
            "Estimated percentage judged good or better by years since the spell started, "
            "with the lower and upper ends of the 95% interval. The table below gives the figures.",
            [f"{r.years:g}" for r in rows],
            [
                Series("Estimate", [100 * r.share_good_or_better for r in rows]),
                Series("Lower 95%", [100 * r.lower95 for r in rows]),
                Series("Upper 95%", [100 * r.upper95 for r in rows]),
            ],
            unit="%",
            y_max=100,
        )
    by_region = {(e.start_judgement, e.region, e.years): e for e in stored.by_region}
    regions = sorted({e.region for e in stored.by_region})
    region_rows = [
        (region, [by_region.get(("any", region, y)) for y in REGION_YEARS]) for region in regions
    ]
    return render(
        request,
        "evidence/improvement.html",
        {
            "figures": stored,
            "grades": GRADES,
            "tables": tables,
            "survival": [s for s in survival if s["rows"]],
            "region_years": REGION_YEARS,
            "region_rows": region_rows,
        },
    )


def _start_label(start: str) -> str:
    return "either judgement" if start == "any" else start.replace("-", " ")


@public
def measures(request: HttpRequest) -> HttpResponse:
    """Which published measures moved before improvement: associations, not causes."""
    stored = figures.current()
    if stored is None:
        return render(request, "evidence/not_computed.html", status=503)
    rows = [
        {**asdict(a), "lower95": _finite(a.lower95), "upper95": _finite(a.upper95)}
        for a in stored.associations
    ]
    return render(request, "evidence/measures.html", {"figures": stored, "associations": rows})


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
