"""Where each council stood on a given day: its latest overall judgement published before then.

Used by "Did support work?" (a supported council's starting judgement, and comparison councils'),
the practice page (judgements before and after an engagement) and the ministers' briefing (the
national share judged requires improvement or inadequate over time).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from insight.history import GOOD_OR_BETTER, Council, History, Judgement


class Standings:
    """Each council's overall judgements (SIF and ILACS) in publication order, for look-ups."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.councils: dict[str, Council] = history.councils
        self.by_council: dict[str, list[Judgement]] = defaultdict(list)
        for judgement in sorted(history.overall(), key=lambda j: (j.council, j.published)):
            self.by_council[judgement.council].append(judgement)
        self.data_until = history.latest_publication()

    def exists_on(self, council: str, day: dt.date) -> bool:
        known = self.councils.get(council)
        if known is None:
            return False
        if known.started is not None and known.started > day:
            return False
        return known.ended is None or known.ended > day

    def latest_before(self, council: str, day: dt.date) -> Judgement | None:
        """The council's latest overall judgement published before `day` (not on it)."""
        found = None
        for judgement in self.by_council.get(council, ()):
            if judgement.published >= day:
                break
            found = judgement
        return found

    def next_after(self, council: str, day: dt.date) -> Judgement | None:
        """The council's first overall judgement published on or after `day`."""
        for judgement in self.by_council.get(council, ()):
            if judgement.published >= day:
                return judgement
        return None

    def first_good_after(self, council: str, day: dt.date) -> Judgement | None:
        """The first judgement of good or outstanding published on or after `day`."""
        for judgement in self.by_council.get(council, ()):
            if judgement.published >= day and judgement.overall in GOOD_OR_BETTER:
                return judgement
        return None

    def observed_until(self, council: str) -> dt.date:
        """The last day a judgement of this council could be in the data."""
        known = self.councils.get(council)
        ended = known.ended if known is not None else None
        return min(self.data_until, ended) if ended is not None else self.data_until


@dataclass(frozen=True)
class NationalShare:
    """On one day: councils with an overall judgement, and those judged below good."""

    day: dt.date
    judged: int
    below_good: int  # requires improvement or inadequate

    @property
    def share(self) -> float:
        return self.below_good / self.judged if self.judged else 0.0


def share_below_good(history: History, days: list[dt.date]) -> list[NationalShare]:
    """For each day, the councils then in existence whose latest overall judgement published
    before that day was requires improvement or inadequate, out of those with one."""
    standings = Standings(history)
    found = []
    for day in days:
        judged = below = 0
        for council in standings.councils:
            if not standings.exists_on(council, day):
                continue
            latest = standings.latest_before(council, day)
            if latest is None:
                continue
            judged += 1
            below += latest.overall not in GOOD_OR_BETTER
        found.append(NationalShare(day=day, judged=judged, below_good=below))
    return found
