"""The programme at a glance, for the DfE: for one programme, every alliance's engagements, spend
against its grant by quarter, open milestones by RAG, the risks, and the spend reports awaiting the
DfE. A fixed number of queries however many alliances, engagements and spend entries there are
(the figures are summed in SQL; quarters are bucketed in Python, as `forecast.quarter_table`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from alliance.programme import forecast
from alliance.programme.models import (
    BudgetLine,
    Engagement,
    Milestone,
    Partner,
    Programme,
    QuarterlyReview,
    Rag,
    SpendEntry,
    SpendReport,
    SpendReportStatus,
)
from alliance.programme.quarters import Quarter, quarters

AWAITING_DFE = (SpendReportStatus.SUBMITTED, SpendReportStatus.ANSWERED)
# Spend this far off its forecast to date (either way) is a risk to the grant.
OFF_PLAN_SHARE = 0.10
RISKS_SHOWN = 25


@dataclass
class QuarterMoney:
    quarter: Quarter
    planned: int = 0
    actual: int = 0


@dataclass
class AllianceGlance:
    partner: Partner
    engagements_active: int = 0
    engagements_closed: int = 0
    budgeted: int = 0
    spent: int = 0
    forecast_to_date: int = 0
    red: int = 0
    amber: int = 0
    green: int = 0
    overdue: int = 0
    reviews_overdue: int = 0
    by_quarter: list[QuarterMoney] = field(default_factory=list)

    @property
    def grant(self) -> int:
        return self.partner.grant_share_pence

    @property
    def variance(self) -> int:
        return self.spent - self.forecast_to_date

    @property
    def off_plan(self) -> bool:
        return (
            self.forecast_to_date > 0
            and abs(self.variance) > self.forecast_to_date * OFF_PLAN_SHARE
        )

    @property
    def over_grant(self) -> bool:
        return self.spent > self.grant


@dataclass(frozen=True)
class Risk:
    alliance: str
    what: str
    council: str = ""
    due: dt.date | None = None
    engagement_id: int | None = None
    rag: str = ""


@dataclass
class Glance:
    programme: Programme
    today: dt.date
    alliances: list[AllianceGlance]
    quarters: list[Quarter]
    risks: list[Risk]
    risk_count: int
    reports_awaiting: list[SpendReport]
    reports_queried: list[SpendReport]

    def total(self, name: str) -> int:
        return sum(getattr(a, name) for a in self.alliances)

    def quarter_totals(self) -> list[QuarterMoney]:
        rows = [QuarterMoney(q) for q in self.quarters]
        for a in self.alliances:
            for row, own in zip(rows, a.by_quarter, strict=True):
                row.planned += own.planned
                row.actual += own.actual
        return rows


def _planned_by_quarter(
    line: BudgetLine, profile: dict[int, int] | None, programme: Programme, all_q: list[Quarter]
) -> list[int]:
    if profile:
        return [profile.get(q.number, 0) for q in all_q]
    return [
        forecast.even_to(line.amount_pence, programme, q.ends)
        - forecast.even_to(line.amount_pence, programme, q.starts - dt.timedelta(days=1))
        for q in all_q
    ]


def programme_at_a_glance(
    programme: Programme, partners: QuerySet[Partner], today: dt.date
) -> Glance:
    """The glance at `programme` for the partners given (the ones the person may see)."""
    found = {
        p.pk: AllianceGlance(p)
        for p in partners.filter(programme=programme).select_related("alliance")
    }
    all_q = quarters(programme.starts, programme.ends)
    for a in found.values():
        a.by_quarter = [QuarterMoney(q) for q in all_q]
    ids = list(found)
    # money: budget lines with their spend, their profiles, spend per partner per day
    lines = list(
        BudgetLine.objects.filter(partner_id__in=ids).annotate(spent=Sum("spend__amount_pence"))
    )
    by_line = forecast.profiles(lines)
    for line in lines:
        a = found[line.partner_id]
        a.budgeted += line.amount_pence
        a.spent += line.spent or 0
        profile = by_line.get(line.pk)
        a.forecast_to_date += forecast.planned_to(
            line.amount_pence, profile, programme, today, all_q
        )
        for row, planned in zip(
            a.by_quarter, _planned_by_quarter(line, profile, programme, all_q), strict=True
        ):
            row.planned += planned
    for partner_id, day, total in (
        SpendEntry.objects.filter(budget_line__partner_id__in=ids)
        .values("budget_line__partner_id", "spent_on")
        .annotate(total=Sum("amount_pence"))
        .values_list("budget_line__partner_id", "spent_on", "total")
    ):
        for row in found[partner_id].by_quarter:
            if row.quarter.starts <= day <= row.quarter.ends:
                row.actual += total
                break
    # engagements, milestones and reviews
    for partner_id, status, n in (
        Engagement.objects.filter(partner_id__in=ids)
        .values("partner_id", "status")
        .annotate(n=Count("pk"))
        .values_list("partner_id", "status", "n")
    ):
        if status == Engagement.Status.ACTIVE:
            found[partner_id].engagements_active += n
        else:
            found[partner_id].engagements_closed += n
    open_milestones = Milestone.objects.filter(
        engagement__partner_id__in=ids, completed_on__isnull=True
    )
    for partner_id, red, amber, green, overdue in (
        open_milestones.values("engagement__partner_id")
        .annotate(
            red=Count("pk", filter=Q(rag=Rag.RED)),
            amber=Count("pk", filter=Q(rag=Rag.AMBER)),
            green=Count("pk", filter=Q(rag=Rag.GREEN)),
            overdue=Count("pk", filter=Q(due__lt=today)),
        )
        .values_list("engagement__partner_id", "red", "amber", "green", "overdue")
    ):
        a = found[partner_id]
        a.red, a.amber, a.green, a.overdue = red, amber, green, overdue
    for partner_id, n in (
        QuarterlyReview.objects.filter(
            engagement__partner_id__in=ids,
            engagement__status=Engagement.Status.ACTIVE,
            held_on__isnull=True,
            due__lt=today,
        )
        .values("engagement__partner_id")
        .annotate(n=Count("pk"))
        .values_list("engagement__partner_id", "n")
    ):
        found[partner_id].reviews_overdue = n
    alliances = sorted(found.values(), key=lambda a: a.partner.alliance.name)
    risks, risk_count = _risks(alliances, open_milestones, today)
    reports = list(
        SpendReport.objects.filter(
            partner_id__in=ids, status__in=[*AWAITING_DFE, SpendReportStatus.QUERIED]
        )
        .select_related("partner__alliance")
        .order_by("submitted_at", "pk")
    )
    return Glance(
        programme=programme,
        today=today,
        alliances=alliances,
        quarters=all_q,
        risks=risks,
        risk_count=risk_count,
        reports_awaiting=[r for r in reports if r.status in AWAITING_DFE],
        reports_queried=[r for r in reports if r.status == SpendReportStatus.QUERIED],
    )


def _risks(
    alliances: list[AllianceGlance], open_milestones: QuerySet[Milestone], today: dt.date
) -> tuple[list[Risk], int]:
    """What puts the programme at risk: spend off plan or beyond the grant, quarterly reviews
    overdue, and open milestones rated red or overdue (the most urgent first, up to RISKS_SHOWN).
    Returns the risks shown and how many there are in all."""
    risks: list[Risk] = []
    for a in alliances:
        name = a.partner.alliance.name
        if a.over_grant:
            risks.append(Risk(name, "Spend is more than the alliance's grant"))
        if a.off_plan:
            ahead = "ahead of" if a.variance > 0 else "behind"
            risks.append(Risk(name, f"Spend is more than 10% {ahead} its forecast to date"))
        if a.reviews_overdue:
            n = a.reviews_overdue
            risks.append(Risk(name, f"{n} quarterly review{'s' if n != 1 else ''} overdue"))
    at_risk = open_milestones.filter(Q(rag=Rag.RED) | Q(due__lt=today))
    count = len(risks) + at_risk.count()
    for m in at_risk.select_related("engagement__alliance", "engagement__supported_council")[
        :RISKS_SHOWN
    ]:
        late = m.due < today
        what = f"Milestone “{m.title}”" + (" overdue" if late else " rated red")
        risks.append(
            Risk(
                m.engagement.alliance.name,
                what,
                council=m.engagement.supported_council.name,
                due=m.due,
                engagement_id=m.engagement_id,
                rag=m.rag,
            )
        )
    return risks, count


def glance_rows(glance: Glance) -> tuple[list[str], list[list[object]]]:
    """The glance as one row per alliance and quarter, for the download: money in pounds."""
    header = [
        "Programme",
        "Alliance",
        "Quarter",
        "Quarter starts",
        "Quarter ends",
        "Planned spend (£)",
        "Actual spend (£)",
        "Grant (£)",
        "Spent to date (£)",
        "Forecast to date (£)",
        "Active engagements",
        "Closed engagements",
        "Open milestones red",
        "Open milestones amber",
        "Open milestones green",
        "Milestones overdue",
        "Quarterly reviews overdue",
        "Demo data",
    ]
    rows: list[list[object]] = []
    for a in glance.alliances:
        for q in a.by_quarter:
            rows.append(
                [
                    glance.programme.name,
                    a.partner.alliance.name,
                    q.quarter.number,
                    q.quarter.starts.isoformat(),
                    q.quarter.ends.isoformat(),
                    _pounds(q.planned),
                    _pounds(q.actual),
                    _pounds(a.grant),
                    _pounds(a.spent),
                    _pounds(a.forecast_to_date),
                    a.engagements_active,
                    a.engagements_closed,
                    a.red,
                    a.amber,
                    a.green,
                    a.overdue,
                    a.reviews_overdue,
                    "fictional" if glance.programme.is_demo else "",
                ]
            )
    return header, rows


def _pounds(pence: int) -> Decimal:
    return Decimal(pence).scaleb(-2)  # pounds, as a number: exact to the penny
