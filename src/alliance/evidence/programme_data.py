"""What the Insight pages read from the improvement programme: engagements, portfolio and spend,
and practice library items. Read-only.

The Insight app and the programme app sit side by side in the service's layers and may not
import each other (pyproject.toml, import-linter), so this module looks the programme's models
up by name through Django's app registry and reads only their public fields. It is the one place
that knows those field names: when the programme app offers an interface for them, only this
module changes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db.models import Sum


def _model(name: str) -> Any:
    return apps.get_model("programme", name)


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


def _row(e: Any) -> EngagementRow:
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


def engagements() -> list[EngagementRow]:
    """Every engagement of every programme, earliest first."""
    query = (
        _model("Engagement")
        .objects.select_related("programme", "alliance", "supported_council")
        .order_by("starts", "supported_council__name")
    )
    return [_row(e) for e in query]


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


def portfolio() -> list[ProgrammeRow]:
    """Each programme: its grant, partners, engagements and spend so far."""
    programme_model = _model("Programme")
    engagement_model = _model("Engagement")
    entry_model = _model("SpendEntry")
    report_model = _model("SpendReport")
    rows = []
    for programme in programme_model.objects.order_by("starts", "name"):
        engaged = engagement_model.objects.filter(programme=programme)
        spent = entry_model.objects.filter(budget_line__partner__programme=programme).aggregate(
            total=Sum("amount_pence")
        )["total"]
        reported = 0
        reported_to = None
        for partner in programme.partners.all():
            latest = report_model.objects.filter(partner=partner).order_by("-quarter").first()
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
                partners=programme.partners.count(),
                engagements=engaged.count(),
                active=engaged.filter(status="active").count(),
                spent_pence=int(spent or 0),
                reported_pence=reported,
                reported_to=reported_to,
            )
        )
    return rows


@dataclass
class PracticeRow:
    title: str
    publisher: str
    summary: str
    areas: list[str]
    is_demo: bool
    evidence_level: str | None  # None until the practice library records one
    engagements: list[EngagementRow] = field(default_factory=list)


def evidence_level(item: Any) -> str | None:
    """The evidence level the practice's publisher stated (Foundations' scale; see
    docs/programme-dfe.md) and whether the DfE has confirmed it; None when none is stated."""
    if not getattr(item, "evidence_level", "") or item.evidence_level == "not-stated":
        return None
    level = str(item.get_evidence_level_display())
    if getattr(item, "evidence_confirmed_at", None):
        return f"{level} (confirmed by the DfE)"
    return f"{level} (stated by the publisher, not yet confirmed by the DfE)"


def practice_items() -> list[PracticeRow]:
    """Every practice item still in the library, from every alliance, with the engagements that
    used it."""
    query = (
        _model("PracticeItem")
        .objects.filter(withdrawn_at__isnull=True)
        .select_related("organisation")
        .prefetch_related(
            "engagements__programme", "engagements__alliance", "engagements__supported_council"
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
            evidence_level=evidence_level(item),
            engagements=sorted(
                (_row(e) for e in item.engagements.all()), key=lambda r: (r.starts, r.council_name)
            ),
        )
        for item in query
    ]
