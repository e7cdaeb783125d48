"""How councils' overall judgements move from one inspection to the next.

Choices (docs/insight.md quotes them):
- Only judgements of the whole service's overall effectiveness count: the single inspection
  framework (SIF, 2014-2017, and its re-inspections) and ILACS (from 2018, standard and short
  inspections). SLAC, child protection and looked-after children inspections before 2014 judged
  parts of the service and are left out. Focused and monitoring visits give no grade.
- A transition is a pair of consecutive overall judgements of the same council, in order of
  publication. A council that was reorganised (Northamptonshire, Cumbria, Dorset, Bournemouth and
  Poole) ends its history there: its last judgement and its successor's first are not a pair.
- Pairs are grouped by the framework of each judgement: within SIF, from SIF to ILACS (across
  the change of framework in 2018, where the grades' meaning changed too) and within ILACS.
- Every combination of the four grades appears, with 0 where no council made that move, so a
  missing row never looks like missing data. `share` is the count out of all moves from the same
  grade under the same pair of frameworks (blank when there were none).
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

from insight.judgements import FAMILY_LABELS, GRADES, History, Judgement

# (from family, to family) in the order shown; ILACS never comes before SIF.
FRAMEWORK_PAIRS = (("sif", "sif"), ("sif", "ilacs"), ("ilacs", "ilacs"))


def change_label(start: str, end: str) -> str:
    if start == end:
        return f"within {FAMILY_LABELS[start]}"
    return f"{FAMILY_LABELS[start]} to {FAMILY_LABELS[end]}"


@dataclass(frozen=True)
class Transition:
    from_framework: str
    to_framework: str
    from_judgement: str
    to_judgement: str
    count: int
    share: float | None  # of all moves from this grade under this pair of frameworks

    @property
    def change(self) -> str:
        return change_label(self.from_framework, self.to_framework)


def consecutive_pairs(history: History) -> list[tuple[Judgement, Judgement]]:
    """Each council's consecutive overall judgements, in order of publication."""
    by_council: dict[str, list[Judgement]] = {}
    for judgement in history.overall():
        by_council.setdefault(judgement.council, []).append(judgement)
    pairs: list[tuple[Judgement, Judgement]] = []
    for judgements in by_council.values():
        judgements.sort(key=lambda j: j.published)
        pairs.extend(pairwise(judgements))
    return pairs


def transitions(history: History) -> list[Transition]:
    """The full table: three framework pairs × four grades × four grades."""
    counts: dict[tuple[str, str, str, str], int] = {}
    for first, then in consecutive_pairs(history):
        key = (first.family, then.family, first.overall, then.overall)
        counts[key] = counts.get(key, 0) + 1
    unexpected = {(k[0], k[1]) for k in counts} - set(FRAMEWORK_PAIRS)
    if unexpected:
        raise ValueError(f"judgements out of order: {sorted(unexpected)}")
    table: list[Transition] = []
    for start, end in FRAMEWORK_PAIRS:
        for before in GRADES:
            total = sum(counts.get((start, end, before, after), 0) for after in GRADES)
            for after in GRADES:
                count = counts.get((start, end, before, after), 0)
                table.append(
                    Transition(start, end, before, after, count, count / total if total else None)
                )
    return table
