"""Accessible charts drawn on the server as SVG: no JavaScript, nothing from a CDN.

Every chart has a <title> and a <desc> (read by screen readers through `aria-labelledby`); the
caller shows the same figures in a table beside the chart, which is the accessible version of the
numbers. Series differ by colour *and* by dash pattern and marker shape, so they can be told apart
without colour. Missing values (suppressed, not published) leave a gap: they are never drawn as 0.

    from alliance.common.charts import Series, line_chart, bar_chart
    line_chart("Re-referrals", "Percentage of referrals…", ["2023", "2024"],
               [Series("North Tyneside", [22.0, 25.2]), Series("England", [22.4, 22.4])], unit="%")
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from alliance.common.numbers import MINUS, with_minus

# GOV.UK Frontend colours chosen to stay apart for the common colour-vision deficiencies.
PALETTE = ("#1d70b8", "#f47738", "#0b0c0c", "#00703c", "#912b88", "#d4351c", "#28a197", "#6f72af")
DASHES = ("", "8 4", "2 4", "12 4 2 4", "4 4", "1 3", "10 2", "6 2 2 2")
MARKERS = ("circle", "square", "diamond", "triangle", "circle", "square", "diamond", "triangle")

_ids = itertools.count(1)


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str | None = None


@dataclass(frozen=True)
class Band:
    """A shaded range between two lines (a forecast's 80% or 95% interval): drawn behind the
    series, from `lower` to `upper` wherever both are known, and named in the legend."""

    name: str
    lower: Sequence[float | None]
    upper: Sequence[float | None]
    colour: str = PALETTE[0]
    opacity: float = 0.2


def _nice_ceiling(value: float) -> float:
    """A round number at or above `value` for the top of the axis (1, 2, 2.5, 5 × 10^n)."""
    if value <= 0:
        return 1.0
    exponent = math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        candidate = step * 10**exponent
        if candidate >= value:
            return float(candidate)
    return float(10 ** (exponent + 1))


def _whole_step(span: float) -> int:
    """The smallest of 1, 2, 5, 10, 20, 25, 50, 100… that splits `span` into at most 5 steps."""
    for exponent in itertools.count():
        for base in (1, 2, 2.5, 5):
            step = base * 10**exponent
            if step == int(step) and span / step <= 5:
                return int(step)
    raise AssertionError("unreachable")  # pragma: no cover


def _ticks(y_min: float, top: float, whole: bool) -> tuple[float, float, list[float]]:
    """The axis's bottom, top and tick values. Counts (`whole`) get whole-number ticks, the ends
    moved out to whole steps (a count axis never says 2.5); other axes five even ticks."""
    if not whole:
        return y_min, top, [y_min + (top - y_min) * tick / 4 for tick in range(5)]
    start = math.floor(y_min)
    step = _whole_step(max(top - start, 1))
    steps = max(math.ceil((top - start) / step - 1e-9), 1)
    return (
        float(start),
        float(start + step * steps),
        [float(start + step * k) for k in range(steps + 1)],
    )


def _compact(value: float, scale: float, suffix: str) -> str:
    return f"{value / scale:,.2f}".rstrip("0").rstrip(".") + suffix


def _fmt(value: float, unit: str = "") -> str:
    """A value as written on an axis or beside a bar: counts with commas, percentages with %, and
    money (unit '£') in pounds made short, like £250k or £1.5m."""
    if unit == "£":
        sign, amount = (MINUS if value < 0 else ""), abs(value)
        if amount >= 1_000_000:
            return f"{sign}£{_compact(amount, 1_000_000, 'm')}"
        if amount >= 1_000:
            return f"{sign}£{_compact(amount, 1_000, 'k')}"
        return f"{sign}£{amount:,.0f}"
    text = f"{value:,.0f}" if abs(value) >= 100 or value == int(value) else f"{value:,.1f}"
    text = with_minus(text)
    return f"{text}%" if unit == "%" else text


def _label_x(x: float, label: str, width: int) -> tuple[float, str]:
    """Where a category label goes and how it is anchored: centred under its point, unless it would
    run off the chart's right edge, when it ends at the edge (the last label is never clipped)."""
    half = 4.2 * len(label)  # about half the label's width at 14px (digits are about 8.4px)
    if x + half > width - 2:
        return width - 2, "end"
    return x, "middle"


def _marker(shape: str, x: float, y: float, colour: str) -> str:
    if shape == "square":
        return f'<rect x="{x - 4:.1f}" y="{y - 4:.1f}" width="8" height="8" fill="{colour}"/>'
    if shape == "diamond":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y:.1f}L{x:.1f} {y + 5:.1f}L{x - 5:.1f} {y:.1f}Z" fill="{colour}"/>'
    if shape == "triangle":
        return f'<path d="M{x:.1f} {y - 5:.1f}L{x + 5:.1f} {y + 4:.1f}L{x - 5:.1f} {y + 4:.1f}Z" fill="{colour}"/>'
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>'


