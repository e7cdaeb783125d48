"""Who needs support and why, and which partner suits each council.

The need score adds up points, each with its reason in words, from:
- the council's latest overall Ofsted judgement (SIF or ILACS) as at the chosen date, and each
  sub-judgement below good;
- how old that judgement is (a council below good whose last inspection is old has gone longest
  without evidence of improvement);
- the trend between its last two overall judgements;
- the published key indicators (DfE official statistics, see nationalpicture.loaders.KEY_INDICATORS)
  whose latest figure as at the date is worse than the year before, or worse than the statistical
  neighbours' mean by more than one standard deviation of their figures (the same test as
  nationalpicture.services.concerns, done for all councils in one query).
The council's own returns (alliance.returns), where uploaded, are shown beside the score but not
scored: which direction is "better" is not defined for those indicators yet. They are shown with
small numbers suppressed, as the aggregates are (alliance.returns.interface).

Weights are plain numbers a person can change (`Weights.from_query`); nothing is hidden.
"""

from __future__ import annotations

import datetime as dt
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from django.db.models import Count

from alliance.nationalpicture.interface import (
    KEY_INDICATORS,
    NEIGHBOUR_MODEL,
    OVERALL_FRAMEWORKS,
    SIF_SUB_JUDGEMENTS,
    Grade,
    Indicator,
    IndicatorValue,
    Judgement,
    latest_judgements,
)
from alliance.organisations.models import Council, ReferenceLoad, StatisticalNeighbour
from alliance.programme.models import OfstedArea, Partner
from alliance.returns.interface import suppressed_indicators

AREAS: tuple[tuple[str, str], ...] = tuple((a.value, str(a.label)) for a in OfstedArea)
AREA_LABELS = dict(AREAS)
# Which Ofsted area each key indicator speaks to (for matching needs to strengths).
INDICATOR_AREAS = {
    "ees-cla-rate": OfstedArea.CHILDREN_IN_CARE.value,
    "ees-placements-3plus": OfstedArea.CHILDREN_IN_CARE.value,
    "ees-placement-long-term": OfstedArea.CHILDREN_IN_CARE.value,
    "ees-rereferrals": OfstedArea.HELP_AND_PROTECTION.value,
    "ees-repeat-cp-plans": OfstedArea.HELP_AND_PROTECTION.value,
    "ees-care-leavers-eet-17-18": OfstedArea.CARE_LEAVERS.value,
    "ees-care-leavers-eet-19-21": OfstedArea.CARE_LEAVERS.value,
    "ees-care-leavers-suitable-17-18": OfstedArea.CARE_LEAVERS.value,
    "ees-care-leavers-suitable-19-21": OfstedArea.CARE_LEAVERS.value,
    "ees-sw-turnover": OfstedArea.LEADERS.value,
}
GRADE_WORDS = {g.value: str(g.label).lower() for g in Grade}
GRADE_RANK = {"outstanding": 0, "good": 1, "requires-improvement": 2, "inadequate": 3}
BELOW_GOOD = ("requires-improvement", "inadequate")


@dataclass(frozen=True)
class Weights:
    """Points for each kind of reason. Shown on the page and adjustable there."""

    overall_inadequate: float = 40
    overall_requires_improvement: float = 25
    not_inspected: float = 10
    area_inadequate: float = 8
    area_requires_improvement: float = 4
    declined: float = 10
    per_year_since_inspection: float = 2
    indicator_worsening: float = 1
    indicator_far_from_neighbours: float = 2

    LABELS = {
        "overall_inadequate": "Overall judgement inadequate",
        "overall_requires_improvement": "Overall judgement requires improvement",
        "not_inspected": "No overall judgement held",
        "area_inadequate": "Each area judged inadequate",
        "area_requires_improvement": "Each area judged requires improvement",
        "declined": "Overall judgement worse than the one before",
        "per_year_since_inspection": "Each year since a below-good judgement (up to 5)",
        "indicator_worsening": "Each key indicator worse than the year before",
        "indicator_far_from_neighbours": "Each key indicator well behind statistical neighbours",
    }

    @classmethod
    def from_query(cls, query: Mapping[str, Any]) -> tuple[Weights, dict[str, str]]:
        """Weights from a GET form; unreadable or out-of-range values keep their default and
        come back as errors (field name → message)."""
        values: dict[str, float] = {}
        errors: dict[str, str] = {}
        for f in fields(cls):
            raw = query.get(f.name)
            if raw in (None, ""):
                continue
            try:
                number = float(str(raw))
            except ValueError:
                errors[f.name] = f"{cls.LABELS[f.name]} must be a number, like 5"
                continue
            if not math.isfinite(number) or not 0 <= number <= 100:
                errors[f.name] = f"{cls.LABELS[f.name]} must be between 0 and 100"
                continue
            values[f.name] = number
        return cls(**values), errors

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


