"""What other apps read from the improvement programme (the Insight app, `alliance.evidence`, builds
"practice that worked" and the ministers' briefing from these). Plain frozen dataclasses, no model
objects, so a reader cannot change or lazily load programme records; each function reads only what
the person is allowed to see in the programme (`Area.PROGRAMME`): the DfE sees every alliance, an
alliance lead their own alliance's records, anyone else nothing.

Money is in whole pence, as everywhere in the programme.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, Q, Sum

from alliance.access.policy import Area, visible_to
from alliance.programme import forecast
from alliance.programme.editing import ENGAGEMENT_VIA
from alliance.programme.models import (
    BudgetLine,
    Engagement,
    EvidenceLevel,
    OfstedArea,
    Partner,
    PracticeItem,
    Programme,
    SpendEntry,
    SpendReport,
)

__all__ = [
    "AllianceMoney",
    "EngagementRow",
    "EvidenceLevel",
    "PracticeEvidence",
    "PracticeRow",
    "PracticeUse",
    "ProgrammePortfolio",
    "ProgrammeRow",
    "engagements",
    "portfolio_and_spend",
    "practice_items",
    "practice_that_worked",
    "programme_totals",
]


@dataclass(frozen=True)
class PracticeUse:
    """An engagement that used a practice item: the council supported, by which alliance, when."""

    engagement_id: int
    council: str
    council_dfe_code: str
    alliance: str
    starts: dt.date
    ends: dt.date
    closed: bool


@dataclass(frozen=True)
class PracticeEvidence:
    """A practice library item with its evidence level and the engagements that used it."""

    item_id: int
    title: str
    summary: str
    publisher: str
    published_on: dt.date
    ofsted_areas: tuple[str, ...]  # their names, e.g. "Care leavers"
    evidence_level: str  # an EvidenceLevel value, e.g. "level-3"
    evidence_level_label: str  # e.g. "Level 3: evidence of short-term impact"
    evidence_note: str
    evidence_confirmed_by: str  # who at the DfE confirmed the level; "" when not confirmed
    evidence_confirmed_on: dt.date | None
    withdrawn_on: dt.date | None
    is_demo: bool
    used_in: tuple[PracticeUse, ...]  # earliest start first

    @property
    def evidence_confirmed(self) -> bool:
        return self.evidence_confirmed_on is not None


# The scale's order, weakest first: `practice_that_worked(at_least=...)` compares by it.
LEVEL_ORDER = [
    EvidenceLevel.NOT_STATED,
    EvidenceLevel.NOT_LEVEL_2,
    EvidenceLevel.LEVEL_2,
    EvidenceLevel.LEVEL_3,
    EvidenceLevel.LEVEL_4,
]


def practice_that_worked(
    user: Any,
    *,
    confirmed_only: bool = False,
    at_least: str = EvidenceLevel.NOT_STATED,
    include_withdrawn: bool = False,
) -> list[PracticeEvidence]:
    """The practice library's items with their evidence levels and the engagements (councils,
    alliances, start dates) that used them, most recently published first.

    - `confirmed_only`: only items whose level the DfE has confirmed;
    - `at_least`: only items at this evidence level or stronger (an `EvidenceLevel` value);
    - `include_withdrawn`: withdrawn items too (they carry `withdrawn_on`).

    The library is open to everyone in the programme, but each item's `used_in` lists only the
    engagements `user` may see. Three queries, however many items."""
    if at_least not in EvidenceLevel.values:
        raise ValueError(f"Not an evidence level: {at_least!r}")
    visible = visible_to(user, Engagement.objects.all(), Area.PROGRAMME, via=ENGAGEMENT_VIA)
    if visible.query.is_empty():
        return []
    items = PracticeItem.objects.select_related("organisation").prefetch_related(
        Prefetch(
            "engagements",
            queryset=visible.select_related("supported_council", "alliance").order_by(
                "starts", "supported_council__name"
            ),
            to_attr="visible_engagements",
        )
    )
    if not include_withdrawn:
        items = items.filter(withdrawn_at__isnull=True)
    if confirmed_only:
        items = items.filter(evidence_confirmed_at__isnull=False)
    stronger = LEVEL_ORDER[LEVEL_ORDER.index(EvidenceLevel(at_least)) :]
    items = items.filter(evidence_level__in=stronger)
    areas = dict(OfstedArea.choices)
    return [
        PracticeEvidence(
            item_id=item.pk,
            title=item.title,
            summary=item.summary,
            publisher=item.organisation.name,
            published_on=item.published_at.date(),
            ofsted_areas=tuple(str(areas.get(a, a)) for a in item.ofsted_areas),
            evidence_level=item.evidence_level,
            evidence_level_label=item.get_evidence_level_display(),
            evidence_note=item.evidence_note,
            evidence_confirmed_by=item.evidence_confirmed_by_name
            if item.evidence_confirmed
            else "",
            evidence_confirmed_on=(
                item.evidence_confirmed_at.date() if item.evidence_confirmed_at else None
            ),
            withdrawn_on=item.withdrawn_at.date() if item.withdrawn_at else None,
            is_demo=item.is_demo,
            used_in=tuple(
                PracticeUse(
                    engagement_id=e.pk,
                    council=e.supported_council.name,
                    council_dfe_code=e.supported_council.dfe_code,
                    alliance=e.alliance.name,
                    starts=e.starts,
                    ends=e.ends,
                    closed=e.status == Engagement.Status.CLOSED,
                )
                for e in item.visible_engagements
            ),
        )
        for item in items
    ]


@dataclass(frozen=True)
class AllianceMoney:
    """One alliance's part of a programme on a day: its grant, what it spent and planned to have
    spent by then, and the councils it supports."""

    alliance: str
    alliance_id: int
    grant_pence: int  # its share of the programme's grant
    budgeted_pence: int  # the sum of its budget lines
    spent_pence: int  # spend entries dated on or before the day (corrections included)
    forecast_pence: int  # what its budget lines planned to have spent by the end of the day
    engagements_active: int
    engagements_closed: int
    councils: tuple[str, ...]  # supported councils, by name

    @property
    def variance_pence(self) -> int:
        """Spent minus forecast: positive means spending ahead of plan."""
        return self.spent_pence - self.forecast_pence


@dataclass(frozen=True)
class ProgrammePortfolio:
    """A programme's portfolio and money by alliance, as at a day."""

    programme_id: int
    name: str
    starts: dt.date
    ends: dt.date
    grant_total_pence: int
    as_at: dt.date
    is_demo: bool
    alliances: tuple[AllianceMoney, ...]  # by alliance name

    @property
    def spent_pence(self) -> int:
        return sum(a.spent_pence for a in self.alliances)

    @property
    def forecast_pence(self) -> int:
        return sum(a.forecast_pence for a in self.alliances)

    @property
    def grant_shared_pence(self) -> int:
        return sum(a.grant_pence for a in self.alliances)

    @property
    def engagements_active(self) -> int:
        return sum(a.engagements_active for a in self.alliances)


