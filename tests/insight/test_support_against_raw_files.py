"""The briefing's national share and the supported councils' outcomes, recomputed from the raw
published files with the hand-written reader in test_against_raw_files (which joins councils by
name, not code, and shares no code with the library)."""

from __future__ import annotations

import datetime as dt

import pytest

from insight.associations import read_measures
from insight.judgements import load_history
from insight.standing import share_below_good
from insight.support import Supported, evaluate
from tests.insight.test_against_raw_files import ENDED, raw_history

BELOW_GOOD = ("requires-improvement", "inadequate")


@pytest.mark.parametrize(
    "day", [dt.date(2016, 3, 31), dt.date(2018, 3, 31), dt.date(2020, 3, 31), dt.date(2024, 3, 31)]
)
def test_the_national_share_below_good_matches_the_raw_rows(day: dt.date) -> None:
    judged = below = 0
    for name, items in raw_history().items():
        if name in ENDED and ENDED[name] <= day:
            continue
        before = [grade for published, _family, grade in items if published < day]
        if before:
            judged += 1
            below += before[-1] in BELOW_GOOD
    (found,) = share_below_good(load_history(), [day])
    assert (found.judged, found.below_good) == (judged, below)


def test_supported_councils_judged_good_within_four_years_match_the_raw_rows() -> None:
    start = dt.date(2018, 6, 1)
    names = {
        "E09000022": "lambeth",
        "E09000023": "lewisham",
        "E09000030": "tower hamlets",
        "E09000032": "wandsworth",
        "E09000003": "barnet",
        "E09000006": "bromley",
    }
    result = evaluate(load_history(), read_measures(), [Supported(code, start) for code in names])
    assert result.matched == len(names)
    improved = 0
    for name in names.values():
        items = raw_history()[name]
        assert [g for p, _f, g in items if p < start][-1] in BELOW_GOOD
        improved += any(
            g in ("good", "outstanding") and start <= p <= start + dt.timedelta(days=4 * 365.25)
            for p, _f, g in items
        )
    (four,) = [o for o in result.outcomes if o.name == "good-within-4"]
    assert four.supported_mean == pytest.approx(100 * improved / len(names))
