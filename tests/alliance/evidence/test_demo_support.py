""" "Did support work?" on the demo: the 2018 wave's demo matches against councils it did not
support, with the page's figures recomputed here from the raw Ofsted files
(`tests.insight.test_against_raw_files.raw_history`, a parser of its own), not through
`insight.support`."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.programme import demo
from alliance.programme.models import Engagement
from tests import factories
from tests.alliance.evidence.test_programme_pages import computed, stored  # noqa: F401
from tests.alliance.programme import factories as programme_factories
from tests.insight.test_against_raw_files import key, raw_history

MONTHS = {
    m: i + 1
    for i, m in enumerate(
        [
            "January",
            "February",
            "March",
            "April",
            "May",
            "June",
            "July",
            "August",
            "September",
            "October",
            "November",
            "December",
        ]
    )
}
YEAR = 365.25
PAIR = re.compile(
    r'<td class="govuk-table__cell">([^<]+)</td><td class="govuk-table__cell">([^<]+)</td>\s*'
    r'<td class="govuk-table__cell">([^<]+)</td><td class="govuk-table__cell">([^<]+)</td>'
)


def _day(text: str) -> dt.date:
    d, m, y = text.split()
    return dt.date(int(y), MONTHS[m], int(d))


def _plain(name: str) -> str:
    return key(name.split(",", maxsplit=1)[0])


def _raw(name: str) -> list[tuple[dt.date, str, str]]:
    history = raw_history()
    for candidate in (key(name), "former:" + key(name)):
        if candidate in history:
            return history[candidate]
    raise AssertionError(f"{name} is not in the raw Ofsted files")


def _latest_before(name: str, day: dt.date) -> tuple[dt.date, str]:
    before = [(p, g) for p, _f, g in _raw(name) if p < day]
    return max(before)


def _good_within(name: str, starts: dt.date, years: float, cutoff: dt.date) -> float | None:
    """1 if judged good or better within `years` of `starts`, 0 if not and observed that long,
    None if not observed that long."""
    for published, _f, grade in _raw(name):
        if published >= starts and grade in ("good", "outstanding"):
            if (published - starts).days / YEAR <= years:
                return 1.0
            break
    return 0.0 if (cutoff - starts).days / YEAR >= years else None


def _outcome_row(section: str, label: str) -> tuple[int, float, float]:
    row = section.split(f">{label}</th>")[1].split("</tr>", maxsplit=1)[0]
    cells = re.findall(
        r'<td class="govuk-table__cell govuk-table__cell--numeric">([^<]+)</td>', row
    )
    return int(cells[0]), float(cells[1].rstrip("%")), float(cells[2].rstrip("%"))


@pytest.fixture
def wave_page(client, reference_data, stored):  # noqa: F811
    demo.load()
    client.force_login(factories.user(Role.DFE_ANALYST, programme_factories.dfe()))
    text = client.get(reverse("insight:support")).content.decode()
    sections = text.split('<h2 class="govuk-heading-l">')
    (section,) = [s for s in sections if s.startswith(demo.WAVE_2018)]
    return section


def test_the_demo_wave_is_compared_with_councils_it_did_not_support(wave_page) -> None:
    section = wave_page
    assert "the demo's own matches, not the councils the DfE funded" in section
    assert "a handful of councils each, the neediest first" in section
    supported, matched, pool = (
        int(n.replace(",", ""))
        for n in re.search(
            r"([\d,]+) councils supported; ([\d,]+) matched with a comparison council, from "
            r"([\d,]+) eligible comparison councils",
            section,
        ).groups()
    )
    engagements = Engagement.objects.filter(programme__name=demo.WAVE_2018)
    assert supported == engagements.count() == 9 * demo.PER_PARTNER_2018
    assert matched >= 10
    assert pool >= 10
    pairs = [tuple(html.unescape(c) for c in p) for p in PAIR.findall(section)]
    assert len(pairs) == matched
    # the service's council names, e.g. "Herefordshire, County of", against Ofsted's
    ever = {_plain(n) for n in Engagement.objects.values_list("supported_council__name", flat=True)}
    starts_of = {
        _plain(n): s for n, s in engagements.values_list("supported_council__name", "starts")
    }
    for ours, theirs, grade, starts_text in pairs:
        starts = _day(starts_text)
        assert starts_of[_plain(ours)] == starts
        assert _plain(theirs) not in ever, theirs  # never supported
        ours_on, ours_grade = _latest_before(ours, starts)
        theirs_on, theirs_grade = _latest_before(theirs, starts)
        # both stood at the page's starting judgement, published within a year of each other
        assert ours_grade == theirs_grade == grade.lower().replace(" ", "-")
        assert abs((ours_on - theirs_on).days) <= 365


def test_the_demo_outcomes_match_a_recount_from_the_raw_files(wave_page) -> None:
    pairs = [tuple(html.unescape(c) for c in p) for p in PAIR.findall(wave_page)]
    cutoff = max(p for items in raw_history().values() for p, _f, _g in items)
    for years in (2, 3, 4):
        counted = [
            (a, b)
            for ours, theirs, _g, starts in pairs
            if (a := _good_within(ours, _day(starts), years, cutoff)) is not None
            and (b := _good_within(theirs, _day(starts), years, cutoff)) is not None
        ]
        n, supported_pct, comparison_pct = _outcome_row(
            wave_page, f"Judged good or better within {years} years"
        )
        assert n == len(counted) > 0
        assert supported_pct == pytest.approx(100 * sum(a for a, _ in counted) / n, abs=0.05)
        assert comparison_pct == pytest.approx(100 * sum(b for _, b in counted) / n, abs=0.05)
