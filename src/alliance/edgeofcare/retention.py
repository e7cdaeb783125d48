"""Retention: how long a referral's personal data is kept, and removing it after that."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from alliance.audit import services as audit
from alliance.edgeofcare.figures import outcomes_changed
from alliance.edgeofcare.models import CouncilSettings, Referral

log = logging.getLogger(__name__)


def retain_until(
    referral: Referral, cs: CouncilSettings, birth_dates: Iterable[dt.date] | None = None
) -> dt.date | None:
    """The first day the record may be deleted, or None while the case is open. `birth_dates`:
    the children's, when the caller has them already."""
    if referral.closed_at is None:
        return None
    closed = timezone.localdate(referral.closed_at)
    until = (
        closed.replace(year=closed.year + cs.retention_years)
        if not (closed.month == 2 and closed.day == 29)
        else dt.date(closed.year + cs.retention_years, 3, 1)
    )
    if birth_dates is None:
        birth_dates = referral.children.values_list("date_of_birth", flat=True)
    for dob in birth_dates:
        try:
            grown = dob.replace(year=dob.year + cs.retention_until_age)
        except ValueError:  # 29 February
            grown = dt.date(dob.year + cs.retention_until_age, 3, 1)
        until = max(until, grown)
    return until


def purge(today: dt.date | None = None) -> list[str]:
    """Delete closed referrals whose retention has run out, logging each in the audit trail (one
    `purge` row per referral, naming what was removed) and in the service log. Open cases and
    records still inside their retention are never touched.

    Safe to run again and at the same time as another run: each referral is re-read, locked and
    re-checked inside its own transaction before it is deleted, and the audit row is written only
    by the run whose delete removed it, so a record is never reported purged twice."""
    today = today or timezone.localdate()
    removed = []
    for cs in CouncilSettings.objects.select_related("organisation"):
        oldest_possible = today - dt.timedelta(days=365 * cs.retention_years - 2)
        candidates = list(
            Referral.objects.filter(
                organisation=cs.organisation,
                status=Referral.Status.CLOSED,
                closed_at__date__lte=oldest_possible,
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        removed += purge_referrals(cs, candidates, today)
    return removed


def purge_referrals(cs: CouncilSettings, candidates: Iterable[int], today: dt.date) -> list[str]:
    """Delete those of `candidates` (referral ids read a moment ago) that are still there, still
    closed and past their retention today. Returns the references removed."""
    rule = (
        f"{cs.retention_years} years after closure and until the youngest child is "
        f"{cs.retention_until_age}"
    )
    removed = []
    for pk in candidates:
        with transaction.atomic():
            referral = (
                Referral.objects.select_for_update()
                .filter(pk=pk, status=Referral.Status.CLOSED)
                .first()
            )
            if referral is None:  # gone (another run purged it) or reopened
                continue
            births = list(referral.children.values_list("date_of_birth", flat=True))
            until = retain_until(referral, cs, births)
            if until is None or until > today:
                continue
            reference = referral.reference
            _total, deleted = Referral.objects.filter(pk=pk).delete()
            if not deleted.get("edgeofcare.Referral"):
                continue
            audit.record(
                None,
                audit.Action.PURGE,
                object_type="edgeofcare.Referral",
                object_id=str(pk),
                object_repr=reference,
                organisation_id=cs.organisation_id,
                detail={
                    "closed": timezone.localdate(referral.closed_at).isoformat()
                    if referral.closed_at
                    else "",
                    "retained_until": until.isoformat(),
                    "children": len(births),
                    "removed": {k.split(".")[-1]: n for k, n in sorted(deleted.items()) if n},
                    "rule": rule,
                },
            )
            outcomes_changed(cs.organisation_id)
        log.info(
            "purged %s (closed %s, kept until %s; %s)",
            reference,
            referral.closed_at and timezone.localdate(referral.closed_at),
            until,
            rule,
        )
        removed.append(reference)
    return removed
