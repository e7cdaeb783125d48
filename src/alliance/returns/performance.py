"""The performance page's figures: the council's own indicators over the years it uploaded, beside
its statistical neighbours and England where the DfE publishes the same measure, with a chart and
a plain-English note of what moved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from alliance.common.charts import Series, bar_chart, line_chart
from alliance.nationalpicture.interface import compare, neighbours_of
from alliance.organisations.models import Council, Organisation
from alliance.returns.services.stored_returns import indicator_history

# The indicators shown first (headline measures), by code; the rest follow in a table. Each
# row's published measure (statutory.<return>.indicator_codes) sets it beside England and the
# statistical neighbours.
HEADLINE = frozenset(
    {
        "cla_at_31_march",
        "cla_rate_per_10000",
        "placements_3_or_more",
        "placement_stability_long_term",
        "missing_children",
        "care_leavers_17_18_eet",
        "care_leavers_17_18_suitable_accommodation",
        "care_leavers_17_18_in_touch",
        "care_leavers_19_21_eet",
        "care_leavers_19_21_suitable_accommodation",
        "care_leavers_19_21_in_touch",
        "adopted",
        "referrals_rate_per_10000",
        "rereferrals",
        "cin_rate_per_10000",
        "cpp_rate_per_10000",
        "cpp_starts_repeat",
        "assessments_within_45_days",
    }
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
            r["code"],
            Line(r["code"], r["label"], r["unit"] or "", years, [None] * len(years)),
        )
        line.published_code = r["published"]
        line.values[years.index(r["year"])] = r["value"]
    lines = list(by_key.values())
    published = (
        _published(council, [ln.published_code for ln in lines if ln.published_code], years)
        if council
        else {}
    )
    for line in lines:
        if line.published_code in published:
            line.england, line.neighbours, _ = published[line.published_code]
        else:
            line.published_code = ""
        line.note = note(line)
    headline = [ln for ln in lines if ln.key in HEADLINE]
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
        "others": [ln for ln in lines if ln.key not in HEADLINE],
        "council": council,
    }