def _frame(
    chart_id: str, title: str, description: str, width: int, height: int, body: list[str]
) -> Markup:
    # Every piece of text put in the SVG went through escape() above.
    return Markup(  # noqa: S704
        f'<svg class="app-chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" xmlns="http://www.w3.org/2000/svg" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>' + "".join(body) + "</svg>"
    )


def _y_axis(
    series: Sequence[Series],
    unit: str,
    y_min: float,
    y_max: float | None,
    whole_numbers: bool | None,
) -> tuple[float, float, list[float]]:
    """A line chart's vertical axis: its bottom, top and ticks."""
    numbers = [v for s in series for v in s.values if v is not None]
    if whole_numbers is None:
        whole_numbers = unit == "" and all(float(v).is_integer() for v in numbers)
    top = y_max if y_max is not None else _nice_ceiling(max(numbers, default=1.0))
    return _ticks(y_min, max(top, y_min + 1e-9), whole_numbers)


def _band_shapes(
    band: Band, count: int, x_at: Callable[[int], float], y_at: Callable[[float], float]
) -> list[str]:
    """One polygon for each run of categories where both of the band's edges are known; a run of
    one category is a short bar the width of a marker."""
    runs: list[list[tuple[float, float, float]]] = [[]]
    for i in range(count):
        low = band.lower[i] if i < len(band.lower) else None
        high = band.upper[i] if i < len(band.upper) else None
        if low is None or high is None:
            if runs[-1]:
                runs.append([])
            continue
        runs[-1].append((x_at(i), y_at(low), y_at(high)))
    shapes = []
    for run in runs:
        if not run:
            continue
        points = run
        if len(run) == 1:
            x, low_y, high_y = run[0]
            points = [(x - 5, low_y, high_y), (x + 5, low_y, high_y)]
        outline = [(x, high_y) for x, _, high_y in points] + [
            (x, low_y) for x, low_y, _ in reversed(points)
        ]
        text = " ".join(f"{x:.1f},{y:.1f}" for x, y in outline)
        shapes.append(
            f'<polygon points="{text}" fill="{band.colour}" fill-opacity="{band.opacity}" stroke="none"/>'
        )
    return shapes


def _bands(
    bands: Sequence[Band],
    legend: Sequence[tuple[float, int]],
    left: int,
    count: int,
    x_at: Callable[[int], float],
    y_at: Callable[[float], float],
) -> list[str]:
    """The bands' shapes, each in its group, and their legend entries."""
    body: list[str] = []
    for band, (cursor, row) in zip(bands, legend, strict=True):
        body.append(f'<g class="app-chart__band" data-band="{escape(band.name)}">')
        body.extend(_band_shapes(band, count, x_at, y_at))
        body.append("</g>")
        lx, ly = left + cursor, 14 + 22 * row
        body.append(
            f'<g class="app-chart__legend"><rect x="{lx:.1f}" y="{ly - 7:.1f}" width="28" height="14" '
            f'fill="{band.colour}" fill-opacity="{band.opacity}"/>'
            f'<text x="{lx + 34:.1f}" y="{ly + 5:.1f}">{escape(band.name)}</text></g>'
        )
    return body


