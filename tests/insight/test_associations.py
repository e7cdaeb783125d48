"""Which measures moved before improvement: the changes are taken between the right years and
grouped by whether the next judgement was good or better; the interval is Welch's."""

from __future__ import annotations

import csv
import datetime as dt
import math

import pytest
from scipy import stats

from insight import associations as a
from insight.judgements import Council, History, Judgement, load_history


def judged(
    council: str, published: str, overall: str, framework: str = "ilacs-standard"
) -> Judgement:
    return Judgement(council, framework, dt.date.fromisoformat(published), overall=overall)


def small_history() -> History:
    councils = {
        c: Council(c, c[-3:], f"Council {c}", "North West") for c in ("E1", "E2", "E3", "E4")
    }
    return History(
        councils,
        [
            judged("E1", "2018-06-01", "inadequate"),
            judged("E1", "2021-06-01", "good"),  # improved: change 2020 - 2017
            judged("E2", "2018-06-01", "requires-improvement"),
            judged("E2", "2022-06-01", "inadequate"),  # not improved: change 2021 - 2017
            judged("E3", "2019-03-01", "requires-improvement"),
            judged("E3", "2022-03-01", "outstanding"),  # improved: 2021 - 2018
            judged("E4", "2018-06-01", "good"),  # from good: not counted
            judged("E4", "2021-06-01", "inadequate"),
            judged("E1", "2024-06-01", "inadequate"),
        ],
    )


VALUES = {
    ("E1", 2017): 20.0, ("E1", 2020): 14.0, ("E2", 2017): 10.0, ("E2", 2021): 15.0,
    ("E3", 2018): 30.0, ("E3", 2021): 26.0, ("E4", 2017): 1.0, ("E4", 2020): 99.0,
    ("E1", 2023): 50.0,
}  # fmt: skip


def test_changes_are_between_the_years_before_each_judgement_and_grouped_by_the_next_grade():
    improved, others = a.changes(small_history(), VALUES)
    assert sorted(improved) == [-6.0, -4.0]
    assert others == [5.0]  # E2; E4's pair started good; E1's last pair (good -> inadequate) too


def test_the_difference_and_its_interval_are_welchs():
    history = small_history()
    values = {**VALUES, ("E2", 2017): 10.0}
    history.judgements += [judged("E2", "2025-06-01", "requires-improvement")]
    values[("E2", 2024)] = 18.0  # a second not-improved change: 18 - 15 = 3
    (found,) = a.associations(history, {"turnover": values})
    assert (found.improved, found.not_improved) == (2, 2)
    assert found.difference == pytest.approx(-5.0 - 4.0)
    expected = stats.ttest_ind([-6.0, -4.0], [5.0, 3.0], equal_var=False).confidence_interval()
    assert (found.lower95, found.upper95) == pytest.approx((expected.low, expected.high))
    assert found.lower95 < found.difference < found.upper95


def test_too_few_pairs_give_no_interval():
    (found,) = a.associations(small_history(), {"agency": VALUES})
    assert found.not_improved == 1
    assert math.isnan(found.lower95)


def test_re_referrals_match_the_raw_file_read_here():
    """One figure recomputed from the published file by this test's own reading."""
    history = load_history(None)
    measures = a.read_measures(None)
    path = a.shared_data_dir().joinpath(*a.FOLDER, a.REFERRALS)
    raw: dict[tuple[str, int], float] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            if (
                row["geographic_level"] == "Local authority"
                and row["category"] == "Referrals and Re-referrals"
                and row["rereferral_percent"].replace(".", "", 1).isdigit()
            ):
                raw[(row["new_la_code"], int(row["time_period"]))] = float(
                    row["rereferral_percent"]
                )
    assert measures["re-referrals"] == raw
    improved, _others = a.changes(history, raw)
    found = next(x for x in a.associations(history, measures) if x.measure == "re-referrals")
    assert found.improved == len(improved) > 20
    assert found.mean_change_improved == pytest.approx(sum(improved) / len(improved))
    assert found.lower95 < found.difference < found.upper95
