"""The national picture as a Python API: Ofsted judgements as at any date, the share of councils
rated requires improvement or inadequate (and how it changed), and each council's published
indicators beside its statistical neighbours, region and England.

No request objects here: the views, the CLI and other apps (the improvement programme's "who needs
support and why") call these functions. Documented in docs/national-picture.md.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db.models import Q
from django.utils import timezone

from alliance.nationalpicture.loaders import COUNCIL_STARTED, ENGLAND, KEY_INDICATORS
from alliance.nationalpicture.models import (
    OVERALL_FRAMEWORKS,
    Grade,
    Indicator,
    IndicatorValue,
    Judgement,
)
from alliance.organisations import reference_cache
from alliance.organisations.models import Council, StatisticalNeighbour

NEIGHBOUR_MODEL = "2025"
BELOW_GOOD = (Grade.REQUIRES_IMPROVEMENT.value, Grade.INADEQUATE.value)
# Ofsted's first inspections under the single inspection framework were published in 2014.
FIRST_SIF = dt.date(2014, 1, 1)
MARKER_LABELS = {
    "c": "suppressed",
    "x": "not available",
    "z": "not applicable",
    "low": "fewer than 0.5",
    "u": "low reliability",
    "k": "fewer than 0.5",
    ":": "not available",
    "..": "not available",
    "-": "not available",
    "#VALUE!": "not available",
}


# ---------------------------------------------------------------------------------------------
# Judgements


PUBLISHED = "published"
INSPECTED = "inspected"


def _effective(judgement: Judgement, basis: str) -> dt.date:
    """The date a judgement counts from: its publication (the default: it was public then), or,
    as Ofsted's own "as at" tables count, the day the inspection began where that is known."""
    if basis == INSPECTED and judgement.inspection_date is not None:
        return judgement.inspection_date
    return judgement.published


def _overall_judgements(until: dt.date | None = None, basis: str = PUBLISHED) -> list[Judgement]:
    """SIF and ILACS judgements with an overall grade, ordered by the date they count from."""
    rows = Judgement.objects.filter(framework__in=OVERALL_FRAMEWORKS).exclude(overall="")
    if until is not None:
        # An inspection always begins before its report is published: this filter is safe for
        # both bases, and the exact cut is made by `_effective`.
        rows = (
            rows.filter(published__lte=until)
            if basis == PUBLISHED
            else rows.filter(Q(published__lte=until) | Q(inspection_date__lte=until))
        )
    found = list(rows.only(*_JUDGEMENT_FIELDS))
    found.sort(key=lambda j: (_effective(j, basis), j.pk))
    return found


_JUDGEMENT_FIELDS = (
    "id",
    "council_id",
    "area_name",
    "ended",
    "framework",
    "inspection_date",
    "published",
    "overall",
    "leaders",
    "help_and_protection",
    "children_in_care",
    "care_leavers",
    "adoption",
    "source",
    "link",
)


def latest_judgements(as_at: dt.date | None = None) -> dict[int, Judgement]:
    """Each council's most recent overall judgement (SIF or ILACS) published on or before
    `as_at` (default today), by council id. Councils not yet judged are absent. Once a day per
    reference load."""
    day = as_at or timezone.localdate()
    return reference_cache.remembered(f"latest-judgements:{day}", lambda: _latest_judgements(day))


def _latest_judgements(day: dt.date) -> dict[int, Judgement]:
    latest: dict[int, Judgement] = {}
    for judgement in _overall_judgements(day):
        if judgement.council_id is not None:
            latest[judgement.council_id] = judgement  # ordered by date: the last one wins
    return latest


def judgement_history(council: Council) -> list[Judgement]:
    """Every published judgement of the council, newest first, all frameworks."""
    return list(Judgement.objects.filter(council=council).order_by("-published", "-id"))


