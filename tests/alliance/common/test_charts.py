"""Server-rendered SVG charts: accessible names, series told apart without colour, gaps (never
zeros) for missing values, text escaped."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from alliance.common.charts import DASHES, Band, Series, _fmt, bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def parse(markup: Markup) -> ET.Element:
    return ET.fromstring(str(markup))  # noqa: S314 - our own output


def test_line_chart_has_title_description_and_a_legend():
    chart = line_chart(
        "Re-referrals",
        "Re-referrals for North Tyneside and England, 2023 to 2025.",
        ["2023", "2024", "2025"],
        [Series("North Tyneside", [22.0, 25.2, 24.7]), Series("England", [22.4, 22.4, 22.6])],
        unit="%",
    )
    assert isinstance(chart, Markup)
    svg = parse(chart)
    assert svg.get("role") == "img"
    title_id, desc_id = svg.get("aria-labelledby").split()
    assert svg.find(f"{SVG}title").get("id") == title_id
    assert svg.find(f"{SVG}title").text == "Re-referrals"
    assert svg.find(f"{SVG}desc").get("id") == desc_id
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "North Tyneside" in texts
    assert "England" in texts
    assert "2023" in texts
    assert "2025" in texts
    assert "100%" in texts or "50%" in texts
    lines = list(svg.iter(f"{SVG}polyline"))
    assert len(lines) == 2
    # Told apart by dash pattern as well as colour.
    assert lines[0].get("stroke") != lines[1].get("stroke")
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")
    assert lines[1].get("stroke-dasharray") == DASHES[1]


def test_missing_values_leave_a_gap_not_a_zero():
    chart = line_chart(
        "T", "D", ["a", "b", "c", "d", "e"], [Series("S", [1.0, 2.0, None, 4.0, 5.0])]
    )
    svg = parse(chart)
    lines = list(svg.iter(f"{SVG}polyline"))
    assert len(lines) == 2  # broken at the missing value
    assert all(len(line.get("points").split()) == 2 for line in lines)
    markers = svg.find(f"{SVG}g[@class='app-chart__series']")
    assert len(list(markers)) == 2 + 4  # two line segments and four points


def test_text_is_escaped():
    chart = line_chart("<script>", "a & b", ["<x>"], [Series("<b>bold</b>", [1.0])])
    text = str(chart)
    assert "<script>" not in text
    assert "&lt;script&gt;" in text
    assert "&lt;b&gt;bold&lt;/b&gt;" in text
    parse(chart)  # still well-formed


def test_each_chart_has_its_own_ids():
    first = parse(line_chart("A", "a", ["1"], [Series("s", [1.0])]))
    second = parse(line_chart("B", "b", ["1"], [Series("s", [1.0])]))
    assert first.get("aria-labelledby") != second.get("aria-labelledby")


def test_many_categories_are_labelled_sparingly():
    categories = [str(2000 + i) for i in range(40)]
    svg = parse(line_chart("T", "D", categories, [Series("S", [float(i) for i in range(40)])]))
    labels = [t.text for t in svg.iter(f"{SVG}text") if t.text and re.fullmatch(r"20\d\d", t.text)]
    assert 2 <= len(labels) <= 13
    assert "2039" in labels


def test_bar_chart_writes_values_and_says_not_available():
    svg = parse(
        bar_chart("Grades", "Councils by grade", ["Good", "Inadequate", "Unknown"], [65, 13, None])
    )
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "65" in texts
    assert "13" in texts
    assert "not available" in texts
    bars = list(svg.iter(f"{SVG}rect"))
    assert len(bars) == 2
    assert float(bars[0].get("width")) > float(bars[1].get("width"))


def _axis_labels(svg: str) -> list[str]:
    return re.findall(r'<text x="50" y="[\d.]+" text-anchor="end">([^<]*)</text>', svg)


@pytest.mark.parametrize("top", [1, 3, 7, 10, 13, 26, 99, 250, 1234])
def test_count_axes_have_whole_number_ticks(top):
    svg = str(line_chart("Referrals", "Counts", ["a", "b"], [Series("A", [0, top])]))
    labels = _axis_labels(svg)
    assert labels, svg
    for label in labels:
        assert "." not in label, labels
    values = [int(label.replace(",", "")) for label in labels]
    assert values == sorted(values)
    assert values[-1] >= top  # the highest count is on the chart
    assert len(values) <= 6


def test_counts_axis_up_to_ten_says_no_halves():
    labels = _axis_labels(str(line_chart("t", "d", ["a"], [Series("A", [9, 10])])))
    assert "2.5" not in labels
    assert "7.5" not in labels
    assert labels == ["0", "2", "4", "6", "8", "10"]


def test_rates_keep_their_decimal_ticks():
    labels = _axis_labels(str(line_chart("t", "d", ["a"], [Series("A", [9.5, 10.0])])))
    assert labels == ["0", "2.5", "5", "7.5", "10"]


def test_money_axis_says_pounds():
    svg = str(line_chart("Budget", "d", ["a", "b"], [Series("A", [0, 1_500_000])], unit="£"))
    labels = _axis_labels(svg)
    assert labels[0] == "£0"
    assert labels[-1] == "£2m"
    assert "£1m" in labels
    assert all(label.startswith("£") for label in labels)


def test_the_last_category_label_stays_inside_the_chart():
    # a burn-down's months, April 2018 to March 2020, labelled at each March and September
    months = [dt.date(2018, 4, 1) + relativedelta(months=n) for n in range(24)]
    labels = [f"{m:%b %Y}" if m.month in (3, 9) else "" for m in months]
    svg = str(line_chart("t", "d", labels, [Series("A", list(range(24)))], width=720))
    found = re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)">Mar 2020</text>', svg)
    assert found, svg
    x, anchor = float(found[0][0]), found[0][1]
    width = 8.4 * len("Mar 2020")
    right_edge = x if anchor == "end" else x + width / 2
    assert right_edge <= 720


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (0, "£0"),
        (999, "£999"),
        (250_000, "£250k"),
        (1_000_000, "£1m"),
        (1_500_000, "£1.5m"),
        (-2_000, "\u2212£2k"),  # a minus sign, not a hyphen
        (15_000_000, "£15m"),
    ],
)
def test_money_is_written_short_with_a_pound_sign(value, text):
    assert _fmt(value, "£") == text


def test_a_band_is_shaded_behind_the_lines_with_gaps_where_an_edge_is_missing():
    chart = line_chart(
        "Forecast",
        "Children looked after, published and forecast.",
        ["2023", "2024", "2025", "2026", "2027"],
        [Series("Forecast", [None, None, 100.0, 110.0, 120.0])],
        bands=[
            Band("80% range", [None, None, 100.0, 90.0, 85.0], [None, None, 100.0, 130.0, 170.0])
        ],
        whole_numbers=True,
    )
    svg = parse(chart)
    children = list(svg)
    band = svg.find(f"{SVG}g[@class='app-chart__band']")
    series = svg.find(f"{SVG}g[@class='app-chart__series']")
    assert children.index(band) < children.index(series)  # drawn first: behind the line
    polygons = list(band.iter(f"{SVG}polygon"))
    assert len(polygons) == 1
    assert len(polygons[0].get("points").split()) == 6  # three years, upper then lower edge
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "80% range" in texts  # named in the legend
    # the axis makes room for the band's top (170), not only the line's (120)
    assert "200" in texts


def test_a_band_of_one_year_is_still_drawn_and_a_gap_splits_it():
    chart = line_chart(
        "T",
        "D",
        ["a", "b", "c", "d"],
        [Series("S", [1.0, 2.0, 3.0, 4.0])],
        bands=[Band("range", [1.0, None, 2.0, 3.0], [2.0, None, 4.0, 5.0])],
    )
    polygons = list(parse(chart).iter(f"{SVG}polygon"))
    assert [len(p.get("points").split()) for p in polygons] == [4, 4]
