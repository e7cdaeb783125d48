"""Did support work? Supported councils against matched councils that were not supported.

Plain inputs: the judgement history, the published measures (`insight.associations`) and the
supported councils with the day support started. Every choice, as the page states it:

- A supported council's *starting judgement* is its latest overall judgement (SIF or ILACS)
  published before support started. Only councils starting from requires improvement or
  inadequate are compared; the others are listed as left out, with the reason.
- *Comparison councils* were never supported (by any programme in the service), existed on the
  day support started, stood at the same judgement then, and had it published within
  `WINDOW_DAYS` of the supported council's, and can be followed for as long as the supported
  council (up to `RMST_YEARS`): a council abolished soon after is no comparison. Their clock
  starts on the same day as the supported council's.
- *Matching*: nearest neighbour (1 to 1, with replacement, because there are few councils) on
  the standardised published measures for the statistics year before support started (social
  worker turnover, agency workers, caseload, re-referrals) and the years since the starting
  judgement. A council with any of these missing cannot be matched and is counted.
- *Balance*: the standardised mean difference of each measure, supported against every eligible
  comparison council (before matching) and against the matched ones (after), over the same
  pooled standard deviation (|SMD| < 0.1 is the usual sign of good balance; with so few councils
  it is rarely reached).
- *Outcomes*: judged good or better within 2, 3 and 4 years of support starting; the average
  years spent below good in the 5 years after (the restricted mean time to good or better); and
  the change in each measure over the two statistics years of support. A pair counts for an
  outcome only when both councils could be observed for long enough.
- *Intervals*: 95% percentile bootstrap intervals, resampling the matched pairs (`BOOTSTRAP`
  resamples, fixed seed). A comparison council matched more than once makes pairs dependent,
  so the intervals may be too narrow.
- It is an observational comparison: the councils chosen for support differed in ways the
  published figures do not show, and Ofsted decides when to inspect.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from insight.associations import MEASURES, Values
from insight.history import INADEQUATE, REQUIRES_IMPROVEMENT, History
from insight.standing import Standings

WINDOW_DAYS = 365
HORIZONS = (2, 3, 4)
RMST_YEARS = 5
SUPPORT_YEARS = 2
BOOTSTRAP = 2000
SEED = 18
MIN_PAIRS_FOR_INTERVAL = 5
YEAR_DAYS = 365.25
SINCE = "years-since-judgement"
NO_COMPARISON = (
    "no council that was never supported stood at the same judgement then, judged about as "
    "long ago, and could be followed as long"
)
COVARIATES = (*MEASURES, SINCE)
COVARIATE_LABELS = {
    **{m: label for m, (_f, _c, label) in MEASURES.items()},
    SINCE: "Years since the starting judgement",
}


@dataclass(frozen=True)
class Supported:
    council: str  # ONS code
    starts: dt.date
    programme: str = ""


@dataclass
class Unit:
    council: str
    name: str
    starts: dt.date
    grade: str
    judged_on: dt.date
    covariates: dict[str, float]
    years_to_good: float | None  # None: not judged good or better in the data
    observed_years: float  # from the start to the end of the data (or of the council)
    changes: dict[str, float] = field(default_factory=dict)  # measure -> change over support


@dataclass(frozen=True)
class Pair:
    supported: str
    comparison: str
    grade: str
    starts: dt.date
    distance: float


@dataclass(frozen=True)
class Balance:
    covariate: str
    label: str
    smd_before: float
    smd_after: float


@dataclass(frozen=True)
class Outcome:
    name: str
    label: str
    unit: str  # "%", "years" or the measure's own
    pairs: int
    supported_mean: float
    comparison_mean: float
    difference: float
    lower95: float
    upper95: float


@dataclass(frozen=True)
class Result:
    supported: int  # supported councils given
    matched: int
    candidates: int  # eligible comparison councils (distinct)
    most_reused: int  # the most pairs any one comparison council is in
    left_out: list[tuple[str, str]]  # (council name, reason)
    pairs: list[Pair]
    balance: list[Balance]
    outcomes: list[Outcome]
    data_until: dt.date


def _years(start: dt.date, end: dt.date) -> float:
    return (end - start).days / YEAR_DAYS


def _unit(
    standings: Standings, measures: dict[str, Values], council: str, starts: dt.date
) -> Unit | str:
    """The council as it stood on `starts`, or the reason it cannot be compared."""
    known = standings.councils.get(council)
    if known is None:
        return "not a council in the judgement data"
    if not standings.exists_on(council, starts):
        return "did not exist on the day support started"
    latest = standings.latest_before(council, starts)
    if latest is None:
        return "no overall judgement before support started"
    if latest.overall not in (REQUIRES_IMPROVEMENT, INADEQUATE):
        return "judged good or better when support started"
    year = starts.year - 1
    covariates = {m: values.get((council, year), math.nan) for m, values in measures.items()}
    covariates[SINCE] = _years(latest.published, starts)
    good = standings.first_good_after(council, starts)
    changes = {
        m: values.get((council, year + SUPPORT_YEARS), math.nan) - covariates[m]
        for m, values in measures.items()
    }
    return Unit(
        council=council,
        name=known.name,
        starts=starts,
        grade=latest.overall,
        judged_on=latest.published,
        covariates=covariates,
        years_to_good=None if good is None else _years(starts, good.published),
        observed_years=_years(starts, standings.observed_until(council)),
        changes=changes,
    )


def _complete(unit: Unit) -> bool:
    return all(math.isfinite(unit.covariates.get(c, math.nan)) for c in COVARIATES)


def _smd(treated: np.ndarray, control: np.ndarray, pooled: float) -> float:
    if len(treated) == 0 or len(control) == 0:
        return math.nan
    return 0.0 if pooled == 0 else float(np.mean(treated) - np.mean(control)) / pooled


def _improved_within(unit: Unit, years: float) -> float:
    if unit.years_to_good is not None and unit.years_to_good <= years:
        return 1.0
    return 0.0 if unit.observed_years >= years else math.nan


def _years_below_good(unit: Unit) -> float:
    if unit.years_to_good is not None and unit.years_to_good <= RMST_YEARS:
        return unit.years_to_good
    return float(RMST_YEARS) if unit.observed_years >= RMST_YEARS else math.nan


def _outcome(
    name: str,
    label: str,
    unit_label: str,
    treated: np.ndarray,
    control: np.ndarray,
    rng: np.random.Generator,
    scale: float = 1.0,
) -> Outcome:
    keep = np.isfinite(treated) & np.isfinite(control)
    t, c = treated[keep] * scale, control[keep] * scale
    n = len(t)
    if n == 0:
        return Outcome(name, label, unit_label, 0, *(math.nan,) * 5)
    low = high = math.nan
    if n >= MIN_PAIRS_FOR_INTERVAL:
        draws = rng.integers(0, n, size=(BOOTSTRAP, n))
        differences = t[draws].mean(axis=1) - c[draws].mean(axis=1)
        low, high = (float(x) for x in np.percentile(differences, [2.5, 97.5]))
    return Outcome(
        name=name,
        label=label,
        unit=unit_label,
        pairs=n,
        supported_mean=float(t.mean()),
        comparison_mean=float(c.mean()),
        difference=float(t.mean() - c.mean()),
        lower95=low,
        upper95=high,
    )


def _treated(
    standings: Standings, measures: dict[str, Values], given: list[Supported]
) -> tuple[list[Unit], list[tuple[str, str]]]:
    """The supported councils that can be compared, and the others with the reason."""
    treated: list[Unit] = []
    left_out: list[tuple[str, str]] = []
    seen: set[str] = set()
    for item in sorted(given, key=lambda s: (s.starts, s.council)):
        known = standings.councils.get(item.council)
        name = known.name if known is not None else item.council
        if item.council in seen:
            left_out.append((name, "supported more than once: the first counts"))
            continue
        seen.add(item.council)
        unit = _unit(standings, measures, item.council, item.starts)
        if isinstance(unit, str):
            left_out.append((name, unit))
        elif not _complete(unit):
            left_out.append((unit.name, "a published measure is missing for the year before"))
        else:
            treated.append(unit)
    return treated, left_out


def _pool(
    standings: Standings, measures: dict[str, Values], unit: Unit, excluded: set[str]
) -> list[Unit]:
    """Councils never supported that stood at the same judgement, published about as long ago,
    and that can be followed for as long as the supported council (up to `RMST_YEARS`)."""
    pool = []
    for council in sorted(standings.councils):
        if council in excluded:
            continue
        candidate = _unit(standings, measures, council, unit.starts)
        if (
            isinstance(candidate, Unit)
            and candidate.grade == unit.grade
            and abs((candidate.judged_on - unit.judged_on).days) <= WINDOW_DAYS
            and candidate.observed_years >= min(unit.observed_years, RMST_YEARS)
            and _complete(candidate)
        ):
            pool.append(candidate)
    return pool


def _vector(unit: Unit) -> np.ndarray:
    return np.array([unit.covariates[c] for c in COVARIATES], dtype=float)


def _balance(
    treated: list[Unit], before: list[Unit], matched: list[Unit], chosen: list[Unit]
) -> list[Balance]:
    found = []
    for covariate in COVARIATES:
        t_all = np.array([u.covariates[covariate] for u in treated])
        c_all = np.array([u.covariates[covariate] for u in before])
        pooled = (
            math.sqrt((float(np.var(t_all)) + float(np.var(c_all))) / 2)
            if len(t_all) and len(c_all)
            else 0.0
        )
        found.append(
            Balance(
                covariate,
                COVARIATE_LABELS[covariate],
                _smd(t_all, c_all, pooled),
                _smd(
                    np.array([u.covariates[covariate] for u in matched]),
                    np.array([u.covariates[covariate] for u in chosen]),
                    pooled,
                ),
            )
        )
    return found


def _outcomes(matched: list[Unit], chosen: list[Unit]) -> list[Outcome]:
    rng = np.random.default_rng(SEED)

    def compare(name: str, label: str, unit: str, value: Any, scale: float = 1.0) -> Outcome:
        return _outcome(
            name,
            label,
            unit,
            np.array([value(u) for u in matched], dtype=float),
            np.array([value(u) for u in chosen], dtype=float),
            rng,
            scale,
        )

    found = [
        compare(
            f"good-within-{h}",
            f"Judged good or better within {h} years",
            "%",
            lambda u, h=h: _improved_within(u, h),
            100.0,
        )
        for h in HORIZONS
    ]
    found.append(
        compare(
            "years-below-good",
            f"Years below good in the {RMST_YEARS} years after support started",
            "years",
            _years_below_good,
        )
    )
    for measure, (_file, _column, label) in MEASURES.items():
        found.append(
            compare(
                f"change-{measure}",
                f"Change in {label[0].lower()}{label[1:]} over {SUPPORT_YEARS} years",
                "",
                lambda u, m=measure: u.changes.get(m, math.nan),
            )
        )
    return found


def evaluate(
    history: History,
    measures: dict[str, Values],
    supported: Iterable[Supported],
    *,
    never_supported: Iterable[str] = (),
) -> Result:
    """Match each supported council to a comparison council and compare what happened next.

    `never_supported` adds councils that must not be comparisons (every council any programme
    supported); the supported councils given are never comparisons either."""
    standings = Standings(history)
    given = list(supported)
    excluded = {s.council for s in given} | set(never_supported)
    treated, left_out = _treated(standings, measures, given)
    pools = [_pool(standings, measures, unit, excluded) for unit in treated]
    everyone: dict[str, Unit] = {}
    for pool in pools:
        for candidate in pool:
            everyone.setdefault(candidate.council, candidate)
    # Scale each measure by its spread over the supported and every eligible comparison council.
    matrix = np.array([_vector(u) for u in treated + list(everyone.values())], dtype=float)
    centre = matrix.mean(axis=0) if len(matrix) else np.zeros(len(COVARIATES))
    spread = matrix.std(axis=0) if len(matrix) else np.ones(len(COVARIATES))
    spread[spread == 0] = 1.0
    matched: list[Unit] = []
    chosen: list[Unit] = []
    pairs: list[Pair] = []
    for unit, pool in zip(treated, pools, strict=True):
        if not pool:
            left_out.append((unit.name, NO_COMPARISON))
            continue
        mine = (_vector(unit) - centre) / spread
        distances = [float(np.linalg.norm((_vector(c) - centre) / spread - mine)) for c in pool]
        best = int(np.argmin(distances))  # the first of equals: councils in code order
        matched.append(unit)
        chosen.append(pool[best])
        pairs.append(
            Pair(unit.name, pool[best].name, unit.grade, unit.starts, round(distances[best], 3))
        )
    return Result(
        supported=len(given),
        matched=len(pairs),
        candidates=len(everyone),
        most_reused=max(Counter(c.council for c in chosen).values(), default=0),
        left_out=left_out,
        pairs=pairs,
        balance=_balance(treated, list(everyone.values()), matched, chosen),
        outcomes=_outcomes(matched, chosen),
        data_until=standings.data_until,
    )