@dataclass
class GradeShare:
    """How the councils that existed on `as_at` stood: each one's most recent overall judgement
    on or before that date. `share` is the proportion of judged councils rated requires
    improvement or inadequate (None when none were judged)."""

    as_at: dt.date
    councils: int
    counts: dict[str, int]
    not_judged: list[str] = field(default_factory=list)

    @property
    def judged(self) -> int:
        return sum(self.counts.values())

    @property
    def below_good(self) -> int:
        return sum(self.counts.get(g, 0) for g in BELOW_GOOD)

    @property
    def share(self) -> float | None:
        return self.below_good / self.judged if self.judged else None

    @property
    def percent(self) -> float | None:
        return None if self.share is None else 100 * self.share


def former_councils() -> dict[str, dt.date]:
    """Councils that no longer exist (their judgements are held under their name): name → the
    day they ended."""
    rows = Judgement.objects.filter(council__isnull=True, ended__isnull=False)
    return {
        name: ended for name, ended in rows.values_list("area_name", "ended").distinct() if ended
    }


def _existing_on(day: dt.date, councils: Sequence[Council]) -> list[Council]:
    return [c for c in councils if COUNCIL_STARTED.get(c.dfe_code, dt.date.min) <= day]


def _share(
    day: dt.date,
    councils: Sequence[Council],
    judgements: Sequence[Judgement],
    basis: str = PUBLISHED,
    formers: dict[str, dt.date] | None = None,
) -> GradeShare:
    """`judgements` ordered by the date they count from (see `_effective`); `formers` maps each
    former council's name to the day it ended."""
    latest: dict[str, str] = {}
    former_ended: dict[str, dt.date] = dict(formers or {})
    for j in judgements:
        if _effective(j, basis) > day:
            break
        key = f"c{j.council_id}" if j.council_id is not None else j.area_name
        latest[key] = j.overall
        if j.council_id is None and j.ended is not None:
            former_ended[key] = j.ended
    existing = _existing_on(day, councils)
    subjects: dict[str, str] = {f"c{c.pk}": c.name for c in existing}
    for key, ended in former_ended.items():
        if ended > day:
            subjects[key] = key
    counts = {g.value: 0 for g in Grade}
    not_judged: list[str] = []
    for key, name in subjects.items():
        grade = latest.get(key)
        if grade:
            counts[grade] += 1
        else:
            not_judged.append(name)
    return GradeShare(
        as_at=day, councils=len(subjects), counts=counts, not_judged=sorted(not_judged)
    )


def share_below_good(as_at: dt.date | None = None, basis: str = PUBLISHED) -> GradeShare:
    """The share of councils rated requires improvement or inadequate as at a date (default
    today), with the counts behind it. Councils that existed then count (former councils before
    they ended, their successors from when they began); a council with no SIF or ILACS judgement
    yet is listed in `not_judged` and left out of the share.

    `basis` says when a judgement starts to count: PUBLISHED (default: the day its report was
    published) or INSPECTED (the day the inspection began, as Ofsted's official "as at" tables
    count; the SIF history has publication dates only)."""
    day = as_at or timezone.localdate()
    councils = list(Council.objects.only("id", "name", "dfe_code"))
    return _share(day, councils, _overall_judgements(day, basis), basis, former_councils())


def share_over_time(
    start: dt.date = FIRST_SIF, end: dt.date | None = None, months: int = 3
) -> list[GradeShare]:
    """The share at the start of every `months`-month period from `start` to `end` (default
    today), and at `end` itself. Worked out once a day per reference load."""
    end = end or timezone.localdate()
    return reference_cache.remembered(
        f"share-over-time:{start}:{end}:{months}", lambda: _share_over_time(start, end, months)
    )


def _share_over_time(start: dt.date, end: dt.date, months: int) -> list[GradeShare]:
    councils = list(Council.objects.only("id", "name", "dfe_code"))
    judgements = _overall_judgements(end)
    formers = former_councils()
    points: list[GradeShare] = []
    day = start
    while day < end:
        points.append(_share(day, councils, judgements, PUBLISHED, formers))
        day = (day + relativedelta(months=months)).replace(day=1)
    points.append(_share(end, councils, judgements, PUBLISHED, formers))
    return points


def shares_at(days: Sequence[dt.date], basis: str = PUBLISHED) -> list[GradeShare]:
    """The share at each of several dates, in one pass (three queries), once per reference load."""
    if not days:
        return []
    key = "shares-at:" + basis + ":" + ",".join(d.isoformat() for d in days)
    return reference_cache.remembered(key, lambda: _shares_at(days, basis))