@dataclass(frozen=True)
class Reason:
    text: str
    points: float
    area: str = ""  # the Ofsted area this reason speaks to, if any


@dataclass
class IndicatorFinding:
    code: str
    name: str
    period: str
    value: float
    previous: float | None
    neighbours_mean: float | None
    worsening: bool
    far: bool
    unit: str = ""


@dataclass
class Need:
    council: Council
    judgement: Judgement | None
    reasons: list[Reason] = field(default_factory=list)
    findings: list[IndicatorFinding] = field(default_factory=list)

    @property
    def score(self) -> float:
        return round(sum(r.points for r in self.reasons), 1)

    @property
    def below_good(self) -> bool:
        return self.judgement is not None and self.judgement.overall in BELOW_GOOD

    def area_weights(self) -> dict[str, float]:
        """Points per Ofsted area: what the council most needs help with."""
        found: dict[str, float] = defaultdict(float)
        for reason in self.reasons:
            if reason.area:
                found[reason.area] += reason.points
        return dict(found)


def _fmt(value: float, unit: str) -> str:
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


def _previous_overall(as_at: dt.date) -> dict[int, Judgement]:
    """Each council's overall judgement before its latest (as at the date)."""
    rows = (
        Judgement.objects.filter(
            framework__in=OVERALL_FRAMEWORKS, council__isnull=False, published__lte=as_at
        )
        .exclude(overall="")
        .order_by("council_id", "published", "id")
        .only("id", "council_id", "overall", "published")
    )
    history: dict[int, list[Judgement]] = defaultdict(list)
    for j in rows:
        history[j.council_id].append(j)  # type: ignore[index]
    return {cid: js[-2] for cid, js in history.items() if len(js) > 1}


def indicator_findings(
    councils: Iterable[Council], as_at: dt.date
) -> dict[int, list[IndicatorFinding]]:
    """Key indicators worse than the year before or well behind neighbours, for every council at
    once (periods whose first year is before the `as_at` year). Two queries."""
    councils = list(councils)
    neighbours: dict[int, list[str]] = defaultdict(list)
    for council_id, code in StatisticalNeighbour.objects.filter(model=NEIGHBOUR_MODEL).values_list(
        "council_id", "neighbour__dfe_code"
    ):
        neighbours[council_id].append(code)
    indicators = {i.id: i for i in Indicator.objects.filter(code__in=KEY_INDICATORS)}
    values: dict[tuple[int, str], dict[int, tuple[str, float]]] = defaultdict(dict)
    for indicator_id, area, period, sort, value in IndicatorValue.objects.filter(
        indicator_id__in=list(indicators),
        value__isnull=False,
        period_sort__lt=as_at.year * 10,
    ).values_list("indicator_id", "area_code", "period", "period_sort", "value"):
        if value is not None:
            values[(indicator_id, area)][sort] = (period, value)
    found: dict[int, list[IndicatorFinding]] = {}
    for council in councils:
        items: list[IndicatorFinding] = []
        for indicator_id, indicator in indicators.items():
            if indicator.polarity not in ("high", "low"):
                continue
            points = values.get((indicator_id, council.dfe_code))
            if not points:
                continue
            sorts = sorted(points)
            latest = sorts[-1]
            period, value = points[latest]
            previous = points[sorts[-2]][1] if len(sorts) > 1 else None
            sign = 1 if indicator.polarity == "high" else -1
            worsening = previous is not None and sign * (value - previous) < 0
            peers = [
                values[(indicator_id, code)][latest][1]
                for code in neighbours.get(council.pk, [])
                if latest in values.get((indicator_id, code), {})
            ]
            mean = statistics.fmean(peers) if len(peers) >= 3 else None
            far = False
            if mean is not None:
                spread = statistics.pstdev(peers)
                far = spread > 0 and sign * (value - mean) < -spread
            if worsening or far:
                items.append(
                    IndicatorFinding(
                        indicator.code,
                        indicator.name,
                        period,
                        value,
                        previous,
                        round(mean, 1) if mean is not None else None,
                        worsening,
                        far,
                        indicator.unit,
                    )
                )
        items.sort(key=lambda f: (not f.far, not f.worsening, f.name))
        found[council.pk] = items
    return found


