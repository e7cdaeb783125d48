"""The figures behind "Did support work?", the practice page and the ministers' briefing: the
stored judgements and measures (alliance.evidence.figures) joined with the programme's
engagements (alliance.programme.interface). The statistics are `insight.support`."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

from alliance.programme import interface as programme
from alliance.programme.interface import EngagementRow
from insight.associations import MEASURES
from insight.history import GRADE_LABELS
from insight.precomputed import Figures
from insight.standing import Standings
from insight.support import Result, Supported, evaluate

_cache: dict[tuple[object, ...], Result] = {}


def clear() -> None:
    """Forget the comparisons kept in memory (the benchmark times a page without them)."""
    _cache.clear()


@dataclass(frozen=True)
class ProgrammeEvidence:
    programme: str
    is_demo: bool
    result: Result


def support_evidence(
    stored: Figures, user: Any, rows: list[EngagementRow] | None = None
) -> list[ProgrammeEvidence]:
    """For each programme with engagements, its supported councils against matched comparisons.
    Every council any programme supported is kept out of every comparison group."""
    rows = programme.engagements(user) if rows is None else rows
    ever = {r.council for r in rows}
    by_programme: dict[str, list[EngagementRow]] = {}
    for row in rows:
        by_programme.setdefault(row.programme, []).append(row)
    found = []
    for name, group in by_programme.items():
        supported = tuple(Supported(r.council, r.starts, name) for r in group)
        key = (stored.computed_on, stored.data_until, supported, tuple(sorted(ever)))
        if key not in _cache:
            if len(_cache) > 32:
                _cache.clear()
            _cache[key] = evaluate(stored.history, stored.measures, supported, never_supported=ever)
        found.append(ProgrammeEvidence(name, group[0].programme_is_demo, _cache[key]))
    return found


@dataclass(frozen=True)
class Movement:
    """One engagement's council: its judgements and published measures before and after."""

    engagement: EngagementRow
    before: str  # the judgement before support started, in words, with its date
    after: str  # the first judgement after it started
    measures: list[tuple[str, float | None, float | None, int, int]]  # label, before, after, years


def _judgement(j: object | None) -> str:
    if j is None:
        return "None in the data"
    return f"{GRADE_LABELS[j.overall]} ({j.published.day} {j.published:%B %Y})"  # type: ignore[attr-defined]


_standings: list[tuple[Figures, Standings]] = []


def standings_of(stored: Figures) -> Standings:
    """The stored judgements arranged for look-ups, kept while the stored figures are the same."""
    if not _standings or _standings[0][0] is not stored:
        _standings[:] = [(stored, Standings(stored.history))]
    return _standings[0][1]


def movements(stored: Figures, rows: list[EngagementRow]) -> list[Movement]:
    standings = standings_of(stored)
    found = []
    for row in rows:
        before_year = row.starts.year - 1
        after_year = row.ends.year - 1
        measures = []
        for measure, (_file, _column, label) in MEASURES.items():
            values = stored.measures.get(measure, {})
            first = values.get((row.council, before_year))
            last = values.get((row.council, after_year)) if after_year > before_year else None
            measures.append((label, first, last, before_year, after_year))
        after = standings.next_after(row.council, row.starts)
        found.append(
            Movement(
                engagement=row,
                before=_judgement(standings.latest_before(row.council, row.starts)),
                after=_judgement(after) if after is not None else "Not inspected since",
                measures=measures,
            )
        )
    return found


def finite(value: float | None) -> float | None:
    return value if value is not None and math.isfinite(value) else None


def source_note(stored: Figures) -> str:
    return (
        f"Ofsted's published judgements up to {stored.data_until.day} {stored.data_until:%B %Y} "
        "and the Department for Education's published children's social care statistics, "
        f"computed on {stored.computed_on.day} {stored.computed_on:%B %Y}"
    )


def today() -> dt.date:
    return dt.date.today()