def portfolio_and_spend(user: Any, *, on: dt.date) -> list[ProgrammePortfolio]:
    """Each programme's portfolio (alliances, engagements, councils) and money (grant, spent,
    forecast) by alliance, as at the end of `on`, newest programme first: for the ministers'
    briefing. Only the alliances `user` may see in the programme are included (the DfE sees all;
    an alliance lead sees their own, in the programmes it takes part in). Five queries, however
    many programmes."""
    partners = list(
        visible_to(user, Partner.objects.all(), Area.PROGRAMME, via="alliance").select_related(
            "alliance", "programme"
        )
    )
    if not partners:
        return []
    partner_ids = [p.pk for p in partners]
    lines = list(
        BudgetLine.objects.filter(partner_id__in=partner_ids).annotate(
            spent_to=Sum("spend__amount_pence", filter=Q(spend__spent_on__lte=on))
        )
    )
    by_line = forecast.profiles(lines)
    programmes = {p.programme_id: p.programme for p in partners}
    partner_by_id = {p.pk: p for p in partners}
    money: dict[int, list[int]] = defaultdict(lambda: [0, 0, 0])  # budgeted, spent, forecast
    for line in lines:
        programme: Programme = partner_by_id[line.partner_id].programme
        totals = money[line.partner_id]
        totals[0] += line.amount_pence
        totals[1] += line.spent_to or 0
        totals[2] += forecast.planned_to(line.amount_pence, by_line.get(line.pk), programme, on)
    councils: dict[int, list[str]] = defaultdict(list)
    counts: dict[int, list[int]] = defaultdict(lambda: [0, 0])  # active, closed
    engagements = (
        Engagement.objects.filter(partner_id__in=partner_ids, starts__lte=on)
        .values("partner_id", "supported_council__name", "status")
        .annotate(n=Count("id"))
        .order_by("supported_council__name")
    )
    for row in engagements:
        if row["supported_council__name"] not in councils[row["partner_id"]]:
            councils[row["partner_id"]].append(row["supported_council__name"])
        counts[row["partner_id"]][0 if row["status"] == Engagement.Status.ACTIVE else 1] += row["n"]
    found: list[ProgrammePortfolio] = []
    for programme in sorted(programmes.values(), key=lambda p: (p.starts, p.pk), reverse=True):
        own = sorted(
            (p for p in partners if p.programme_id == programme.pk), key=lambda p: p.alliance.name
        )
        found.append(
            ProgrammePortfolio(
                programme_id=programme.pk,
                name=programme.name,
                starts=programme.starts,
                ends=programme.ends,
                grant_total_pence=programme.grant_total_pence,
                as_at=on,
                is_demo=programme.is_demo,
                alliances=tuple(
                    AllianceMoney(
                        alliance=p.alliance.name,
                        alliance_id=p.alliance_id,
                        grant_pence=p.grant_share_pence,
                        budgeted_pence=money[p.pk][0],
                        spent_pence=money[p.pk][1],
                        forecast_pence=money[p.pk][2],
                        engagements_active=counts[p.pk][0],
                        engagements_closed=counts[p.pk][1],
                        councils=tuple(councils[p.pk]),
                    )
                    for p in own
                ),
            )
        )
    return found


