"""The transition table on a small built history."""

from __future__ import annotations

import datetime as dt

from insight.judgements import (
    GOOD,
    GRADES,
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
from insight.transitions import transitions

D = dt.date


def judged(council: str, framework: str, published: dt.date, overall: str) -> Judgement:
    return Judgement(council=council, framework=framework, published=published, overall=overall)


def test_consecutive_judgements_are_counted_by_framework_pair_with_every_cell_shown() -> None:
    councils = {c: Council(c, c, c, "London") for c in ("E1", "E2")}
    data = History(
        councils=councils,
        judgements=[
            judged("E1", SLAC, D(2011, 1, 1), INADEQUATE),  # not an overall judgement
            judged("E1", SIF, D(2014, 1, 1), INADEQUATE),
            judged("E1", SIF_REINSPECTION, D(2016, 1, 1), REQUIRES_IMPROVEMENT),
            judged("E1", ILACS_STANDARD, D(2019, 1, 1), GOOD),
            judged("E1", ILACS_SHORT, D(2022, 1, 1), OUTSTANDING),
            judged("E2", SIF, D(2015, 1, 1), REQUIRES_IMPROVEMENT),
            judged("E2", ILACS_STANDARD, D(2018, 6, 1), GOOD),
        ],
    )
    table = transitions(data)
    assert len(table) == 3 * len(GRADES) * len(GRADES)
    counted = {
        (t.change, t.from_judgement, t.to_judgement): (t.count, t.share) for t in table if t.count
    }
    assert counted == {
        ("within SIF", INADEQUATE, REQUIRES_IMPROVEMENT): (1, 1.0),
        ("SIF to ILACS", REQUIRES_IMPROVEMENT, GOOD): (2, 1.0),
        ("within ILACS", GOOD, OUTSTANDING): (1, 1.0),
    }
    empty = next(t for t in table if (t.change, t.from_judgement) == ("within ILACS", INADEQUATE))
    assert (empty.count, empty.share) == (0, None)


def test_a_council_that_was_reorganised_is_not_paired_with_its_successor() -> None:
    councils = {
        "OLD": Council("OLD", "", "Old", "London", ended=D(2021, 4, 1)),
        "NEW": Council("NEW", "940", "New", "London", started=D(2021, 4, 1)),
    }
    data = History(
        councils=councils,
        judgements=[
            judged("OLD", ILACS_STANDARD, D(2019, 7, 1), INADEQUATE),
            judged("NEW", ILACS_STANDARD, D(2022, 11, 1), REQUIRES_IMPROVEMENT),
        ],
    )
    assert sum(t.count for t in transitions(data)) == 0
