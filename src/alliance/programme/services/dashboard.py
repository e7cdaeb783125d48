"""The programme dashboard: engagements at a glance, milestones coming up, Ofsted judgement movement and the alliance's summary."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Min, Q, QuerySet, Sum

from alliance.nationalpicture.interface import OVERALL_FRAMEWORKS, Judgement
from alliance.programme.models import (
    Diagnostic,
    Engagement,
    Milestone,
    SpendEntry,
)

# ---------------------------------------------------------------------------------------------
# Dashboards


@dataclass
class EngagementRow:
    engagement: Engagement
    red: int
    amber: int
    green: int
    overdue: int
    next_due: dt.date | None
    spent: int


def engagement_rows(engagements: QuerySet[Engagement], today: dt.date) -> list[EngagementRow]:
    """One row per engagement with its milestone RAG counts, overdue milestones and spend: three
    aggregate queries whatever the number of engagements."""
    engagements = engagements.select_related("supported_council__region", "alliance", "programme")
    ids = list(engagements.values_list("pk", flat=True))
    milestones = (
        Milestone.objects.filter(engagement_id__in=ids, completed_on__isnull=True)
        .values("engagement_id")
        .annotate(
            red=Count("pk", filter=Q(rag="red")),
            amber=Count("pk", filter=Q(rag="amber")),
            green=Count("pk", filter=Q(rag="green")),
            overdue=Count("pk", filter=Q(due__lt=today)),
            next_due=Min("due", filter=Q(due__gte=today)),
        )
    )
    by_engagement = {m["engagement_id"]: m for m in milestones}
    spend = dict(
        SpendEntry.objects.filter(engagement_id__in=ids)
        .values("engagement_id")
        .annotate(t=Sum("amount_pence"))
        .values_list("engagement_id", "t")
    )
    rows = []
    for engagement in engagements:
        m: dict[str, Any] = dict(by_engagement.get(engagement.pk, {}))
        rows.append(
            EngagementRow(
                engagement,
                m.get("red", 0),
                m.get("amber", 0),
                m.get("green", 0),
                m.get("overdue", 0),
                m.get("next_due"),
                spend.get(engagement.pk) or 0,
            )
        )
    return rows


def upcoming_milestones(
    engagements: QuerySet[Engagement], today: dt.date, days: int = 42
) -> QuerySet[Milestone]:
    return (
        Milestone.objects.filter(
            engagement__in=engagements,
            completed_on__isnull=True,
            due__lte=today + dt.timedelta(days=days),
        )
        .select_related("engagement__supported_council", "engagement__alliance")
        .order_by("due")
    )


def judgement_movement(engagements: QuerySet[Engagement]) -> list[dict[str, Any]]:
    """For each engagement (by id): the supported council's overall judgement at the start (the
    diagnostic's baseline) and the first one published after the engagement began, if any. Three
    queries of plain values, no model instances (the DfE dashboard covers every engagement)."""
    rows_in = list(engagements.values_list("pk", "starts", "supported_council_id"))
    baseline = dict(
        Diagnostic.objects.filter(engagement__in=[pk for pk, _s, _c in rows_in]).values_list(
            "engagement_id", "judgement__overall"
        )
    )
    later: dict[int, list[tuple[dt.date, str]]] = defaultdict(list)
    for council_id, published, overall in (
        Judgement.objects.filter(
            council_id__in={c for _pk, _s, c in rows_in}, framework__in=OVERALL_FRAMEWORKS
        )
        .exclude(overall="")
        .order_by("published")
        .values_list("council_id", "published", "overall")
    ):
        later[council_id].append((published, overall))
    rows = []
    for pk, starts, council_id in rows_in:
        after = next((j for j in later[council_id] if j[0] > starts), None)
        rows.append(
            {
                "engagement_id": pk,
                "before": baseline.get(pk) or "",
                "after": after[1] if after else "",
                "after_published": after[0] if after else None,
            }
        )
    return rows


def alliance_summary(
    engagements: QuerySet[Engagement], today: dt.date
) -> dict[str, dict[str, int]]:
    """Per alliance: engagements, and open milestones by RAG and overdue. Two aggregate queries."""
    found: dict[str, dict[str, int]] = {}
    for name, n in (
        engagements.order_by()
        .values("alliance__name")
        # distinct: the queryset a person sees may join through the alliance's member councils,
        # one row per member, and an engagement is one engagement however many rows reach it
        .annotate(n=Count("pk", distinct=True))
        .values_list("alliance__name", "n")
    ):
        found[name] = {"engagements": n, "red": 0, "amber": 0, "green": 0, "overdue": 0}
    for row in (
        Milestone.objects.filter(engagement__in=engagements, completed_on__isnull=True)
        .values("engagement__alliance__name")
        .annotate(
            red=Count("pk", filter=Q(rag="red")),
            amber=Count("pk", filter=Q(rag="amber")),
            green=Count("pk", filter=Q(rag="green")),
            overdue=Count("pk", filter=Q(due__lt=today)),
        )
    ):
        item = found.setdefault(
            row["engagement__alliance__name"],
            {"engagements": 0, "red": 0, "amber": 0, "green": 0, "overdue": 0},
        )
        for key in ("red", "amber", "green", "overdue"):
            item[key] = row[key]
    return found


GRADE_ORDER = ("outstanding", "good", "requires-improvement", "inadequate", "")


def movement_table(movement: list[dict[str, Any]]) -> list[tuple[str, list[int]]]:
    """Counts of engagements by judgement at the start (rows) and the next judgement (columns:
    outstanding, good, requires improvement, inadequate, not inspected since)."""
    table = {grade: [0] * len(GRADE_ORDER) for grade in GRADE_ORDER}
    for row in movement:
        before = row["before"] if row["before"] in table else ""
        after = row["after"] if row["after"] in GRADE_ORDER else ""
        table[before][GRADE_ORDER.index(after)] += 1
    return [(grade, counts) for grade, counts in table.items() if any(counts)]
