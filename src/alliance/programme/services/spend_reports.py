"""Spend reports: when a partner's next report to the DfE is due, and submitting it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum

from alliance.programme.history import record_change
from alliance.programme.models import (
    Partner,
    SpendEntry,
    SpendReport,
)
from alliance.programme.money import pounds_and_pence
from alliance.programme.quarters import Quarter, quarters
from alliance.programme.services.money import _lock_partner, reported_to


def report_due(
    partner: Partner, today: dt.date, submitted: list[SpendReport] | None = None
) -> Quarter | None:
    """The next quarter whose spend report the partner can submit: ended, and not yet reported.
    `submitted` is the partner's returns when the caller already has them."""
    programme = partner.programme
    last = (
        reported_to(partner.pk)
        if submitted is None
        else max(submitted, key=lambda r: r.quarter, default=None)
    )
    for quarter in quarters(programme.starts, programme.ends):
        if last is not None and quarter.number <= last.quarter:
            continue
        return quarter if quarter.ends < today else None
    return None


@transaction.atomic
def submit_spend_report(
    partner: Partner, quarter_number: int, *, today: dt.date, user: Any
) -> SpendReport:
    """Submit the partner's spend report for a quarter that has ended, in order: its spend to the
    quarter's end is then fixed (never changed or removed; put right by a correcting entry)."""
    partner = _lock_partner(partner.pk)
    due = report_due(partner, today)
    if due is None or due.number != quarter_number:
        raise ValidationError(
            f"The next return you can submit is for {due.label.lower()} ({due.period})"
            if due is not None
            else "No spend report is due: the current quarter has not ended yet"
        )
    entries = SpendEntry.objects.filter(
        budget_line__partner=partner, reported_in__isnull=True, spent_on__lte=due.ends
    )
    total = (
        SpendEntry.objects.filter(budget_line__partner=partner, spent_on__lte=due.ends).aggregate(
            t=Sum("amount_pence")
        )["t"]
        or 0
    )
    spend_report = SpendReport.objects.create(
        partner=partner,
        quarter=due.number,
        period_ends=due.ends,
        total_pence=total,
        entries_count=entries.count(),
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
    )
    entries.update(reported_in=spend_report)
    record_change(
        user=user,
        obj=spend_report,
        programme=partner.programme,
        organisation_id=partner.alliance_id,
        before=None,
        after={
            "quarter": f"{due.label} ({due.period})",
            "total_pence": pounds_and_pence(total),
            "entries_count": str(spend_report.entries_count),
        },
    )
    return spend_report
