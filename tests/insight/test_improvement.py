"""Spells, censoring, framework assignment and the Kaplan-Meier curve, on small built histories."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from insight.improvement import ALL, ANY, Curve, Spell, estimates, groups, spells, spells_of
from insight.judgements import (
    GOOD,
    ILACS_SHORT,
    ILACS_STANDARD,
    INADEQUATE,
    OUTSTANDING,
    REQUIRES_IMPROVEMENT,
    SIF,
    SIF_REINSPECTION,
    SLAC,
    Council,
    History,
    Judgement,
)

D = dt.date
CUTOFF = D(2025, 6, 30)


def judged(framework: str, published: dt.date, overall: str, council: str = "E1") -> Judgement:
    return Judgement(council=council, framework=framework, published=published, overall=overall)


def history(*judgements: Judgement, councils: dict[str, Council] | None = None) -> History:
    known = councils or {
        code: Council(code=code, dfe_code=code[-3:], name=code, region="North West")
        for code in {j.council for j in judgements}
    }
    return History(councils=known, judgements=sorted(judgements, key=lambda j: j.published))


def test_a_spell_opens_at_the_first_ri_continues_through_later_not_good_judgements_and_closes_at_good() -> (
    None
):
    found = spells_of(
        [
            judged(SIF, D(2014, 6, 1), REQUIRES_IMPROVEMENT),
            judged(ILACS_STANDARD, D(2018, 6, 1), REQUIRES_IMPROVEMENT),
            judged(ILACS_SHORT, D(2020, 6, 1), INADEQUATE),
            judged(ILACS_STANDARD, D(2023, 6, 1), GOOD),
        ],
        censor=CUTOFF,
    )
    assert found == [
        Spell(
            council="E1",
            region="",
            start_judgement=REQUIRES_IMPROVEMENT,
            framework="sif",
            started=D(2014, 6, 1),
            ended=D(2023, 6, 1),
            improved=True,
            judgements=3,
        )
    ]
    assert found[0].years == pytest.approx((D(2023, 6, 1) - D(2014, 6, 1)).days / 365.25)


def test_a_new_spell_opens_at_the_first_not_good_judgement_after_a_good_one() -> None:
    found = spells_of(
        [
            judged(SIF, D(2014, 1, 1), GOOD),
            judged(ILACS_STANDARD, D(2018, 1, 1), INADEQUATE),
            judged(ILACS_STANDARD, D(2020, 1, 1), OUTSTANDING),
            judged(ILACS_SHORT, D(2023, 1, 1), REQUIRES_IMPROVEMENT),
            judged(ILACS_STANDARD, D(2024, 1, 1), INADEQUATE),
        ],
        censor=CUTOFF,
    )
    assert [(s.start_judgement, s.started, s.ended, s.improved, s.judgements) for s in found] == [
        (INADEQUATE, D(2018, 1, 1), D(2020, 1, 1), True, 1),
        (REQUIRES_IMPROVEMENT, D(2023, 1, 1), CUTOFF, False, 2),
    ]


def test_judgements_are_taken_in_publication_order_whatever_order_they_come_in() -> None:
    found = spells_of(
        [
            judged(ILACS_STANDARD, D(2022, 1, 1), GOOD),
            judged(SIF, D(2015, 1, 1), INADEQUATE),
        ],
        censor=CUTOFF,
    )
    assert [(s.started, s.ended, s.improved) for s in found] == [
        (D(2015, 1, 1), D(2022, 1, 1), True)
    ]


def test_only_sif_and_ilacs_overall_judgements_count() -> None:
    """SLAC judged part of the service; a judgement without an overall grade opens nothing."""
    found = spells_of(
        [
            judged(SLAC, D(2011, 1, 1), INADEQUATE),
            judged(ILACS_STANDARD, D(2019, 1, 1), ""),
            judged(SIF, D(2015, 1, 1), GOOD),
        ],
        censor=CUTOFF,
    )
    assert found == []


def test_the_framework_is_the_starting_judgements_and_re_inspections_belong_to_their_framework() -> (
    None
):
    found = spells_of(
        [
            judged(SIF_REINSPECTION, D(2017, 1, 1), INADEQUATE),
            judged(ILACS_STANDARD, D(2019, 1, 1), GOOD),
            judged(ILACS_SHORT, D(2021, 1, 1), REQUIRES_IMPROVEMENT),
        ],
        censor=CUTOFF,
    )
    assert [(s.framework, s.start_judgement) for s in found] == [
        ("sif", INADEQUATE),
        ("ilacs", REQUIRES_IMPROVEMENT),
    ]


def test_open_spells_are_censored_at_the_latest_publication_in_the_data() -> None:
    """The cut-off is the latest publication of any council, not the council's own."""
    data = history(
        judged(ILACS_STANDARD, D(2019, 3, 1), INADEQUATE, council="E1"),
        judged(ILACS_STANDARD, D(2024, 11, 5), GOOD, council="E2"),
    )
    assert data.latest_publication() == D(2024, 11, 5)
    (open_spell,) = spells(data)
    assert (open_spell.council, open_spell.ended, open_spell.improved) == (
        "E1",
        D(2024, 11, 5),
        False,
    )


