"""The performance page's figures: the council's own indicators over the years it uploaded, beside
its statistical neighbours and England where the DfE publishes the same measure, with a chart and
a plain-English note of what moved."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from alliance.common.charts import Series, bar_chart, line_chart
from alliance.nationalpicture.interface import IndicatorValue, compare, neighbours_of
from alliance.organisations import reference_cache
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
    region: list[float | None] = field(default_factory=list)
    published_code: str = ""
    note: str = ""
    # 'This is far outside …; check the return.' when the latest figure cannot be right
    warnings: list[str] = field(default_factory=list)
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


def _end_year(period: str) -> int | None:
    """The collection year (ending March) a published period label is for: '2025', '2024-25',
    '2024/25' and '2024 to 2025' are all 2025."""
    found = re.findall(r"(\d{4})", period)
    if not found:
        return None
    if len(found) > 1:
        return int(found[-1])
    short_end = "-" in period or "/" in period or " to " in period
    return int(found[0]) + (1 if short_end else 0)


@dataclass
class Published:
    """A published measure for the council's years: England's, its region's and its statistical
    neighbours' mean, each year (None where not published)."""

    england: list[float | None]
    neighbours: list[float | None]
    region: list[float | None]


def _published(council: Council, codes: list[str], years: list[int]) -> dict[str, Published]:
    """For each published code, England, the region and the neighbours' mean for our years.
    Empty when the national picture is not loaded."""
    out: dict[str, Published] = {}
    if not codes:
        return out
    neighbours = neighbours_of(council)
    for comparison in compare(council, codes, neighbours=neighbours):
        by_end_year: dict[int, int] = {}
        for i, period in enumerate(comparison.periods):
            end = _end_year(period)
            if end is not None:
                by_end_year[end] = i

        out[comparison.indicator.code] = Published(
            *(
                [series[by_end_year[y]].value if y in by_end_year else None for y in years]
                for series in (comparison.england, comparison.neighbours, comparison.region)
            )
        )
    return out


# A council figure is only published for a council: the DfE's 3-digit codes (regions and
# England have ONS codes).
_COUNCIL_AREA = r"^[0-9]{3}$"


def published_ranges(codes: list[str]) -> dict[str, dict[int, tuple[float, float]]]:
    """For each published code, the lowest and highest figure any English council published,
    by collection year. Public figures only, the same for everyone: worked out once per reference
    load (reading every council's values took two thirds of the performance page's time)."""
    wanted = sorted(set(codes))
    return reference_cache.remembered(
        "published-ranges:" + ",".join(wanted), lambda: _published_ranges(wanted)
    )


def _published_ranges(codes: list[str]) -> dict[str, dict[int, tuple[float, float]]]:
    out: dict[str, dict[int, tuple[float, float]]] = {}
    rows = IndicatorValue.objects.filter(
        indicator__code__in=codes, area_code__regex=_COUNCIL_AREA, value__isnull=False
    ).values_list("indicator__code", "period", "value")
    for code, period, value in rows:
        year = _end_year(period)
        if year is None or value is None:
            continue
        low, high = out.setdefault(code, {}).get(year, (value, value))
        out[code][year] = (min(low, value), max(high, value))
    return out


def _is_share(unit: str) -> bool:
    return "%" in unit or unit == "percent"


def warnings(line: Line, ranges: dict[int, tuple[float, float]]) -> list[str]:
    """What makes the latest figure hard to believe, in plain words: far from the council's own
    previous figure, or far outside what any English council published for the year (or the
    latest year published). A wrong figure usually means a wrong return (issue #16: a rise from
    103 to 1,315 and a rate of 311 per 10,000 were shown without a word)."""
    known = [(p, v) for p, v in zip(line.periods, line.values, strict=True) if v is not None]
    if not known:
        return []
    found = []
    period, value = known[-1]
    if len(known) > 1:
        before_period, before = known[-2]
        if _is_share(line.unit):
            jump = abs(value - before) >= 40
        else:
            jump = abs(value - before) >= 20 and (
                value > 3 * before or (value > 0 and before > 3 * value) or value == 0
            )
        if jump:
            found.append(
                f"This is far outside your own figure for {before_period} "
                f"({_fmt(before, line.unit)}); check the return."
            )
    year = line.years[line.periods.index(period)]
    usable = [y for y in ranges if y <= year] or list(ranges)
    if usable:
        published_year = max(usable)
        low, high = ranges[published_year]
        margin = 0.25 * (high - low) if high > low else 0.25 * abs(high)
        if value < low - margin or value > high + margin:
            found.append(
                f"This is far outside the range English councils published for "
                f"{published_year - 1} to {str(published_year)[2:]} ({_fmt(low, line.unit)} to "
                f"{_fmt(high, line.unit)}); check the return."
            )
    return found


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
    ranges = published_ranges([ln.published_code for ln in lines if ln.published_code])
    for line in lines:
        found = published.get(line.published_code)
        if found is not None:
            line.england, line.neighbours, line.region = (
                found.england,
                found.neighbours,
                found.region,
            )
        line.warnings = warnings(line, ranges.get(line.published_code, {}))
        if found is None:
            line.published_code = ""
        line.note = note(line)
    headline = [ln for ln in lines if ln.key in HEADLINE]
    for line in headline:
        series = [Series(organisation.name, line.values)]
        if any(v is not None for v in line.neighbours):
            series.append(Series("Statistical neighbours (mean, published)", line.neighbours))
        if any(v is not None for v in line.region):
            series.append(Series("Region (published)", line.region))
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
