"""How long councils judged requires improvement or inadequate take to be judged good or better.

A survival analysis of "spells" of not-good judgements, with the Kaplan-Meier estimator of
statsmodels (`SurvfuncRight`). Every choice below is quoted in docs/insight.md.

The spell (fixed by issue #18):
- A spell starts at a council's first overall judgement of requires improvement or inadequate,
  or at the first such judgement after a good or outstanding one.
- Later requires improvement or inadequate judgements belong to the same spell: a council judged
  requires improvement and then inadequate is in one spell, which started at requires
  improvement (the spell's `start_judgement`).
- The spell ends, with the event "improved", at the first later judgement of good or outstanding.
- The clock runs on publication dates (the only dates the SIF data gives), in years of 365.25
  days.
- A spell still open is censored at the latest publication in the data (the latest publication
  date of any overall judgement, for every council alike: the data's cut-off). A council that
  no longer exists (Northamptonshire, Cumbria, Dorset county, Bournemouth, Poole) is censored on
  the day it ended instead, since it could not be judged again after; its successors start
  their own histories.

Further choices:
- Only overall effectiveness judgements of the whole service count: the single inspection
  framework (SIF, from 2014, and its re-inspections) and ILACS (from 2018, standard and short).
- A spell's framework is the framework of the judgement that started it (`sif` or `ilacs`), even
  when it ended under the other: most spells begun under SIF ended under ILACS.
- A spell's region is the council's Ofsted region (for a former council, its successor's).
- The 95% intervals are pointwise (at each time on their own, not a band for the whole curve),
  from Greenwood's variance on the log(-log) scale, as lifelines does by default (R's survival
  package offers it as conf.type = "log-log"). statsmodels gives the estimate and Greenwood's
  standard error but only a simultaneous band, so the pointwise interval is computed here from
  its standard error (`Curve.at`). Where the estimate is 0 or 1 the interval is that value.
- The figures are reported as `share_good_or_better` = 1 - survival: the estimated share of
  spells that had ended in a good or better judgement by that many years.
- The estimates are given every quarter of a year (0, 0.25, 0.5, ...) up to the longest spell
  observed in the group, and at each time a spell ended in improvement (where the curve steps).
  `at_risk` is the number of spells still open and observed just before that time.

statsmodels is used rather than lifelines: lifelines 0.30.3 requires pandas below 3 and the
project's lock has pandas 3.1.1 (through statsmodels), so adding it would downgrade pandas for
the whole service. statsmodels is maintained and already a dependency.
"""

from __future__ import annotations

import datetime as dt
import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from insight.judgements import (
    GOOD_OR_BETTER,
    INADEQUATE,
    REQUIRES_IMPROVEMENT,
    History,
    Judgement,
)

DAYS_PER_YEAR = 365.25
Z95 = 1.959963984540054  # the 97.5th percentile of the standard normal distribution
GRID_STEP = 0.25  # years
START_JUDGEMENTS = (INADEQUATE, REQUIRES_IMPROVEMENT)
ANY = "any"  # a group of every starting judgement, framework or region
ALL = "all"


@dataclass(frozen=True)
class Spell:
    council: str
    region: str
    start_judgement: str
    framework: str  # the family of the judgement that started it: sif or ilacs
    started: dt.date
    ended: dt.date  # the judgement of good or better, or the day it was censored
    improved: bool
    judgements: int  # not-good judgements in the spell

    @property
    def years(self) -> float:
        return (self.ended - self.started).days / DAYS_PER_YEAR


def spells_of(judgements: Sequence[Judgement], *, censor: dt.date, region: str = "") -> list[Spell]:
    """The spells of one council, from its overall judgements (any order)."""
    spells: list[Spell] = []
    opened: Judgement | None = None
    count = 0
    for judgement in sorted(judgements, key=lambda j: j.published):
        if not judgement.family or not judgement.overall:
            continue
        if judgement.overall in GOOD_OR_BETTER:
            if opened is not None:
                spells.append(_spell(opened, judgement.published, True, count, region))
                opened, count = None, 0
        elif opened is None:
            opened, count = judgement, 1
        else:
            count += 1
    if opened is not None:
        if censor < opened.published:
            raise ValueError(f"{opened.council}: censored before the spell began")
        spells.append(_spell(opened, censor, False, count, region))
    return spells


def _spell(start: Judgement, ended: dt.date, improved: bool, count: int, region: str) -> Spell:
    return Spell(
        council=start.council,
        region=region,
        start_judgement=start.overall,
        framework=start.family,
        started=start.published,
        ended=ended,
        improved=improved,
        judgements=count,
    )


