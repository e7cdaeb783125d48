"""Reconciling the three sources, and the history read from the real files."""

from __future__ import annotations

import datetime as dt

import pytest

from insight.judgements import (
    GOOD,
    ILACS_SHORT,
    ILACS_STANDARD,
    INADEQUATE,
    REQUIRES_IMPROVEMENT,
    SIF,
    SOURCE_2023,
    SOURCE_OFFICIAL,
    SOURCE_SCRAPE,
    Council,
    History,
    Judgement,
    load_history,
    reconcile,
)

D = dt.date
COUNCILS = {
    "E1": Council("E1", "001", "One", "London"),
    "E2": Council("E2", "940", "North Northamptonshire", "East Midlands", started=D(2021, 4, 1)),
}


def test_the_same_inspection_from_the_scrape_is_kept_once_from_the_official_statistics() -> None:
    official = Judgement(
        "E1", ILACS_STANDARD, D(2024, 3, 1), D(2024, 1, 15), GOOD, source=SOURCE_OFFICIAL
    )
    # Dates typed by hand upstream: 5 days out on publication, the same inspection.
    same = Judgement(
        "E1", ILACS_STANDARD, D(2024, 3, 6), D(2024, 1, 15), GOOD, source=SOURCE_SCRAPE
    )
    # Inspection 3 days out, publication a month later: still the same inspection.
    also_same = Judgement(
        "E1", ILACS_SHORT, D(2024, 4, 1), D(2024, 1, 18), GOOD, source=SOURCE_SCRAPE
    )
    later = Judgement(
        "E1", ILACS_SHORT, D(2025, 9, 1), D(2025, 7, 1), REQUIRES_IMPROVEMENT, source=SOURCE_SCRAPE
    )
    notes: list[str] = []
    kept = reconcile(COUNCILS, [official], [], [same, also_same, later], notes)
    assert kept == [official, later]
    assert "1 later ones from the scrape (2 already in the official outcomes)" in notes[-1]


def test_a_judgement_published_before_a_successor_council_began_is_not_its_own() -> None:
    notes: list[str] = []
    before = Judgement("E2", SIF, D(2016, 4, 27), overall=REQUIRES_IMPROVEMENT, source=SOURCE_2023)
    after = Judgement("E2", ILACS_STANDARD, D(2022, 11, 25), overall=INADEQUATE, source=SOURCE_2023)
    assert reconcile(COUNCILS, [], [before, after], [], notes) == [after]
    assert any("predates the council (2021-04-01)" in n for n in notes)


@pytest.fixture(scope="module")
def history() -> History:
    return load_history()


def test_the_real_history_covers_every_council_with_overall_judgements(history: History) -> None:
    current = [c for c in history.councils.values() if c.ended is None]
    former = [c for c in history.councils.values() if c.ended is not None]
    assert len(current) == 153
    assert sorted(c.name for c in former) == [
        "Bournemouth",
        "Cumbria",
        "Dorset",
        "Northamptonshire",
        "Poole",
    ]
    judged = {j.council for j in history.overall()}
    assert judged == set(history.councils)
    assert all(c.region for c in history.councils.values())
    assert {j.family for j in history.overall()} == {"sif", "ilacs"}
    assert history.latest_publication() > D(2025, 3, 31)  # the scrape adds later reports


def test_no_council_has_two_overall_judgements_published_on_one_day(history: History) -> None:
    seen = [(j.council, j.published) for j in history.overall()]
    assert len(seen) == len(set(seen))
