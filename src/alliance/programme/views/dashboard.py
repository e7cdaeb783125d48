"""The programme dashboard and its CSV download."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render

from alliance.access.policy import Action, Area, can, guard, scope, visible_to
from alliance.audit import services as audit
from alliance.common import charts
from alliance.common.exports import csv_response
from alliance.programme.models import (
    BudgetLine,
    Engagement,
    Partner,
    Programme,
    SpendEntry,
)
from alliance.programme.services.dashboard import (
    alliance_summary,
    engagement_rows,
    judgement_movement,
    movement_table,
    upcoming_milestones,
)
from alliance.programme.services.money import burn_down, money_summary
from alliance.programme.views.money import _burn_chart
from alliance.programme.views.shared import (
    ENGAGEMENT_VIA,
    _programme_choice,
    _today,
    _visible_engagements,
)


@guard(Area.PROGRAMME)
def index(request: HttpRequest) -> HttpResponse:
    """The dashboard: an alliance lead sees the engagements their alliance runs; the DfE sees every
    alliance; a supported council sees its own engagement."""
    today = _today()
    everything = visible_to(
        request.user, Engagement.objects.all(), Area.PROGRAMME, via=ENGAGEMENT_VIA
    )
    programme = _programme_choice(request, everything)
    engagements = everything.filter(programme=programme) if programme else everything.none()
    by_alliance = alliance_summary(engagements, today)
    engagement_count = sum(item["engagements"] for item in by_alliance.values())
    upcoming = list(upcoming_milestones(engagements, today)[:15])
    partners = visible_to(
        request.user, Partner.objects.filter(programme=programme), Area.PROGRAMME, via="alliance"
    )
    lines = BudgetLine.objects.filter(partner__in=partners)
    money = money_summary(lines, today)
    # Someone who sees engagements but not the partners' budgets (a supported council's leader)
    # sees the spend on the engagements they see: the same figures as the engagement list.
    engagement_spend = (
        None
        if money
        else SpendEntry.objects.filter(engagement__in=engagements).aggregate(
            total=Sum("amount_pence")
        )["total"]
        or 0
    )
    spend_by_alliance: dict[str, list[int]] = {}
    for line_summary in money:
        pair = spend_by_alliance.setdefault(str(line_summary.line.partner.alliance), [0, 0])
        pair[0] += line_summary.line.amount_pence
        pair[1] += line_summary.spent
    totals = {
        "red": sum(i["red"] for i in by_alliance.values()),
        "amber": sum(i["amber"] for i in by_alliance.values()),
        "green": sum(i["green"] for i in by_alliance.values()),
        "overdue": sum(i["overdue"] for i in by_alliance.values()),
        "budget": sum(i.line.amount_pence for i in money),
        "spent": sum(i.spent for i in money) if engagement_spend is None else engagement_spend,
        "forecast": sum(i.forecast_to_date for i in money),
    }
    rag_chart = charts.bar_chart(
        "Open milestones by RAG status",
        "Number of open milestones rated red, amber and green",
        ["Red", "Amber", "Green"],
        [totals["red"], totals["amber"], totals["green"]],
        colours=["#d4351c", "#f47738", "#00703c"],
    )
    spend_chart = (
        charts.bar_chart(
            "Spend by alliance",
            "Actual spend in pounds by alliance",
            list(spend_by_alliance),
            [v[1] / 100 for v in spend_by_alliance.values()],
            unit="£",
        )
        if spend_by_alliance
        else None
    )
    burn = None
    if programme is not None and money:
        labels, actual, planned = burn_down(programme, lines, today)
        burn = {
            "labels": labels,
            "actual": actual,
            "planned": planned,
            "chart": _burn_chart(labels, actual, planned),
        }
    movement = movement_table(judgement_movement(engagements)) if engagement_count else []
    context = {
        "title": "Improvement programme",
        "programme": programme,
        "programmes": Programme.objects.filter(pk__in=everything.values("programme_id"))
        if not can(request.user, Area.PROGRAMME_SETUP)
        else Programme.objects.all(),
        "engagement_count": engagement_count,
        "upcoming": upcoming,
        "by_alliance": by_alliance,
        "spend_by_alliance": spend_by_alliance,
        "totals": totals,
        "sees_budgets": bool(money),
        "rag_chart": rag_chart,
        "spend_chart": spend_chart,
        "burn": burn,
        "movement": movement,
        "today": today,
        "sees_all": can(request.user, Area.PROGRAMME) and services_scope_all(request),
        "can_setup": can(request.user, Area.PROGRAMME_SETUP),
        "may_match": can(request.user, Area.MATCHING, Action.CHANGE),
        "may_export": can(request.user, Area.PROGRAMME, Action.EXPORT),
    }
    return render(request, "programme/index.html", context)


def services_scope_all(request: HttpRequest) -> bool:
    return scope(request.user, Area.PROGRAMME).everything


@guard(Area.PROGRAMME, Action.EXPORT)
def dashboard_csv(request: HttpRequest) -> HttpResponseBase:
    today = _today()
    everything = _visible_engagements(request)
    programme = _programme_choice(request, everything)
    engagements = everything.filter(programme=programme) if programme else everything.none()
    rows = engagement_rows(engagements, today)
    moved = {m["engagement_id"]: m for m in judgement_movement(engagements)}
    header = [
        "Programme",
        "Alliance",
        "Supported council",
        "Region",
        "Starts",
        "Ends",
        "Status",
        "Red",
        "Amber",
        "Green",
        "Overdue",
        "Next milestone due",
        "Spend (£)",
        "Judgement at the start",
        "Next judgement",
        "Next judgement published",
        "Demo data",
    ]
    lines = [
        [
            e.programme.name,
            e.alliance.name,
            e.supported_council.name,
            e.supported_council.region.name,
            e.starts.isoformat(),
            e.ends.isoformat(),
            e.get_status_display(),
            row.red,
            row.amber,
            row.green,
            row.overdue,
            row.next_due.isoformat() if row.next_due else "",
            Decimal(row.spent).scaleb(-2),  # pounds, as a number: exact to the penny
            moved[e.pk]["before"],
            moved[e.pk]["after"],
            moved[e.pk]["after_published"].isoformat() if moved[e.pk]["after_published"] else "",
            "fictional" if e.is_demo else "",
        ]
        for row in rows
        for e in [row.engagement]
    ]
    audit.record(
        request, audit.Action.EXPORT, object_type="programme.Engagement", detail={"rows": len(rows)}
    )
    return csv_response("programme-engagements.csv", header, lines)