def assess(
    as_at: dt.date | None = None,
    weights: Weights | None = None,
    councils: Iterable[Council] | None = None,
) -> list[Need]:
    """Every council's need, highest score first. For all councils the result is kept in this
    process until the reference data is loaded again (it depends on nothing else)."""
    as_at = as_at or dt.date.today()
    weights = weights or Weights()
    if councils is None:
        loaded = ReferenceLoad.objects.order_by("-pk").values_list("pk", flat=True).first()
        key = (loaded, as_at, tuple(sorted(weights.as_dict().items())))
        cached = _ASSESSED.get(key)
        if cached is None:
            cached = _assess(as_at, weights, None)
            if len(_ASSESSED) > 32:
                _ASSESSED.clear()
            _ASSESSED[key] = cached
        return list(cached)
    return _assess(as_at, weights, councils)


_ASSESSED: dict[tuple[Any, ...], list[Need]] = {}


def _assess(  # noqa: PLR0912 - one branch per kind of reason, read top to bottom
    as_at: dt.date, weights: Weights, councils: Iterable[Council] | None
) -> list[Need]:
    councils = list(
        councils
        if councils is not None
        else Council.objects.select_related("region", "organisation").order_by("name")
    )
    latest = latest_judgements(as_at)
    previous = _previous_overall(as_at)
    findings = indicator_findings(councils, as_at)
    needs: list[Need] = []
    for council in councils:
        judgement = latest.get(council.pk)
        need = Need(council, judgement, findings=findings.get(council.pk, []))
        reasons = need.reasons
        if judgement is None:
            reasons.append(
                Reason(
                    f"No overall Ofsted judgement published by {as_at:%-d %B %Y}",
                    weights.not_inspected,
                )
            )
        else:
            published = f"{judgement.published.day} {judgement.published:%B %Y}"
            if judgement.overall == "inadequate":
                reasons.append(
                    Reason(
                        f"Overall judgement inadequate (published {published})",
                        weights.overall_inadequate,
                    )
                )
            elif judgement.overall == "requires-improvement":
                reasons.append(
                    Reason(
                        f"Overall judgement requires improvement to be good (published {published})",
                        weights.overall_requires_improvement,
                    )
                )
            framework_labels = {
                **AREA_LABELS,
                **dict(SIF_SUB_JUDGEMENTS if judgement.framework.startswith("sif") else ()),
            }
            for area, _ilacs_label in AREAS:
                label = framework_labels[area]
                grade = getattr(judgement, area, "")
                if grade == "inadequate":
                    reasons.append(Reason(f"{label}: inadequate", weights.area_inadequate, area))
                elif grade == "requires-improvement":
                    reasons.append(
                        Reason(
                            f"{label}: requires improvement",
                            weights.area_requires_improvement,
                            area,
                        )
                    )
            if judgement.overall in BELOW_GOOD:
                years = min((as_at - judgement.published).days / 365.25, 5.0)
                if years >= 1:
                    reasons.append(
                        Reason(
                            f"Judged below good {years:.1f} years ago with no newer inspection",
                            round(weights.per_year_since_inspection * years, 1),
                        )
                    )
            before = previous.get(council.pk)
            if before is not None and GRADE_RANK.get(judgement.overall, 0) > GRADE_RANK.get(
                before.overall, 0
            ):
                reasons.append(
                    Reason(
                        f"Declined from {GRADE_WORDS[before.overall]} "
                        f"(published {before.published.day} {before.published:%B %Y}) "
                        f"to {GRADE_WORDS[judgement.overall]}",
                        weights.declined,
                    )
                )
        for finding in need.findings:
            area = INDICATOR_AREAS.get(finding.code, "")
            if finding.worsening and finding.previous is not None:
                reasons.append(
                    Reason(
                        f"{finding.name}: {_fmt(finding.value, finding.unit)} in {finding.period}, "
                        f"worse than {_fmt(finding.previous, finding.unit)} the year before",
                        weights.indicator_worsening,
                        area,
                    )
                )
            if finding.far and finding.neighbours_mean is not None:
                reasons.append(
                    Reason(
                        f"{finding.name}: {_fmt(finding.value, finding.unit)} in {finding.period}, "
                        f"well behind statistical neighbours' {_fmt(finding.neighbours_mean, finding.unit)}",
                        weights.indicator_far_from_neighbours,
                        area,
                    )
                )
        needs.append(need)
    needs.sort(key=lambda n: (-n.score, n.council.name))
    return needs