def _shares_at(days: Sequence[dt.date], basis: str) -> list[GradeShare]:
    councils = list(Council.objects.only("id", "name", "dfe_code"))
    judgements = _overall_judgements(max(days), basis)
    formers = former_councils()
    return [_share(d, councils, judgements, basis, formers) for d in days]


def last_published() -> dt.date | None:
    """The most recent publication date of any judgement held: the data are as at this date."""
    latest = Judgement.objects.order_by("-published").values_list("published", flat=True).first()
    return latest


# ---------------------------------------------------------------------------------------------
# Indicators


@dataclass(frozen=True)
class Figure:
    """A published figure: a value, or a marker saying why there is none."""

    value: float | None
    marker: str = ""

    @property
    def missing_label(self) -> str:
        """'suppressed', 'not available'…: what to show instead of a number."""
        if self.value is not None:
            return ""
        return MARKER_LABELS.get(self.marker, "not available")


NOT_AVAILABLE = Figure(None, "")


@dataclass
class Comparison:
    """One indicator's series for a council beside its neighbours' mean, its region and England."""

    indicator: Indicator
    periods: list[str]
    council: list[Figure]
    neighbours: list[Figure]
    neighbours_reporting: list[int]
    region: list[Figure]
    england: list[Figure]

    def latest_index(self) -> int | None:
        for i in range(len(self.periods) - 1, -1, -1):
            if self.council[i].value is not None:
                return i
        return None


def neighbours_of(council: Council, model: str = NEIGHBOUR_MODEL) -> list[Council]:
    """The council's statistical neighbours in rank order (nearest first)."""
    links = (
        StatisticalNeighbour.objects.filter(council=council, model=model)
        .select_related("neighbour__region")
        .order_by("rank")
    )
    return [link.neighbour for link in links]


def compare(
    council: Council,
    codes: Iterable[str] = KEY_INDICATORS,
    neighbours: Sequence[Council] | None = None,
) -> list[Comparison]:
    """Each indicator's series for the council, the mean of its statistical neighbours (over
    those with a published value), its region and England. Two queries, once per reference load."""
    codes = list(codes)
    neighbours = list(neighbours) if neighbours is not None else neighbours_of(council)
    key = ",".join(["compare", council.dfe_code, *codes, "|", *(n.dfe_code for n in neighbours)])
    return reference_cache.remembered(key, lambda: _compare(council, codes, neighbours))


def _compare(council: Council, codes: list[str], neighbours: list[Council]) -> list[Comparison]:
    neighbour_codes = [n.dfe_code for n in neighbours]
    region_code = council.region.code
    areas = [council.dfe_code, region_code, ENGLAND, *neighbour_codes]
    indicators = {i.code: i for i in Indicator.objects.filter(code__in=codes)}
    values: dict[str, dict[tuple[int, str], Figure]] = defaultdict(dict)
    labels: dict[str, dict[int, str]] = defaultdict(dict)
    rows = IndicatorValue.objects.filter(
        indicator__code__in=codes, area_code__in=areas
    ).values_list("indicator__code", "area_code", "period", "period_sort", "value", "marker")
    for code, area, period, sort, value, marker in rows:
        values[code][(sort, area)] = Figure(value, marker)
        labels[code][sort] = period
    result: list[Comparison] = []
    for code in codes:
        indicator = indicators.get(code)
        if indicator is None:
            continue
        sorts = sorted(s for s in labels[code] if (s, council.dfe_code) in values[code])
        if not sorts:
            sorts = sorted(labels[code])
        series = values[code]
        mean: list[Figure] = []
        reporting: list[int] = []
        for sort in sorts:
            found = [series[(sort, n)].value for n in neighbour_codes if (sort, n) in series]
            numbers = [v for v in found if v is not None]
            reporting.append(len(numbers))
            mean.append(Figure(round(statistics.fmean(numbers), 1)) if numbers else NOT_AVAILABLE)
        result.append(
            Comparison(
                indicator=indicator,
                periods=[labels[code][s] for s in sorts],
                council=[series.get((s, council.dfe_code), NOT_AVAILABLE) for s in sorts],
                neighbours=mean,
                neighbours_reporting=reporting,
                region=[series.get((s, region_code), NOT_AVAILABLE) for s in sorts],
                england=[series.get((s, ENGLAND), NOT_AVAILABLE) for s in sorts],
            )
        )
    return result


