"""The performance page's figures: the council's own indicators over the years it uploaded, beside
its statistical neighbours and England where the DfE publishes the same measure, with a chart and
a plain-English note of what moved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from alliance.common.charts import Series, bar_chart, line_chart
from alliance.nationalpicture.services import compare, neighbours_of
from alliance.organisations.models import Council, Organisation
from alliance.returns.services.stored_returns import indicator_history

# Our computed indicator (by key) -> the published measure the national picture holds for it.
PUBLISHED = {
    "rate-per-10000-children-aged-0-17": "ees-cla-rate",
    "looked-after-at-31-march-with-3-or-more-placements-in-the-year": "ees-placements-3plus",
    "long-term-stability-under-16-looked-after-25-years-same-placement-2-years": "ees-placement-long-term",
    "care-leavers-17-18-in-education-employment-or-training": "ees-care-leavers-eet-17-18",
    "care-leavers-19-21-in-education-employment-or-training": "ees-care-leavers-eet-19-21",
    "care-leavers-17-18-in-suitable-accommodation": "ees-care-leavers-suitable-17-18",
    "care-leavers-19-21-in-suitable-accommodation": "ees-care-leavers-suitable-19-21",
    "re-referrals-within-12-months-of-referrals": "ees-rereferrals",
    "plans-starting-in-the-year-that-are-a-second-or-subsequent-plan": "ees-repeat-cp-plans",
}
# The indicators shown first (headline measures); the rest follow in a table.
HEADLINE = re.compile(
    r"^(children-looked-after-at-31-march|rate-per|looked-after-at-31-march-with-3|long-term|"
    r"children-looked-after-in-the-year-who-went-missing|care-leavers-1|children-adopted|"
    r"referrals-per|re-referrals|children-in-need-per|children-on-a-child-protection-plan-per|"
    r"plans-starting-in-the-year-that|assessments-completed-within)"
)


@dataclass
class Line:
    key: str
    label: str
    unit: str
    years: list[int]
    values: list[float | None]
    england: list[float | None] = field(default_factory=list)
    neighbours: list[float | None] = field(default_factory=list)
    published_code: str = ""
    note: str = ""
    chart: Markup | None = None

    @property
    def periods(self) -> list[str]:
        return [f"{y - 1} to {str(y)[2:]}" for y in self.years]


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "not available"
    shown = f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"
    return f"{shown}%" if "%" in unit or unit == "percent" else shown


def note(line: Line) -> str:
    """'Rose from 310 to 342 (up 32, 10.3%) between 2023 to 24 and 2024 to 25.'"""
    known = [(p, v) for p, v in zip(line.periods, line.values, strict=True) if v is not None]
    if len(known) < 2:
        if known:
            return f"{_fmt(known[0][1], line.unit)} in {known[0][0]}: upload another year to see how it moved."
        return "Not available from the records uploaded."
    (p0, v0), (p1, v1) = known[-2], known[-1]
    change = v1 - v0
    if abs(change) < 1e-9:
        return f"Unchanged at {_fmt(v1, line.unit)} between {p0} and {p1}."
    verb = "Rose" if change > 0 else "Fell"
    percent_points = "%" in line.unit or line.unit == "percent"
    size = (
        f"{abs(change):,.1f} percentage points"
        if percent_points
        else _fmt(abs(round(change, 1)), "")
    )
    relative = f", {abs(change) / abs(v0) * 100:,.1f}%" if v0 and not percent_points else ""
    return f"{verb} from {_fmt(v0, line.unit)} to {_fmt(v1, line.unit)} ({'up' if change > 0 else 'down'} {size}{relative}) between {p0} and {p1}."


def _published(
    council: Council, codes: list[str], years: list[int]
) -> dict[str, tuple[list[float | None], list[float | None], list[tuple[str, float | None]]]]:
    """For each published code: England and neighbours' mean for our years, and each neighbour's
    latest value. Empty when the national picture is not loaded."""
    out: dict[str, Any] = {}
    if not codes:
        return out
    neighbours = neighbours_of(council)
    for comparison in compare(council, codes, neighbours=neighbours):
        by_end_year: dict[int, int] = {}
        for i, period in enumerate(comparison.periods):
            found = re.findall(r"(\d{4})", period)
            if found:
                end = (
                    int(found[-1])
                    if len(found[-1]) == 4 and len(found) > 1
                    else int(found[0]) + (1 if "/" in period or " to " in period else 0)
                )
                by_end_year[end] = i
        england = [
            comparison.england[by_end_year[y]].value if y in by_end_year else None for y in years
        ]
        mean = [
            comparison.neighbours[by_end_year[y]].value if y in by_end_year else None for y in years
        ]
        out[comparison.indicator.code] = (england, mean, [])
    return out


def report(organisation: Organisation, kind: str) -> dict[str, Any]:
    rows = indicator_history(organisation, kind)
    council = Council.objects.filter(organisation=organisation).select_related("region").first()
    years = sorted({r["year"] for r in rows})
    by_key: dict[str, Line] = {}
    for r in rows:
        line = by_key.setdefault(
            r["indicator"],
            Line(r["indicator"], r["label"], r["unit"] or "", years, [None] * len(years)),
        )
        line.values[years.index(r["year"])] = r["value"]
    lines = list(by_key.values())
    published = (
        _published(council, [PUBLISHED[k] for k in by_key if k in PUBLISHED], years)
        if council
        else {}
    )
    for line in lines:
        code = PUBLISHED.get(line.key, "")
        if code in published:
            line.published_code = code
            line.england, line.neighbours, _ = published[code]
        line.note = note(line)
    headline = [ln for ln in lines if HEADLINE.match(ln.key)]
    for line in headline:
        series = [Series(organisation.name, line.values)]
        if any(v is not None for v in line.neighbours):
            series.append(Series("Statistical neighbours (mean, published)", line.neighbours))
        if any(v is not None for v in line.england):
            series.append(Series("England (published)", line.england))
        unit = "%" if "%" in line.unit or "(%)" in line.label else ""
        if len(years) > 1:
            line.chart = line_chart(
                line.label, f"{line.label}: {line.note}", line.periods, series, unit=unit
            )
        else:
            names = [s.name for s in series]
            line.chart = bar_chart(
                line.label,
                f"{line.label} in {line.periods[-1]}",
                names,
                [s.values[-1] for s in series],
                unit=unit,
            )
    return {
        "years": years,
        "periods": [f"{y - 1} to {str(y)[2:]}" for y in years],
        "headline": headline,
        "others": [ln for ln in lines if not HEADLINE.match(ln.key)],
        "council": council,
    }