def own_returns(council: Council, *, exact: bool = False) -> list[dict[str, Any]]:
    """The council's own return indicators (latest year of each return), [] when nothing is
    uploaded. Suppressed as the returns app's aggregates are (`returns.interface`): counts
    below 5, counts the aggregates hide, and totals or shares that would reveal them are hidden,
    unless `exact` (a person entitled to the council's own figures)."""
    rows: list[dict[str, Any]] = []
    for kind in ("ssda903", "cin"):
        rows.extend(
            {**r, "kind": kind}
            for r in suppressed_indicators(council.organisation, kind, exact=exact)
        )
    return rows


# ---------------------------------------------------------------------------------------------
# Matching


@dataclass
class Option:
    partner: Partner
    score: float
    reasons: list[str]
    remaining: int
    distance_km: float | None


@dataclass
class Suggestion:
    need: Need
    options: list[Option]


def distance_km(a: Council, b: Council) -> float | None:
    """Straight-line distance between council centres on the OS grid (metres → km)."""
    if None in (a.easting, a.northing, b.easting, b.northing):
        return None
    return math.hypot(a.easting - b.easting, a.northing - b.northing) / 1000  # type: ignore[operator]


def partner_strengths(
    partners: Iterable[Partner], as_at: dt.date
) -> dict[int, dict[str, tuple[str, Council]]]:
    """For each partner: its best grade per Ofsted area among its member councils' latest
    judgements, with the council that holds it."""
    latest = latest_judgements(as_at)
    strengths: dict[int, dict[str, tuple[str, Council]]] = {}
    for partner in partners:
        best: dict[str, tuple[str, Council]] = {}
        for member in partner.alliance.alliance_members.all():
            judgement = latest.get(member.council_id)
            if judgement is None:
                continue
            for area, _label in AREAS:
                grade = getattr(judgement, area, "") or ""
                if grade in ("outstanding", "good") and (
                    area not in best or GRADE_RANK[grade] < GRADE_RANK[best[area][0]]
                ):
                    best[area] = (grade, member.council)
        strengths[partner.pk] = best
    return strengths


def capacity_used(partners: Iterable[Partner]) -> dict[int, int]:
    ids = [p.pk for p in partners]
    return dict(
        Partner.objects.filter(pk__in=ids).annotate(n=Count("matches")).values_list("pk", "n")
    )


def score_option(
    need: Need,
    partner: Partner,
    strengths: dict[str, tuple[str, Council]],
    remaining: int,
) -> Option:
    reasons: list[str] = []
    score = 0.0
    needs_by_area = need.area_weights()
    for area, points in sorted(needs_by_area.items(), key=lambda kv: -kv[1]):
        if area in strengths:
            grade, holder = strengths[area]
            factor = 1.0 if grade == "outstanding" else 0.5
            score += points * factor
            reasons.append(
                f"{holder.name} is rated {GRADE_WORDS[grade]} for {AREA_LABELS[area].lower()}, "
                f"where {need.council.name} needs help ({points:g} points of need)"
            )
    members = [m.council for m in partner.alliance.alliance_members.all()]
    same_region = [m for m in members if m.region_id == need.council.region_id]
    if same_region:
        score += 5
        reasons.append(f"Same region ({need.council.region.name})")
    distances = [d for m in members if (d := distance_km(m, need.council)) is not None]
    nearest = min(distances) if distances else None
    if nearest is not None:
        closeness = max(0.0, 10 * (1 - nearest / 300))
        score += closeness
        reasons.append(f"{nearest:,.0f} km between council centres")
    reasons.append(f"{remaining} of {partner.capacity} places left")
    return Option(partner, round(score, 1), reasons, remaining, nearest)


def suggest(
    needs: list[Need],
    partners: list[Partner],
    as_at: dt.date,
    matched_council_ids: set[int],
    per_council: int = 3,
) -> list[Suggestion]:
    """For each council below good not yet matched, the partners with places left, best first."""
    strengths = partner_strengths(partners, as_at)
    used = capacity_used(partners)
    suggestions: list[Suggestion] = []
    member_ids: set[int] = set()
    for partner in partners:
        member_ids.update(m.council_id for m in partner.alliance.alliance_members.all())
    for need in needs:
        if not need.below_good or need.council.pk in matched_council_ids:
            continue
        if need.council.pk in member_ids:  # a partner council is not supported by the programme
            continue
        options = []
        for partner in partners:
            remaining = partner.capacity - used.get(partner.pk, 0)
            if remaining <= 0:
                continue
            options.append(score_option(need, partner, strengths[partner.pk], remaining))
        options.sort(key=lambda o: -o.score)
        suggestions.append(Suggestion(need, options[:per_council]))
    return suggestions