def spells(history: History) -> list[Spell]:
    """Every council's spells, censored at the data's cut-off (or the day a council ended)."""
    cutoff = history.latest_publication()
    by_council: dict[str, list[Judgement]] = {}
    for judgement in history.overall():
        by_council.setdefault(judgement.council, []).append(judgement)
    found: list[Spell] = []
    for code, judgements in sorted(by_council.items()):
        council = history.councils[code]
        censor = min(cutoff, council.ended) if council.ended else cutoff
        found.extend(spells_of(judgements, censor=censor, region=council.region))
    return found


@dataclass(frozen=True)
class Curve:
    """A Kaplan-Meier estimate: survival just after each time a spell ended in improvement."""

    event_times: tuple[float, ...]
    survival: tuple[float, ...]
    std_error: tuple[float, ...]
    durations: tuple[float, ...]  # every spell's time, sorted, to count those at risk
    spells: int
    improved: int

    @classmethod
    def fit(cls, group: Iterable[Spell]) -> Curve:
        from statsmodels.duration.survfunc import SurvfuncRight  # noqa: PLC0415  statsmodels takes about a second: only when estimating

        items = list(group)
        if not items:
            raise ValueError("no spells to estimate from")
        times = [s.years for s in items]
        status = [1 if s.improved else 0 for s in items]
        improved = sum(status)
        if improved == 0:  # nothing to estimate: survival stays at 1
            return cls((), (), (), tuple(sorted(times)), len(items), 0)
        fitted = SurvfuncRight(times, status)
        return cls(
            tuple(float(t) for t in fitted.surv_times),
            tuple(float(s) for s in fitted.surv_prob),
            tuple(float(e) for e in fitted.surv_prob_se),
            tuple(sorted(times)),
            len(items),
            improved,
        )

    def at(self, years: float) -> tuple[float, float, float]:
        """Survival at a time, with its pointwise 95% interval (log(-log) scale)."""
        position = _last_at_or_before(self.event_times, years)
        if position < 0:
            return 1.0, 1.0, 1.0
        survival, error = self.survival[position], self.std_error[position]
        if survival <= 0.0 or survival >= 1.0 or error == 0.0:
            return survival, survival, survival
        spread = Z95 * error / (survival * abs(math.log(survival)))
        return survival, survival ** math.exp(spread), survival ** math.exp(-spread)

    def at_risk(self, years: float) -> int:
        """Spells still open and observed just before this time."""
        return len(self.durations) - bisect_left(self.durations, years - 1e-9)

    def grid(self, step: float = GRID_STEP) -> list[float]:
        """Every `step` years up to the longest spell, and each time the curve steps."""
        longest = self.durations[-1]
        regular = [round(i * step, 6) for i in range(int(longest / step + 1e-9) + 1)]
        return sorted({*regular, *(round(t, 6) for t in self.event_times)})


def _last_at_or_before(times: Sequence[float], value: float) -> int:
    return bisect_right(times, value + 1e-9) - 1


@dataclass(frozen=True)
class Estimate:
    start_judgement: str
    framework: str
    region: str
    years: float
    share_good_or_better: float
    lower95: float
    upper95: float
    at_risk: int


def groups(
    found: Sequence[Spell], *, by_region: bool = False
) -> list[tuple[str, str, str, list[Spell]]]:
    """(start judgement, framework, region, spells) for every group with a spell in it.

    Starting judgement × framework (each, and `any`/`all`); with `by_region`, starting judgement
    × region across both frameworks.
    """
    starts = [*START_JUDGEMENTS, ANY]
    result: list[tuple[str, str, str, list[Spell]]] = []
    if by_region:
        regions = sorted({s.region for s in found})
        for start in starts:
            for region in regions:
                chosen = [
                    s for s in found if s.region == region and start in (ANY, s.start_judgement)
                ]
                if chosen:
                    result.append((start, ALL, region, chosen))
        return result
    for start in starts:
        for framework in ("sif", "ilacs", ALL):
            chosen = [
                s
                for s in found
                if start in (ANY, s.start_judgement) and framework in (ALL, s.framework)
            ]
            if chosen:
                result.append((start, framework, ALL, chosen))
    return result


def estimates(
    history: History, *, by_region: bool = False, step: float = GRID_STEP
) -> list[Estimate]:
    """The share improved over time for every group, on the grid described above."""
    rows: list[Estimate] = []
    for start, framework, region, chosen in groups(spells(history), by_region=by_region):
        curve = Curve.fit(chosen)
        for years in curve.grid(step):
            survival, low, high = curve.at(years)
            rows.append(
                Estimate(
                    start_judgement=start,
                    framework=framework,
                    region=region,
                    years=years,
                    share_good_or_better=1.0 - survival,
                    lower95=1.0 - high,
                    upper95=1.0 - low,
                    at_risk=curve.at_risk(years),
                )
            )
    return rows