@dataclass
class Concern:
    """An indicator where the council's latest figure got worse, or is far from its neighbours'
    on the wrong side (more than one standard deviation of the neighbours' figures)."""

    indicator: Indicator
    period: str
    value: float
    previous: float | None
    neighbours_mean: float | None
    worsening: bool
    far_from_neighbours: bool
    # How many of the neighbours' standard deviations the council is behind (negative: behind).
    gap: float | None = None

    @property
    def reason(self) -> str:
        parts = []
        if self.worsening:
            parts.append("worse than the year before")
        if self.far_from_neighbours:
            parts.append("well behind statistical neighbours")
        return " and ".join(parts)


def concerns(
    council: Council, neighbours: Sequence[Council] | None = None, source: str | None = None
) -> list[Concern]:
    """Indicators with a polarity (from the LAIT dictionary, or set for the official measures)
    where the council's latest figure is worse than its previous one, or worse than its
    neighbours' mean by more than one standard deviation of their figures. Worked out once per
    reference load (it reads every figure of the council and its neighbours)."""
    neighbours = list(neighbours) if neighbours is not None else neighbours_of(council)
    key = ",".join(
        ["concerns", council.dfe_code, source or "", *sorted(n.dfe_code for n in neighbours)]
    )
    return reference_cache.remembered(key, lambda: _concerns(council, neighbours, source))


def _concerns(council: Council, neighbours: Sequence[Council], source: str | None) -> list[Concern]:
    neighbour_codes = {n.dfe_code for n in neighbours}
    directed = Indicator.objects.filter(polarity__in=["high", "low"])
    if source:
        directed = directed.filter(source=source)
    indicators = directed.in_bulk()
    # Filtering on the indicator ids (not a join on polarity) lets SQLite use the area index.
    rows = IndicatorValue.objects.filter(
        area_code__in=[council.dfe_code, *neighbour_codes],
        indicator_id__in=list(indicators),
        value__isnull=False,
    )
    series: dict[int, dict[int, tuple[str, float]]] = defaultdict(dict)
    others: dict[tuple[int, int], list[float]] = defaultdict(list)
    for indicator_id, area, period, sort, value in rows.values_list(
        "indicator_id", "area_code", "period", "period_sort", "value"
    ):
        if value is None:
            continue
        if area == council.dfe_code:
            series[indicator_id][sort] = (period, value)
        else:
            others[(indicator_id, sort)].append(value)
    found: list[Concern] = []
    for indicator_id, points in series.items():
        indicator = indicators[indicator_id]
        sorts = sorted(points)
        latest = sorts[-1]
        period, value = points[latest]
        previous = points[sorts[-2]][1] if len(sorts) > 1 else None
        sign = 1 if indicator.polarity == "high" else -1
        worsening = previous is not None and sign * (value - previous) < 0
        peers = others.get((indicator_id, latest), [])
        mean = sum(peers) / len(peers) if len(peers) >= 3 else None
        far = False
        gap = None
        if mean is not None:
            # Plain floats: statistics.pstdev works in exact fractions, slow over 400 indicators.
            spread = math.sqrt(sum((p - mean) ** 2 for p in peers) / len(peers))
            gap = sign * (value - mean) / spread if spread > 0 else None
            far = gap is not None and gap < -1
        if worsening or far:
            found.append(Concern(indicator, period, value, previous, mean, worsening, far, gap))
    # The official children's social care measures first, then the furthest behind neighbours.
    found.sort(
        key=lambda c: (
            c.indicator.source != "ees",
            not c.far_from_neighbours,
            c.gap if c.gap is not None else 0.0,
            not c.worsening,
            c.indicator.name,
        )
    )
    return found
