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
from insight.history import Council, History, Judgement
from insight.improvement import Estimate, estimates
from insight.standing import NationalShare, share_below_good
from insight.transitions import Transition, transitions

VERSION = 3
FIRST_NATIONAL_YEAR = 2015  # the single inspection framework began in late 2013


def national_days(history: History) -> list[dt.date]:
    """31 March of each year from 2015 to the last within the data, then the data's last day."""
    until = history.latest_publication()
    days = [dt.date(y, 3, 31) for y in range(FIRST_NATIONAL_YEAR, until.year + 1)]
    days = [d for d in days if d <= until]
    return [*days, until + dt.timedelta(days=1)] if days[-1] != until else days


@dataclass(frozen=True)
class Figures:
    computed_on: dt.date
    data_until: dt.date  # the latest publication of an overall judgement in the data
    by_framework: list[Estimate]
    by_region: list[Estimate]
    transitions: list[Transition]
    associations: list[Association]  # which published measures moved before improvement
    national: list[NationalShare]  # share of councils judged below good over time
    # What the pages that compare councils on demand need ("Did support work?", practice):
    # the overall judgements and the published measures, so no page reads the files.
    history: History
    measures: dict[str, Values]


def build(
    history: History,
    *,
    today: dt.date | None = None,
    measures: dict[str, Values] | None = None,
) -> Figures:
    """Every figure; `measures` are the published measures' values (read from the shared data
    folder when not given)."""
    measures = read_measures() if measures is None else measures
    overall = History(councils=dict(history.councils), judgements=history.overall())
    return Figures(
        computed_on=today or dt.date.today(),
        data_until=history.latest_publication(),
        by_framework=estimates(history),
        by_region=estimates(history, by_region=True),
        transitions=transitions(history),
        associations=associations(history, measures),
        national=share_below_good(history, national_days(history)),
        history=overall,
        measures=measures,
    )


def _date(value: str | None) -> dt.date | None:
    return None if value is None else dt.date.fromisoformat(value)


def save(figures: Figures, path: Path) -> None:
    document = {
        "version": VERSION,
        "computed_on": figures.computed_on.isoformat(),
        "data_until": figures.data_until.isoformat(),
        "by_framework": [asdict(e) for e in figures.by_framework],
        "by_region": [asdict(e) for e in figures.by_region],
        "transitions": [asdict(t) for t in figures.transitions],
        "associations": [asdict(a) for a in figures.associations],
        "national": [
            {"day": n.day.isoformat(), "judged": n.judged, "below_good": n.below_good}
            for n in figures.national
        ],
        "councils": [
            {
                **asdict(c),
                "ended": c.ended and c.ended.isoformat(),
                "started": c.started and c.started.isoformat(),
            }
            for c in figures.history.councils.values()
        ],
        "judgements": [
            [j.council, j.framework, j.published.isoformat(), j.overall]
            for j in figures.history.judgements
        ],
        "measures": {
            m: [[code, year, value] for (code, year), value in values.items()]
            for m, values in figures.measures.items()
        },
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
        national=[
            NationalShare(dt.date.fromisoformat(n["day"]), n["judged"], n["below_good"])
            for n in document["national"]
        ],
        history=History(
            councils={
                c["code"]: Council(
                    **{**c, "ended": _date(c["ended"]), "started": _date(c["started"])}
                )
                for c in document["councils"]
            },
            judgements=[
                Judgement(
                    council=code,
                    framework=framework,
                    published=dt.date.fromisoformat(published),
                    overall=overall,
                )
                for code, framework, published, overall in document["judgements"]
            ],
        ),
        measures={
            m: {(code, year): value for code, year, value in rows}
            for m, rows in document["measures"].items()
        },
    )
