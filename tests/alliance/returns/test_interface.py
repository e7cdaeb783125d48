"""returns.interface: a council's own figures as other apps may show them (issue #12, item 5)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.returns.interface import suppressed_indicators
from alliance.returns.models import Upload
from tests import factories
from tests.alliance.programme import factories as programme_factories

pytestmark = pytest.mark.django_db


def upload(code: str, indicators: list[dict[str, object]]) -> object:
    organisation = factories.council(code).organisation
    Upload.objects.create(
        organisation=organisation,
        kind="ssda903",
        year=2026,
        status=Upload.Status.ACCEPTED,
        indicators=indicators,
    )
    return organisation


def count(label: str, value: int) -> dict[str, object]:
    return {"indicator": label, "value": value, "unit": "count"}


def shown(organisation, **kwargs) -> dict[str, str]:  # type: ignore[no-untyped-def]
    return {
        r["label"]: r["shown"] for r in suppressed_indicators(organisation, "ssda903", **kwargs)
    }


def test_counts_the_aggregates_hide_and_what_would_reveal_them_are_hidden(reference_data):
    own = upload(
        "392",
        [
            count("Starts by category of need: N1", 3),
            count("Starts by category of need: N2", 9),
            count("Children starting to be looked after", 12),
            count("Ceased by reason: E11", 6),
            count("Ceased by reason: E13", 8),
            count("Children ceasing to be looked after", 14),
            count("Children looked after at 31 March", 2),
            count("Children looked after during the year", 40),
            {
                "indicator": "Adopted (% of children ceasing to be looked after)",
                "value": 42.9,
                "numerator": 6,
                "denominator": 14,
                "unit": "%",
            },
            {
                "indicator": "Placed 20 miles or more from home (%)",
                "value": 10.0,
                "numerator": 4,
                "denominator": 40,
                "unit": "%",
            },
            {
                "indicator": "Placed in the council's area (%)",
                "value": 95.0,
                "numerator": 38,
                "denominator": 40,
                "unit": "%",
            },
        ],
    )
    upload(
        "393",
        [
            count("Starts by category of need: N1", 7),
            count("Starts by category of need: N2", 11),
            count("Ceased by reason: E11", 9),
            count("Ceased by reason: E13", 10),
        ],
    )
    figures = shown(own)
    assert figures["Starts by category of need: N1"] == "<5"  # primary, as the aggregates
    # the aggregates hide a second count in the row, and the total would give N1 away
    assert figures["Starts by category of need: N2"] == "[c]"
    assert figures["Children starting to be looked after"] == "[c]"
    assert figures["Children looked after at 31 March"] == "<5"
    assert figures["Placed 20 miles or more from home (%)"] == "<5"  # numerator 4
    assert figures["Placed in the council's area (%)"] == "<5"  # 2 children not
    # nothing hidden in the ceased row: its counts, total and share are shown
    assert figures["Ceased by reason: E11"] == "6"
    assert figures["Children ceasing to be looked after"] == "14"
    assert figures["Adopted (% of children ceasing to be looked after)"] == "42.9%"
    assert figures["Children looked after during the year"] == "40"
    hidden = [r for r in suppressed_indicators(own, "ssda903") if r["shown"] in ("<5", "[c]")]
    assert all(r["value"] is r["numerator"] is r["denominator"] is None for r in hidden)
    exact = shown(own, exact=True)
    assert exact["Starts by category of need: N1"] == "3"
    assert exact["Children looked after at 31 March"] == "2"


def test_nothing_uploaded_is_nothing_shown(reference_data):
    assert suppressed_indicators(factories.council("392").organisation, "cin") == []


def test_the_need_page_shows_them_suppressed_and_says_so(client, reference_data):
    upload(
        "392",
        [count("Starts by category of need: N1", 3), count("Starts by category of need: N2", 9)],
    )
    programme = programme_factories.programme()
    client.force_login(factories.member_of(programme.organisation, Role.DFE_ANALYST))
    page = client.get(reverse("programme:need", args=[programme.pk, "392"])).content.decode()
    assert "Small numbers are suppressed" in page
    assert "Counts from 1 to 4 are shown as <strong>&lt;5</strong>" in page
    assert "&lt;5</td>" in page
    assert "[c]</td>" in page
    assert ">3</td>" not in page
    assert ">9</td>" not in page