def test_a_council_that_no_longer_exists_is_censored_on_the_day_it_ended() -> None:
    councils = {
        "E10000021": Council(
            "E10000021", "", "Northamptonshire", "East Midlands", ended=D(2021, 4, 1)
        ),
        "E2": Council("E2", "002", "Other", "East Midlands"),
    }
    data = history(
        judged(ILACS_STANDARD, D(2019, 7, 29), INADEQUATE, council="E10000021"),
        judged(ILACS_STANDARD, D(2024, 1, 1), GOOD, council="E2"),
        councils=councils,
    )
    (spell,) = spells(data)
    assert (spell.ended, spell.improved, spell.region) == (D(2021, 4, 1), False, "East Midlands")


def make_spells(times_and_status: list[tuple[float, bool]]) -> list[Spell]:
    start = D(2015, 1, 1)
    return [
        Spell(
            council=f"E{i}",
            region="",
            start_judgement=INADEQUATE,
            framework="sif",
            started=start,
            ended=start + dt.timedelta(days=round(years * 365.25)),
            improved=improved,
            judgements=1,
        )
        for i, (years, improved) in enumerate(times_and_status)
    ]


def test_the_curve_is_the_product_limit_estimate_with_greenwood_log_log_intervals() -> None:
    # Events at 1 and 2 years, one censored at 2 years (after the event), one event at 3.
    curve = Curve.fit(make_spells([(1, True), (2, True), (2, False), (3, True), (4, False)]))
    survival, low, high = curve.at(2.0)
    assert survival == pytest.approx(4 / 5 * 3 / 4, abs=1e-3)
    # Greenwood: var(S)/S² = Σ d / (n (n - d)); the log(-log) interval by hand.
    greenwood = 1 / (5 * 4) + 1 / (4 * 3)
    spread = 1.959964 * math.sqrt(greenwood) / abs(math.log(survival))
    assert low == pytest.approx(survival ** math.exp(spread), abs=1e-3)
    assert high == pytest.approx(survival ** math.exp(-spread), abs=1e-3)
    assert low < survival < high
    assert curve.at(0.5) == (1.0, 1.0, 1.0)
    assert curve.at(3.5)[0] == pytest.approx(4 / 5 * 3 / 4 * 1 / 2, abs=1e-3)
    # At risk just before each time: everyone at 0 and 1 year, four before 2, two before 3.
    one, two, _, three, four = curve.durations  # about 1, 2, 2, 3 and 4 years, in whole days
    assert [curve.at_risk(t) for t in (0.0, one, 1.5, two, 2.5, three, four)] == [
        5,
        5,
        4,
        4,
        2,
        2,
        1,
    ]


def test_the_grid_is_every_quarter_year_to_the_longest_spell_and_each_event() -> None:
    curve = Curve.fit(make_spells([(0.6, True), (1.1, False)]))
    grid = curve.grid()
    assert grid[:5] == [0.0, 0.25, 0.5, pytest.approx(0.6, abs=0.01), 0.75]
    assert grid[-1] == 1.0


def test_a_group_where_no_one_improved_stays_at_nought() -> None:
    curve = Curve.fit(make_spells([(1, False), (2, False)]))
    assert curve.at(1.5) == (1.0, 1.0, 1.0)
    assert curve.at_risk(1.5) == 1


def test_groups_cover_each_starting_judgement_and_framework_and_any_and_all() -> None:
    found = [
        *make_spells([(1, True)]),
        Spell("E9", "London", REQUIRES_IMPROVEMENT, "ilacs", D(2019, 1, 1), D(2020, 1, 1), True, 1),
    ]
    keys = [(s, f, r, len(g)) for s, f, r, g in groups(found)]
    assert (INADEQUATE, "sif", ALL, 1) in keys
    assert (REQUIRES_IMPROVEMENT, "ilacs", ALL, 1) in keys
    assert (ANY, ALL, ALL, 2) in keys
    assert (INADEQUATE, "ilacs", ALL, 1) not in keys  # empty groups are left out
    by_region = [(s, f, r, len(g)) for s, f, r, g in groups(found, by_region=True)]
    assert (ANY, ALL, "London", 1) in by_region


def test_estimates_report_the_share_improved_and_its_interval() -> None:
    data = history(
        judged(SIF, D(2014, 1, 1), INADEQUATE, council="E1"),
        judged(ILACS_STANDARD, D(2016, 1, 1), GOOD, council="E1"),
        judged(SIF, D(2014, 1, 1), INADEQUATE, council="E2"),
        judged(ILACS_STANDARD, D(2020, 1, 1), REQUIRES_IMPROVEMENT, council="E2"),
        judged(ILACS_STANDARD, D(2022, 1, 1), GOOD, council="E3"),
    )
    rows = [
        e
        for e in estimates(data)
        if (e.start_judgement, e.framework) == (INADEQUATE, "sif") and e.years == 3.0
    ]
    (row,) = rows
    assert row.share_good_or_better == pytest.approx(0.5)
    assert row.lower95 <= 0.5 <= row.upper95
    assert row.at_risk == 1