# What the Insight pages (alliance.evidence) read: every engagement, each programme's totals and the
# practice library with the engagements that used each item, limited to what `user` may see.


@dataclass(frozen=True)
class EngagementRow:
    programme: str
    programme_is_demo: bool
    alliance: str
    council: str  # ONS code
    council_name: str
    starts: dt.date
    ends: dt.date
    status: str
    is_demo: bool


def _engagement_row(e: Engagement) -> EngagementRow:
    return EngagementRow(
        programme=e.programme.name,
        programme_is_demo=e.programme.is_demo,
        alliance=e.alliance.name,
        council=e.supported_council.ons_code,
        council_name=e.supported_council.name,
        starts=e.starts,
        ends=e.ends,
        status=e.get_status_display(),
        is_demo=e.is_demo,
    )


def engagements(user: Any) -> list[EngagementRow]:
    """Every engagement of every programme `user` may see, earliest first."""
    query = visible_to(user, Engagement.objects.all(), Area.PROGRAMME, via=ENGAGEMENT_VIA)
    query = query.select_related("programme", "alliance", "supported_council").order_by(
        "starts", "supported_council__name"
    )
    return [_engagement_row(e) for e in query]


@dataclass(frozen=True)
class ProgrammeRow:
    name: str
    starts: dt.date
    ends: dt.date
    is_demo: bool
    grant_pence: int
    partners: int
    engagements: int
    active: int
    spent_pence: int  # every spend entry, corrections included
    reported_pence: int  # each partner's latest spend report to the DfE
    reported_to: dt.date | None  # the latest period a spend report covers


def programme_totals(user: Any) -> list[ProgrammeRow]:
    """Each programme `user` may see a partner of: its grant, partners, engagements and spend so
    far, counting only the partners `user` may see."""
    partners = list(
        visible_to(user, Partner.objects.all(), Area.PROGRAMME, via="alliance").select_related(
            "programme"
        )
    )
    rows = []
    for programme in sorted({p.programme for p in partners}, key=lambda p: (p.starts, p.name)):
        own = [p for p in partners if p.programme_id == programme.pk]
        engaged = Engagement.objects.filter(partner__in=own)
        spent = SpendEntry.objects.filter(budget_line__partner__in=own).aggregate(
            total=Sum("amount_pence")
        )["total"]
        reported = 0
        reported_to = None
        for partner in own:
            latest = SpendReport.objects.filter(partner=partner).order_by("-quarter").first()
            if latest is not None:
                reported += latest.total_pence
                reported_to = max(reported_to or latest.period_ends, latest.period_ends)
        rows.append(
            ProgrammeRow(
                name=programme.name,
                starts=programme.starts,
                ends=programme.ends,
                is_demo=programme.is_demo,
                grant_pence=programme.grant_total_pence,
                partners=len(own),
                engagements=engaged.count(),
                active=engaged.filter(status=Engagement.Status.ACTIVE).count(),
                spent_pence=int(spent or 0),
                reported_pence=reported,
                reported_to=reported_to,
            )
        )
    return rows


@dataclass(frozen=True)
class PracticeRow:
    title: str
    publisher: str
    summary: str
    areas: list[str]
    is_demo: bool
    evidence_level: str | None  # None until the publisher states one
    engagements: list[EngagementRow]


def _stated_level(item: PracticeItem) -> str | None:
    """The evidence level the practice's publisher stated (Foundations' scale; see
    docs/programme-dfe.md) and whether the DfE has confirmed it; None when none is stated."""
    if not item.evidence_level or item.evidence_level == EvidenceLevel.NOT_STATED:
        return None
    level = str(item.get_evidence_level_display())
    if item.evidence_confirmed_at:
        return f"{level} (confirmed by the DfE)"
    return f"{level} (stated by the publisher, not yet confirmed by the DfE)"


def practice_items(user: Any) -> list[PracticeRow]:
    """Every practice item still in the library, from every alliance, with the engagements that
    used it that `user` may see."""
    used = visible_to(user, Engagement.objects.all(), Area.PROGRAMME, via=ENGAGEMENT_VIA)
    query = (
        PracticeItem.objects.filter(withdrawn_at__isnull=True)
        .select_related("organisation")
        .prefetch_related(
            Prefetch(
                "engagements",
                queryset=used.select_related("programme", "alliance", "supported_council"),
            )
        )
        .order_by("title")
    )
    return [
        PracticeRow(
            title=item.title,
            publisher=item.organisation.name,
            summary=item.summary,
            areas=item.area_labels(),
            is_demo=item.is_demo,
            evidence_level=_stated_level(item),
            engagements=sorted(
                (_engagement_row(e) for e in item.engagements.all()),
                key=lambda r: (r.starts, r.council_name),
            ),
        )
        for item in query
    ]