def line_chart(
    title: str,
    description: str,
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    unit: str = "",
    y_max: float | None = None,
    y_min: float = 0.0,
    width: int = 720,
    height: int = 320,
    whole_numbers: bool | None = None,
    bands: Sequence[Band] = (),
) -> Markup:
    """A line chart of several series over the same categories (periods), with a legend above.
    A None value breaks the line. `unit` is '%' for percentages, '£' for money in pounds (the axis
    says £250k, £1.5m), or '' for numbers. Counts get whole-number ticks: say `whole_numbers`, or
    leave it None and series of whole numbers without a unit are taken as counts. `bands` are
    shaded ranges drawn behind the lines (the axis makes room for their tops)."""
    chart_id = f"app-chart-{next(_ids)}"
    edges = [Series(b.name, list(b.lower) + list(b.upper)) for b in bands]
    y_min, top, ticks = _y_axis([*series, *edges], unit, y_min, y_max, whole_numbers)
    # Legend entries flow left to right and wrap, sized by an estimate of their text's width.
    legend: list[tuple[float, int]] = []
    cursor, row = 0.0, 0
    for item in [*series, *edges]:
        entry = 34 + 8.0 * len(item.name) + 24
        if cursor and cursor + entry > width - 56 - 16:
            cursor, row = 0.0, row + 1
        legend.append((cursor, row))
        cursor += entry
    rows_of_legend = (legend[-1][1] + 1) if legend else 0
    left, right, bottom = 56, 16, 40
    head = 16 + 22 * rows_of_legend
    plot_w, plot_h = width - left - right, height - head - bottom
    count = max(len(categories), 1)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / count)

    def y_at(v: float) -> float:
        return head + plot_h * (1 - (v - y_min) / (top - y_min))

    body: list[str] = []
    for value in ticks:
        y = y_at(value)
        body.append(
            f'<line class="app-chart__grid" x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        body.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end">{escape(_fmt(value, unit))}</text>'
        )
    body.append(
        f'<line class="app-chart__axis" x1="{left}" x2="{width - right}" y1="{head + plot_h}" y2="{head + plot_h}"/>'
    )
    # Label at most 12 categories; blank labels are skipped (e.g. only Januaries in a quarterly series).
    shown = [i for i, label in enumerate(categories) if label]
    every = max(1, math.ceil(len(shown) / 12))
    for k, i in enumerate(shown):
        label = categories[i]
        if k % every == 0 or k == len(shown) - 1:
            x, anchor = _label_x(x_at(i), label, width)
            body.append(
                f'<text x="{x:.1f}" y="{head + plot_h + 20}" text-anchor="{anchor}">{escape(label)}</text>'
            )
    body.extend(_bands(bands, legend[len(series) :], left, count, x_at, y_at))
    for n, item in enumerate(series):
        colour = item.colour or PALETTE[n % len(PALETTE)]
        dash = DASHES[n % len(DASHES)]
        shape = MARKERS[n % len(MARKERS)]
        segments: list[list[tuple[float, float]]] = [[]]
        for i, point in enumerate(item.values[:count]):
            if point is None:
                if segments[-1]:
                    segments.append([])
                continue
            segments[-1].append((x_at(i), y_at(point)))
        body.append(f'<g class="app-chart__series" data-series="{escape(item.name)}">')
        for segment in segments:
            if len(segment) > 1:
                points = " ".join(f"{x:.1f},{y:.1f}" for x, y in segment)
                dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
                body.append(
                    f'<polyline class="app-chart__line" points="{points}" stroke="{colour}"{dash_attr}/>'
                )
            for x, y in segment:
                body.append(_marker(shape, x, y, colour))
        body.append("</g>")
        lx = left + legend[n][0]
        ly = 14 + 22 * legend[n][1]
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        body.append(
            f'<g class="app-chart__legend"><line x1="{lx:.1f}" x2="{lx + 28:.1f}" y1="{ly:.1f}" y2="{ly:.1f}" '
            f'stroke="{colour}" stroke-width="3"{dash_attr}/>{_marker(shape, lx + 14, ly, colour)}'
            f'<text x="{lx + 34:.1f}" y="{ly + 5:.1f}">{escape(item.name)}</text></g>'
        )
    return _frame(chart_id, title, description, width, height, body)


def bar_chart(
    title: str,
    description: str,
    labels: Sequence[str],
    values: Sequence[float | None],
    *,
    unit: str = "",
    colours: Sequence[str] | None = None,
    width: int = 720,
    bar_height: int = 28,
) -> Markup:
    """A horizontal bar chart, one bar a label, each bar's value written beside it. A None value
    draws no bar and says 'not available'."""
    chart_id = f"app-chart-{next(_ids)}"
    numbers = [v for v in values if v is not None]
    top = _nice_ceiling(max(numbers, default=1.0))
    label_w, right = 220, 70
    plot_w = width - label_w - right
    height = 8 + len(labels) * (bar_height + 8)
    body: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=False)):
        y = 8 + i * (bar_height + 8)
        body.append(
            f'<text x="{label_w - 8}" y="{y + bar_height / 2 + 5:.1f}" text-anchor="end">{escape(label)}</text>'
        )
        if value is None:
            body.append(
                f'<text x="{label_w + 4}" y="{y + bar_height / 2 + 5:.1f}">not available</text>'
            )
            continue
        w = max(plot_w * value / top, 1.0)
        colour = colours[i % len(colours)] if colours else PALETTE[0]
        # The stylesheet's bar colour would override a chosen colour: the class is for the default.
        bar_class = "" if colours else ' class="app-chart__bar"'
        body.append(
            f'<rect{bar_class} x="{label_w}" y="{y}" width="{w:.1f}" height="{bar_height}" fill="{colour}"/>'
        )
        body.append(
            f'<text x="{label_w + w + 6:.1f}" y="{y + bar_height / 2 + 5:.1f}">{escape(_fmt(value, unit))}</text>'
        )
    return _frame(chart_id, title, description, width, height, body)
