"""Did support work? The matching, balance and outcomes on small made-up histories whose answers
are worked out by hand here."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from insight.history import Council, History, Judgement
from insight.standing import Standings, share_below_good
from insight.support import COVARIATES, NO_COMPARISON, Supported, evaluate

START = dt.date(2018, 6, 1)
MEASURE_NAMES = ("turnover", "agency", "caseload", "re-referrals")


def council(code: str, **fields) -> Council:
    return Council(code=code, dfe_code=code[-3:], name=f"Council {code}", region="R", **fields)


def judged(code: str, day: dt.date, grade: str) -> Judgement:
    return Judgement(council=code, framework="ilacs-standard", published=day, overall=grade)


def build(
    rows: dict[str, list[tuple[dt.date, str]]],
    figures: dict[str, float],
    *,
    later: dict[str, float] | None = None,
    until: dt.date = dt.date(2025, 3, 31),
    councils: dict[str, Council] | None = None,
):
    """A history from {code: [(published, grade)]}, every measure 2017 = figures[code] (2019 =
    later[code]), and a judgement of another council on `until`, the data's last day."""
    known = councils or {code: council(code) for code in rows}
    known.setdefault("ZZZ", council("ZZZ"))
    judgements = [judged(c, d, g) for c, found in rows.items() for d, g in found]
    judgements.append(judged("ZZZ", until, "good"))
    history = History(
        councils=known, judgements=sorted(judgements, key=lambda j: (j.council, j.published))
    )
    measures: dict[str, dict[tuple[str, int], float]] = {m: {} for m in MEASURE_NAMES}
    for code, value in figures.items():
        for m in MEASURE_NAMES:
            measures[m][(code, 2017)] = value
            if later and code in later:
                measures[m][(code, 2019)] = later[code]
    return history, measures


RI, INADEQUATE, GOOD = "requires-improvement", "inadequate", "good"


def test_each_supported_council_gets_the_nearest_eligible_comparison() -> None:
    d = dt.date(2017, 1, 10)
    history, measures = build(
        {
            "S01": [(d, RI)],
            "A01": [(d + dt.timedelta(days=30), RI)],  # near in figures
            "B01": [(d + dt.timedelta(days=60), RI)],  # far in figures
            "C01": [(d, GOOD)],  # good: never a comparison
            "D01": [(dt.date(2015, 1, 1), RI)],  # judged too long before
            "E01": [(d, RI)],  # supported by another programme
            "F01": [(d, INADEQUATE)],  # another judgement
        },
        {"S01": 10, "A01": 11, "B01": 30, "C01": 10, "D01": 10, "E01": 10, "F01": 10},
    )
    result = evaluate(history, measures, [Supported("S01", START)], never_supported=["E01"])
    assert result.candidates == 2  # A and B only
    assert [(p.supported, p.comparison) for p in result.pairs] == [("Council S01", "Council A01")]
    assert result.left_out == []


def test_councils_that_cannot_be_compared_are_listed_with_the_reason() -> None:
    d = dt.date(2017, 1, 10)
    history, measures = build(
        {
            "G01": [(d, GOOD)],
            "N01": [],
            "M01": [(d, RI)],  # no published figures
            "I01": [(d, INADEQUATE)],  # no inadequate council to compare with
            "R01": [(d, RI)],
            "X01": [(d, RI)],
        },
        {"G01": 1, "N01": 1, "I01": 1, "R01": 1, "X01": 1},
        councils={
            "G01": council("G01"),
            "N01": council("N01"),
            "M01": council("M01"),
            "I01": council("I01"),
            "R01": council("R01", ended=dt.date(2018, 4, 1)),
            "X01": council("X01"),
        },
    )
    result = evaluate(
        history,
        measures,
        [Supported(c, START) for c in ("G01", "N01", "M01", "I01", "R01", "R01")],
    )
    reasons = dict(result.left_out)
    assert reasons["Council G01"] == "judged good or better when support started"
    assert reasons["Council N01"] == "no overall judgement before support started"
    assert reasons["Council M01"] == "a published measure is missing for the year before"
    assert reasons["Council I01"] == NO_COMPARISON
    assert "supported more than once: the first counts" in [r for _n, r in result.left_out]
    assert ("Council R01", "did not exist on the day support started") in result.left_out
    assert result.matched == 0


