"""Insight pages. Judgements are public data about councils, so these pages need no sign-in."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import public
from alliance.evidence import figures
from insight.judgements import GRADES
from insight.transitions import FRAMEWORK_PAIRS, change_label

YEARS_SHOWN = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0)
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
    survival = [
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
    return render(
        request,
        "evidence/improvement.html",
        {
            "figures": stored,
            "grades": GRADES,
            "tables": tables,
            "survival": [s for s in survival if s["rows"]],
        },
    )
