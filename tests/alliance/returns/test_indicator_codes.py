"""The service joins indicators by their stable codes: figures stored with codes and figures
stored before codes (label only) read the same, and rewording a label in the library breaks
nothing (issue #14)."""

from __future__ import annotations

import dataclasses

import pytest

from alliance.returns import performance
from alliance.returns.interface import suppressed_indicators
from alliance.returns.models import Upload
from alliance.returns.services import stored_returns
from alliance.workplace import figures as workplace
from statutory.ssda903 import indicator_codes
from tests import factories

pytestmark = pytest.mark.django_db

EET = "care_leavers_17_18_eet"


def stored(organisation, year: int, indicators: list[dict[str, object]]) -> None:  # type: ignore[no-untyped-def]
    Upload.objects.create(
        organisation=organisation,
        kind="ssda903",
        year=year,
        status=Upload.Status.ACCEPTED,
        indicators=indicators,
    )


@pytest.fixture
def council(reference_data):  # type: ignore[no-untyped-def]
    organisation = factories.council("392").organisation
    # stored before indicators had codes: labels only
    stored(
        organisation,
        2025,
        [
            {
                "indicator": "Care leavers 17-18 in education, employment or training (%)",
                "value": 50.0,
                "numerator": 10,
                "denominator": 20,
                "unit": "%",
            },
            {"indicator": "Starts by category of need: N1", "value": 3, "unit": "count"},
            {"indicator": "Children starting to be looked after", "value": 30, "unit": "count"},
        ],
    )
    # stored since: codes and labels
    stored(
        organisation,
        2026,
        [
            {
                "code": EET,
                "indicator": "Care leavers 17-18 in education, employment or training (%)",
                "value": 60.0,
                "numerator": 12,
                "denominator": 20,
                "unit": "%",
            },
            {
                "code": "cla_starts_by_need:N1",
                "indicator": "Starts by category of need: N1",
                "value": 3,
                "unit": "count",
            },
            {
                "code": "cla_starts",
                "indicator": "Children starting to be looked after",
                "value": 30,
                "unit": "count",
            },
        ],
    )
    return organisation


@pytest.fixture(params=["as worded", "reworded"])
def wording(request, monkeypatch):  # type: ignore[no-untyped-def]
    if request.param == "reworded":
        for code, label in (
            (EET, "Young people aged 17 or 18 in work or learning (%)"),
            ("cla_starts", "Children who came into care"),
        ):
            measure = dataclasses.replace(indicator_codes.MEASURES[code], label=label)
            monkeypatch.setitem(indicator_codes.MEASURES, code, measure)
    return request.param


def test_old_and_new_stored_figures_read_by_code(council, wording):  # type: ignore[no-untyped-def]
    history = stored_returns.indicator_history(council, "ssda903")
    by_year = {(r["year"], r["code"]): r for r in history}
    assert by_year[(2025, EET)]["value"] == 50.0
    assert by_year[(2026, EET)]["value"] == 60.0
    assert by_year[(2025, EET)]["published"] == "ees-care-leavers-eet-17-18"
    assert {(2025, "cla_starts_by_need:N1"), (2026, "cla_starts")} <= set(by_year)


def test_workplace_reads_the_care_leavers_figure_by_code(council, wording):  # type: ignore[no-untyped-def]
    available, found = workplace.returns_history(council)
    assert available
    assert found["17-18"] == {2025: 50.0, 2026: 60.0}


def test_the_performance_page_keeps_its_headline_and_published_measure(council, wording):  # type: ignore[no-untyped-def]
    report = performance.report(council, "ssda903")
    line = next(ln for ln in report["headline"] if ln.key == EET)
    assert line.values == [50.0, 60.0]


def test_suppression_links_totals_to_their_breakdown_by_code(council, wording):  # type: ignore[no-untyped-def]
    shown = {r["code"]: r for r in suppressed_indicators(council, "ssda903")}
    # the starts by need count is under 5, so the total built from it is hidden too
    assert shown["cla_starts_by_need:N1"]["suppressed"] == "primary"
    assert shown["cla_starts"]["suppressed"] == "secondary"
    assert shown[EET]["shown"] == "60%"
