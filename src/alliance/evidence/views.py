"""Insight pages. Judgements are public data about councils, so the improvement and measures pages
need no sign-in. The pages that use the programme's records (which councils were supported, and
the programme's spend) are for DfE analysts and administrators, and every view of them is
audited."""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import Area, can, guard, public
from alliance.audit import services as audit
from alliance.common.charts import Series, line_chart
from alliance.common.exports import xlsx_response
from alliance.evidence import briefing as briefing_sections
from alliance.evidence import comparisons, figures
from alliance.programme import interface as programme
from insight import support as support_method
from insight.judgements import GRADES
from insight.transitions import FRAMEWORK_PAIRS, change_label
from statutory.engine.cells import write_row

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
            "for_dfe": can(request.user, Area.PROGRAMME_SETUP),
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


def _audit(request: HttpRequest, page: str, action: str = audit.Action.VIEW) -> None:
    audit.record(request, action, object_type="insight page", object_repr=page)


@guard(Area.PROGRAMME_SETUP)
def support(request: HttpRequest) -> HttpResponse:
    """Did support work? Supported councils against matched councils that were not supported."""
    stored = figures.current()
    if stored is None:
        return render(request, "evidence/not_computed.html", status=503)
    _audit(request, "Did support work?")
    return render(
        request,
        "evidence/support.html",
        {
            "figures": stored,
            "evidence": comparisons.support_evidence(stored, request.user),
            "method": support_method,
            "finite": comparisons.finite,
            "source": comparisons.source_note(stored),
        },
    )


@guard(Area.PROGRAMME_SETUP)
def practice(request: HttpRequest) -> HttpResponse:
    """Practice that worked: each practice item, the engagements that used it and what moved."""
    stored = figures.current()
    if stored is None:
        return render(request, "evidence/not_computed.html", status=503)
    _audit(request, "Practice that worked")
    items = [
        {"item": item, "movements": comparisons.movements(stored, item.engagements)}
        for item in programme.practice_items(request.user)
    ]
    return render(
        request,
        "evidence/practice.html",
        {"figures": stored, "items": items, "source": comparisons.source_note(stored)},
    )


@guard(Area.PROGRAMME_SETUP)
def briefing(request: HttpRequest) -> HttpResponse:
    """A briefing for ministers, laid out to print (or save as PDF) from the browser."""
    stored = figures.current()
    if stored is None:
        return render(request, "evidence/not_computed.html", status=503)
    today = comparisons.today()
    _audit(request, "Briefing for ministers")
    return render(
        request,
        "evidence/briefing.html",
        {
            "briefing_sections": briefing_sections.sections(stored, today, request.user),
            "today": today,
        },
    )


@guard(Area.PROGRAMME_SETUP)
def briefing_download(request: HttpRequest) -> HttpResponse:
    """The same briefing as an Excel workbook: one sheet, each section with its source and date."""
    stored = figures.current()
    if stored is None:
        return render(request, "evidence/not_computed.html", status=503)
    today = comparisons.today()
    sections = briefing_sections.sections(stored, today, request.user)
    _audit(request, "Briefing for ministers (Excel)", audit.Action.DOWNLOAD)

    def build(book: Any) -> None:
        sheet = book.add_worksheet("Briefing")
        bold = book.add_format({"bold": True})
        heading = book.add_format({"bold": True, "font_size": 14})
        row = 0
        write_row(
            sheet, row, 0, ["Briefing for ministers: children's services improvement"], heading
        )
        row += 1
        write_row(sheet, row, 0, [f"Prepared on {today.day} {today:%B %Y}"])
        row += 2
        for section in sections:
            write_row(sheet, row, 0, [section.title], heading)
            write_row(sheet, row + 1, 0, [f"Source: {section.source}"])
            write_row(sheet, row + 2, 0, [f"As at: {section.as_at}"])
            row += 3
            write_row(sheet, row, 0, section.header, bold)
            row += 1
            for values in section.rows:
                write_row(sheet, row, 0, values)
                row += 1
            for note in section.notes:
                write_row(sheet, row, 0, [note])
                row += 1
            row += 1
        sheet.set_column(0, 0, 48)
        sheet.set_column(1, 6, 22)

    return xlsx_response(f"insight-briefing-{today.isoformat()}.xlsx", build)  # type: ignore[return-value]