def test_outcomes_and_their_intervals_are_the_hand_worked_differences() -> None:
    d = dt.date(2017, 1, 10)
    rows: dict[str, list[tuple[dt.date, str]]] = {}
    figures: dict[str, float] = {}
    later: dict[str, float] = {}
    supported = []
    # Six supported councils, each with one comparison council exactly like it (figure 10 * i).
    # Supported councils 1-4 are judged good 1.5 years after support started; comparison
    # councils 1 and 2 after 3.5 years; the others not at all.
    for i in range(1, 7):
        s, c = f"S{i:02d}", f"C{i:02d}"
        rows[s] = [(d, RI)]
        rows[c] = [(d, RI)]
        if i <= 4:
            rows[s].append((START + dt.timedelta(days=round(1.5 * 365.25)), GOOD))
        if i <= 2:
            rows[c].append((START + dt.timedelta(days=round(3.5 * 365.25)), GOOD))
        figures[s] = figures[c] = 100.0 * i
        later[s], later[c] = 100.0 * i - 5, 100.0 * i + 1  # supported fell by 5, others rose 1
        supported.append(Supported(s, START))
    history, measures = build(rows, figures, later=later)
    result = evaluate(history, measures, supported)
    assert [(p.supported[-3:], p.comparison[-3:]) for p in result.pairs] == [
        (f"S{i:02d}", f"C{i:02d}") for i in range(1, 7)
    ]
    # Matched exactly: no difference left in any figure.
    assert all(b.smd_after == 0 for b in result.balance)
    assert {b.covariate for b in result.balance} == set(COVARIATES)
    outcomes = {o.name: o for o in result.outcomes}
    two = outcomes["good-within-2"]
    assert (two.pairs, two.supported_mean, two.comparison_mean) == (6, pytest.approx(400 / 6), 0)
    assert two.lower95 <= two.difference <= two.upper95
    four = outcomes["good-within-4"]
    assert four.difference == pytest.approx(100 * (4 - 2) / 6)
    below = outcomes["years-below-good"]
    assert below.supported_mean == pytest.approx((4 * 1.5 + 2 * 5) / 6, abs=0.01)
    assert below.comparison_mean == pytest.approx((2 * 3.5 + 4 * 5) / 6, abs=0.01)
    change = outcomes["change-turnover"]
    assert (change.supported_mean, change.comparison_mean, change.difference) == (-5, 1, -6)
    assert change.lower95 == change.upper95 == -6  # every pair differs by exactly 6


def test_a_pair_counts_only_when_both_could_be_observed_long_enough() -> None:
    d = dt.date(2017, 1, 10)
    history, measures = build(
        {"S01": [(d, RI)], "C01": [(d, RI)]},
        {"S01": 1, "C01": 1},
        until=START + dt.timedelta(days=round(2.5 * 365.25)),
    )
    outcomes = {o.name: o for o in evaluate(history, measures, [Supported("S01", START)]).outcomes}
    assert outcomes["good-within-2"].pairs == 1
    assert outcomes["good-within-3"].pairs == 0
    assert math.isnan(outcomes["good-within-2"].lower95)  # one pair: no interval
    assert outcomes["years-below-good"].pairs == 0
    assert outcomes["change-turnover"].pairs == 0  # no 2019 figures


def test_standing_is_the_latest_judgement_before_the_day_and_the_national_share_counts_it() -> None:
    history, _ = build(
        {
            "A01": [(dt.date(2016, 1, 1), RI), (dt.date(2019, 1, 1), GOOD)],
            "B01": [(dt.date(2016, 6, 1), INADEQUATE)],
            "C01": [(dt.date(2017, 1, 1), GOOD)],
            "D01": [],
        },
        {},
        councils={
            "A01": council("A01"),
            "B01": council("B01", ended=dt.date(2019, 4, 1)),
            "C01": council("C01"),
            "D01": council("D01"),
        },
    )
    standings = Standings(history)
    assert standings.latest_before("A01", dt.date(2019, 1, 1)).overall == RI  # not on the day
    assert standings.latest_before("A01", dt.date(2019, 1, 2)).overall == GOOD
    day = [dt.date(2018, 3, 31), dt.date(2020, 3, 31)]
    first, second = share_below_good(history, day)
    # 2018: A (RI), B (inadequate), C (good), ZZZ not yet judged -> 2 of 3
    assert (first.judged, first.below_good) == (3, 2)
    # 2020: B no longer exists; A and C good -> 0 of 2
    assert (second.judged, second.below_good) == (2, 0)


def test_a_council_abolished_soon_after_is_no_comparison_and_reuse_is_counted() -> None:
    d = dt.date(2017, 1, 10)
    history, measures = build(
        {"S01": [(d, RI)], "S02": [(d, RI)], "S03": [(d, RI)], "A01": [(d, RI)], "B01": [(d, RI)]},
        {"S01": 10, "S02": 10, "S03": 10, "A01": 10, "B01": 50},
        councils={
            "S01": council("S01"),
            "S02": council("S02"),
            "S03": council("S03"),
            "A01": council("A01", ended=dt.date(2019, 4, 1)),  # nearest, but gone in a year
            "B01": council("B01"),
        },
    )
    result = evaluate(history, measures, [Supported(s, START) for s in ("S01", "S02", "S03")])
    assert result.candidates == 1
    assert {p.comparison for p in result.pairs} == {"Council B01"}
    assert result.most_reused == 3
