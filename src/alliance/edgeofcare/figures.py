"""The dashboard's figures: response targets met, referrals by month, services in use, closures
and outcomes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from alliance.edgeofcare.models import (
    ClosureReason,
    CouncilSettings,
    Outcome,
    Referral,
    Service,
    Urgency,
)
from alliance.edgeofcare.waiting_lists import places_taken
from alliance.organisations.models import Organisation


def last_twelve_months(now: dt.datetime | None = None) -> dt.datetime:
    """Where the dashboard's rolling figures start: the same day a year ago. A window keeps each
    figure's cost bounded however many years of referrals a council has."""
    return (now or timezone.now()) - dt.timedelta(days=365)


def target_figures(
    referrals: QuerySet[Referral], now: dt.datetime | None = None, since: dt.datetime | None = None
) -> list[dict]:
    """First contacts on time, by urgency, for referrals received since `since` (default: the
    last twelve months): met and missed; and families still waiting past their target, however
    long ago they were referred. Two grouped queries on the (organisation, received_at) and
    (organisation, status, due_at) indexes."""
    now = now or timezone.now()
    since = since or last_twelve_months(now)
    rows = {
        r["urgency"]: r
        for r in referrals.filter(received_at__gte=since)
        .order_by()
        .values("urgency")
        .annotate(
            total=Count("id"),
            met=Count("id", filter=Q(first_contact_at__lte=F("due_at"))),
            contacted=Count("first_contact_at"),
        )
    }
    overdue = dict(
        referrals.filter(status=Referral.Status.AWAITING_CONTACT, due_at__lt=now)
        .order_by()
        .values("urgency")
        .annotate(n=Count("id"))
        .values_list("urgency", "n")
    )
    out = []
    for urgency in Urgency:
        row = rows.get(urgency.value, {"total": 0, "met": 0, "contacted": 0})
        contacted = row["contacted"]
        out.append(
            {
                "urgency": urgency.label,
                "total": row["total"],
                "met": row["met"],
                "missed": contacted - row["met"],
                "waiting_overdue": overdue.get(urgency.value, 0),
                "percent_met": (100 * row["met"] / contacted) if contacted else None,
            }
        )
    return out


def monthly_referrals(referrals: QuerySet[Referral], months: int = 12) -> list[tuple[str, int]]:
    """Referrals in each of the last `months` calendar months (this one included), in one query
    on the (organisation, received_at) index."""
    today = timezone.localdate()
    starts = []
    cursor = today.replace(day=1)
    for _ in range(months):
        starts.append(cursor)
        cursor = (cursor - dt.timedelta(days=1)).replace(day=1)
    starts.reverse()
    tz = timezone.get_current_timezone()

    def aware(d: dt.date) -> dt.datetime:
        return dt.datetime(d.year, d.month, d.day, tzinfo=tz)

    bounds = [aware(d) for d in starts] + [
        aware((starts[-1].replace(day=28) + dt.timedelta(days=4)).replace(day=1))
    ]
    # Each referral is labelled with its month by one CASE (the first bound it falls before)
    # and counted in one GROUP BY: cheaper than a filtered count per month over every row.
    month = Case(
        *[When(received_at__lt=bounds[k + 1], then=Value(k)) for k in range(months)],
        output_field=IntegerField(),
    )
    counts = dict(
        referrals.filter(received_at__gte=bounds[0], received_at__lt=bounds[-1])
        .order_by()
        .annotate(month=month)
        .values("month")
        .annotate(n=Count("id"))
        .values_list("month", "n")
    )
    return [(starts[k].strftime("%b %Y"), counts.get(k, 0)) for k in range(months)]


def services_in_use(organisation_ids: Iterable[int] | None) -> list[dict]:
    qs = Service.objects.all()
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=list(organisation_ids))
    services = list(qs)
    taken = places_taken(services)
    return [
        {
            "service": s,
            "capacity": s.capacity,
            "active": taken[s.pk][0],
            "waiting": taken[s.pk][1],
            "free": max(0, s.capacity - taken[s.pk][0]),
        }
        for s in services
    ]


def closure_figures(
    referrals: QuerySet[Referral], since: dt.datetime | None = None
) -> list[tuple[str, int]]:
    """Cases closed since `since` (default: the last twelve months) by reason, on the
    (organisation, closed_at, closure_reason) index."""
    names = dict(ClosureReason.choices)
    rows = (
        referrals.filter(closed_at__gte=since or last_twelve_months())
        .order_by()
        .values("closure_reason")
        .annotate(n=Count("id"))
        .order_by("-n", "closure_reason")
    )
    return [(names.get(r["closure_reason"], r["closure_reason"]), r["n"]) for r in rows]


def outcome_figures(organisation: Organisation) -> list[dict]:
    """Outcomes checked at each point, cached until the council's next outcome is written."""
    version = (
        CouncilSettings.objects.filter(organisation=organisation)
        .values_list("outcomes_version", flat=True)
        .first()
    )
    key = f"edgeofcare:outcomes:{organisation.pk}:{version}"
    found = cache.get(key)
    if found is None:
        found = _outcome_figures(organisation)
        cache.set(key, found, 24 * 3600)
    return list(found)


def outcomes_changed(organisation_id: int) -> None:
    CouncilSettings.objects.filter(organisation_id=organisation_id).update(
        outcomes_version=F("outcomes_version") + 1
    )


def _outcome_figures(organisation: Organisation) -> list[dict]:
    rows = (
        Outcome.objects.filter(child__referral__organisation=organisation)
        .values("months")
        .annotate(
            checked=Count("id"),
            at_home=Count("id", filter=Q(living_at_home=True)),
            same_school=Count("id", filter=Q(same_school=True)),
            in_care=Count("id", filter=Q(entered_care=True)),
            re_referred=Count("id", filter=Q(re_referred=True)),
        )
        .order_by("months")
    )
    return [dict(r) for r in rows]
