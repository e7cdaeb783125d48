"""The figures the Insight pages show, computed once and stored, with the day they were computed.

Reading the published files takes close to a second (bench/insight_bench.py), far over the
200 ms a page may take, so the pages read only this stored result. `build` computes it from a
loaded history; `save` writes it as JSON; `load` reads it back into the library's own types.
The file holds figures about councils from public data: nothing about a child.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from insight.associations import Association, Values, associations, read_measures
from insight.improvement import Estimate, estimates
from insight.judgements import History
from insight.transitions import Transition, transitions

VERSION = 2


@dataclass(frozen=True)
class Figures:
    computed_on: dt.date
    data_until: dt.date  # the latest publication of an overall judgement in the data
    by_framework: list[Estimate]
    by_region: list[Estimate]
    transitions: list[Transition]
    associations: list[Association]  # which published measures moved before improvement


def build(
    history: History,
    *,
    today: dt.date | None = None,
    measures: dict[str, Values] | None = None,
) -> Figures:
    """Every figure; `measures` are the published measures' values (read from the shared data
    folder when not given)."""
    return Figures(
        computed_on=today or dt.date.today(),
        data_until=history.latest_publication(),
        by_framework=estimates(history),
        by_region=estimates(history, by_region=True),
        transitions=transitions(history),
        associations=associations(history, read_measures() if measures is None else measures),
    )


def save(figures: Figures, path: Path) -> None:
    document = {
        "version": VERSION,
        "computed_on": figures.computed_on.isoformat(),
        "data_until": figures.data_until.isoformat(),
        "by_framework": [asdict(e) for e in figures.by_framework],
        "by_region": [asdict(e) for e in figures.by_region],
        "transitions": [asdict(t) for t in figures.transitions],
        "associations": [asdict(a) for a in figures.associations],
    }
    # One temporary file per process: two processes storing at once never share one.
    temporary = path.with_name(f"{path.name}.{os.getpid()}.partial")
    temporary.write_text(json.dumps(document), encoding="utf-8")
    temporary.replace(path)  # a page never reads a half-written file


def load(path: Path) -> Figures | None:
    """The stored figures, or None when they have not been computed (or are from an older version)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    if document.get("version") != VERSION:
        return None
    return Figures(
        computed_on=dt.date.fromisoformat(document["computed_on"]),
        data_until=dt.date.fromisoformat(document["data_until"]),
        by_framework=[Estimate(**e) for e in document["by_framework"]],
        by_region=[Estimate(**e) for e in document["by_region"]],
        transitions=[Transition(**t) for t in document["transitions"]],
        associations=[Association(**a) for a in document["associations"]],
    )
