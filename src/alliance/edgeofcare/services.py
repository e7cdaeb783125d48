"""Edge of Care's domain logic: referrals, response targets, allocation, closure, outcomes,
retention and the figures. No request objects here; views and tasks call these."""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import re
import statistics
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import polars as pl
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case, Count, F, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from alliance.audit import services as audit
from alliance.edgeofcare import evaluation
from alliance.edgeofcare.models import (
    DEFAULT_TARGET_HOURS,
    OUTCOME_MONTHS,
    AllocationMethod,
    Arm,
    Child,
    CouncilSettings,
    Outcome,
    PlacementType,
    Referral,
    ResponseTarget,
    Service,
    ServiceAllocation,
    UnitCost,
    Urgency,
)
from alliance.organisations.models import Organisation

log = logging.getLogger(__name__)


class EdgeOfCareError(ValueError):
    """A request the rules refuse; `field` names the form field the message belongs to."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# ---------------------------------------------------------------- settings and targets


def council_settings(organisation: Organisation) -> CouncilSettings:
    found, _ = CouncilSettings.objects.get_or_create(organisation=organisation)
    return found


def target_hours(organisation: Organisation | int) -> dict[str, int]:
    org_id = organisation if isinstance(organisation, int) else organisation.pk
    hours = {str(k): v for k, v in DEFAULT_TARGET_HOURS.items()}
    for urgency, h in ResponseTarget.objects.filter(organisation_id=org_id).values_list(
        "urgency", "hours"
    ):
        hours[urgency] = h
    return hours


def set_target_hours(organisation: Organisation, hours: dict[str, int]) -> None:
    """Change the council's targets. Referrals already waiting keep the due time they were given
    (the family was told what to expect); new referrals use the new targets."""
    with transaction.atomic():
        for urgency, h in hours.items():
            ResponseTarget.objects.update_or_create(
                organisation=organisation, urgency=urgency, defaults={"hours": h}
            )


# ---------------------------------------------------------------- the statutory returns


def _returns() -> Any:
    """`alliance.returns.services` when the returns app provides it, else None."""
    try:
        # Imported by name: the returns app is built by another team and may not have it yet.
        returns_services = importlib.import_module("alliance.returns.services")
    except ImportError:
        return None
    if not all(hasattr(returns_services, n) for n in ("pseudonymise_id", "latest_tables")):
        return None
    return returns_services


def returns_tables(organisation: Organisation, kind: str) -> dict[str, pl.DataFrame]:
    """The council's latest accepted returns of `kind` ("ssda903" or "cin"), every year stacked;
    {} when the returns app is not there yet or nothing is uploaded."""
    module = _returns()
    if module is None:
        return {}
    try:
        return module.latest_tables(organisation, kind) or {}
    except Exception:  # the returns app is another team's: never let it break case work
        log.exception("could not read %s returns for %s", kind, organisation)
        return {}


def pseudonym(organisation: Organisation, child_id: str, kind: str = "ssda903") -> str | None:
    """The child's pseudonym as the council's `kind` returns hold it (SSDA903 `CHILD` and the CIN
    census `LAchildID` are pseudonymised differently)."""
    module = _returns()
    if module is None or not child_id:
        return None
    try:
        return str(module.pseudonymise_id(organisation, child_id, kind=kind))
    except Exception:  # e.g. the council has no key yet: nothing can be matched
        log.exception("could not pseudonymise a child id for %s", organisation)
        return None


def _table(tables: dict[str, pl.DataFrame], *names: str) -> pl.DataFrame | None:
    lowered = {k.lower(): v for k, v in tables.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def looked_after_now(organisation: Organisation, child_id: str) -> bool:
    """Is this child in care today, as far as the council's latest SSDA903 upload says (an
    episode with no end date)?"""
    if not child_id:
        return False
    episodes = _table(returns_tables(organisation, "ssda903"), "Episodes", "episodes")
    if episodes is None or "CHILD" not in episodes.columns:
        return False  # nothing uploaded: the practitioner's answer on the form is what we have
    key = pseudonym(organisation, child_id)
    if key is None:
        return False
    open_ = episodes.filter(pl.col("CHILD") == key)
    if "DEC" in open_.columns:
        open_ = open_.filter(pl.col("DEC").is_null())
    return open_.height > 0


# ---------------------------------------------------------------- referrals


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")


@dataclass(frozen=True)
class ChildDetails:
    first_name: str
    last_name: str
    date_of_birth: dt.date


def find_duplicates(
    organisation: Organisation, postcode: str, children: Iterable[ChildDetails]
) -> list[Referral]:
    """Earlier referrals of what looks like the same family: the same postcode and at least one
    child with the same date of birth or the same first and last name."""
    postcode = normalise_postcode(postcode)
    kids = list(children)
    if not postcode or not kids:
        return []
    child_q = Q()
    for c in kids:
        child_q |= Q(date_of_birth=c.date_of_birth)
        child_q |= Q(first_name__iexact=c.first_name.strip(), last_name__iexact=c.last_name.strip())
    ids = (
        Child.objects.filter(
            child_q, referral__organisation=organisation, referral__postcode=postcode
        )
        .values_list("referral_id", flat=True)
        .distinct()
    )
    return list(
        Referral.objects.filter(pk__in=list(ids))
        .prefetch_related("children")
        .order_by("-received_at")
    )


def due_at(organisation: Organisation, urgency: str, received_at: dt.datetime) -> dt.datetime:
    return received_at + dt.timedelta(hours=target_hours(organisation)[urgency])


def create_referral(
    organisation: Organisation,
    user: Any,
    fields: dict[str, Any],
    children: Sequence[dict[str, Any]],
    members: Sequence[dict[str, Any]] = (),
) -> Referral:
    """Save a referral with its children and family members, all or nothing."""
    if not fields.get("consent_basis"):
        raise EdgeOfCareError(
            "Select the lawful basis for sharing this family's information", "consent_basis"
        )
    if not children:
        raise EdgeOfCareError("Add at least one child", "children")
    for child in children:
        if child.get("la_child_id") and looked_after_now(organisation, child["la_child_id"]):
            raise EdgeOfCareError(
                f"{child['first_name']} is already looked after (the council's latest SSDA903 "
                "return shows an open episode of care): Edge of Care is for children not in care",
                "children",
            )
    settings = council_settings(organisation)
    with transaction.atomic():
        received = fields.pop("received_at", None) or timezone.now()
        referral = Referral(
            organisation=organisation,
            created_by=user if getattr(user, "is_authenticated", False) else None,
            received_at=received,
            allocation_method=settings.allocation_method,
            **fields,
        )
        referral.postcode = normalise_postcode(referral.postcode)
        referral.due_at = due_at(organisation, referral.urgency, received)
        referral.full_clean(exclude=["created_by"])
        referral.save()
        for child in children:
            c = Child(referral=referral, **child)
            c.full_clean()
            c.save()
        for member in members:
            referral.members.create(**member)
    return referral


def record_contact(
    referral: Referral,
    user: Any,
    kind: str,
    happened_at: dt.datetime,
    notes: str,
    allocation: ServiceAllocation | None = None,
) -> None:
    if happened_at < referral.received_at:
        raise EdgeOfCareError("The contact must be after the referral was received", "happened_at")
    if happened_at > timezone.now() + dt.timedelta(minutes=5):
        raise EdgeOfCareError("The contact cannot be in the future", "happened_at")
    with transaction.atomic():
        referral.contacts.create(
            kind=kind,
            happened_at=happened_at,
            notes=notes,
            allocation=allocation,
            recorded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        if referral.first_contact_at is None or happened_at < referral.first_contact_at:
            referral.first_contact_at = happened_at
            if referral.status == Referral.Status.AWAITING_CONTACT:
                referral.status = Referral.Status.AWAITING_TRIAGE
            referral.save(update_fields=["first_contact_at", "status"])


def places_taken(services: Iterable[Service]) -> dict[int, tuple[int, int]]:
    """Service id → (families being worked with, families waiting)."""
    ids = [s.pk for s in services]
    # `status IN (...)` rather than "not ended": the status index then reads only the families
    # being worked with or waiting, not every allocation there has ever been.
    rows = (
        ServiceAllocation.objects.filter(
            service_id__in=ids,
            status__in=[ServiceAllocation.Status.ACTIVE, ServiceAllocation.Status.WAITING],
        )
        .values("service_id")
        .annotate(
            active=Count("id", filter=Q(status=ServiceAllocation.Status.ACTIVE)),
            waiting=Count("id", filter=Q(status=ServiceAllocation.Status.WAITING)),
        )
    )
    found = {r["service_id"]: (r["active"], r["waiting"]) for r in rows}
    return {i: found.get(i, (0, 0)) for i in ids}


def triage(
    referral: Referral,
    services: Sequence[Service],
    *,
    waiting_list_ok: bool = False,
    arm: str = "",
) -> list[ServiceAllocation]:
    """Allocate the family to one or more services. A service that is full refuses the allocation
    unless the practitioner chose to add the family to its waiting list. Where the council
    allocates at random, `arm` records which arm the family was randomised to; a family in the
    usual-care arm gets no Edge of Care services."""
    if referral.status == Referral.Status.CLOSED:
        raise EdgeOfCareError("This referral is closed")
    if referral.first_contact_at is None:
        raise EdgeOfCareError("Record the first contact with the family before triage", "services")
    if arm == Arm.USUAL_CARE:
        services = []
    elif not services:
        raise EdgeOfCareError("Select at least one service", "services")
    now = timezone.now()
    with transaction.atomic():
        # Lock the services' rows (PostgreSQL) so two practitioners cannot take the last place.
        locked = list(Service.objects.select_for_update().filter(pk__in=[s.pk for s in services]))
        taken = places_taken(locked)
        made = []
        for service in locked:
            if (
                referral.allocations.filter(service=service)
                .exclude(status=ServiceAllocation.Status.ENDED)
                .exists()
            ):
                continue
            active, _waiting = taken[service.pk]
            if active >= service.capacity:
                if not waiting_list_ok:
                    raise EdgeOfCareError(
                        f"{service.name} is full ({active} of {service.capacity} places taken): "
                        "choose another service or add the family to its waiting list",
                        "services",
                    )
                fields = {"status": ServiceAllocation.Status.WAITING, "waiting_from": now}
            else:
                fields = {"status": ServiceAllocation.Status.ACTIVE, "started_at": now}
            made.append(referral.allocations.create(service=service, allocated_at=now, **fields))
        referral.status = Referral.Status.OPEN
        referral.triaged_at = referral.triaged_at or now
        if arm:
            referral.arm = arm
        referral.save(update_fields=["status", "triaged_at", "arm"])
    return made


def start_from_waiting_list(allocation: ServiceAllocation, when: dt.datetime | None = None) -> None:
    """A place came free: the family leaves the waiting list and the service starts (the time is
    kept, so the evaluation knows how long each family waited)."""
    when = when or timezone.now()
    if allocation.status != ServiceAllocation.Status.WAITING:
        raise EdgeOfCareError(f"{allocation.service.name} is not on the waiting list")
    with transaction.atomic():
        service = Service.objects.select_for_update().get(pk=allocation.service_id)
        active, _ = places_taken([service])[service.pk]
        if active >= service.capacity:
            raise EdgeOfCareError(f"{service.name} has no free place yet")
        if allocation.referral.allocation_method == AllocationMethod.WAITING_LIST:
            # Places go in waiting-list order: that is what makes the families who waited a fair
            # comparison. A family that cannot take its place comes off the list (end it) first.
            ahead = (
                ServiceAllocation.objects.filter(
                    service=service,
                    status=ServiceAllocation.Status.WAITING,
                    referral__allocation_method=AllocationMethod.WAITING_LIST,
                    waiting_from__lt=allocation.waiting_from,
                )
                .select_related("referral")
                .order_by("waiting_from")
                .first()
                if allocation.waiting_from is not None
                else None
            )
            if ahead is not None:
                raise EdgeOfCareError(
                    f"{ahead.referral.reference} has waited longer for {service.name}: the "
                    "council gives places in waiting-list order, so offer this place to that "
                    "family first, or take them off the waiting list"
                )
        allocation.status = ServiceAllocation.Status.ACTIVE
        allocation.started_at = when
        allocation.save(update_fields=["status", "started_at"])


def end_allocation(allocation: ServiceAllocation) -> None:
    allocation.status = ServiceAllocation.Status.ENDED
    allocation.ended_at = timezone.now()
    allocation.save(update_fields=["status", "ended_at"])


def close_referral(referral: Referral, reason: str, notes: str) -> None:
    if referral.status == Referral.Status.CLOSED:
        raise EdgeOfCareError("This referral is already closed")
    if not reason:
        raise EdgeOfCareError("Select why the case is closing", "reason")
    with transaction.atomic():
        now = timezone.now()
        referral.allocations.exclude(status=ServiceAllocation.Status.ENDED).update(
            status=ServiceAllocation.Status.ENDED, ended_at=now
        )
        referral.status = Referral.Status.CLOSED
        referral.closed_at = now
        referral.closure_reason = reason
        referral.closure_notes = notes
        referral.save(update_fields=["status", "closed_at", "closure_reason", "closure_notes"])


# ---------------------------------------------------------------- the live queue


@dataclass(frozen=True)
class QueueRow:
    referral: Referral
    minutes_left: int  # negative: overdue

    @property
    def overdue(self) -> bool:
        return self.minutes_left < 0

    @property
    def time_left(self) -> str:
        m = abs(self.minutes_left)
        if m >= 48 * 60:
            text = f"{m // 1440} days {m % 1440 // 60} hr"
        elif m >= 60:
            text = f"{m // 60} hr {m % 60} min"
        else:
            text = f"{m} min"
        return f"{text} overdue" if self.overdue else text


def queue(referrals: QuerySet[Referral], now: dt.datetime | None = None) -> list[QueueRow]:
    """Families waiting for first contact, the most urgent (least time left) first."""
    now = now or timezone.now()
    waiting = (
        referrals.filter(status=Referral.Status.AWAITING_CONTACT)
        .order_by("due_at")
        .only("id", "received_at", "due_at", "urgency", "postcode", "escalated_at", "risk")[:500]
    )
    return [QueueRow(r, int((r.due_at - now).total_seconds() // 60)) for r in waiting]


def escalate(now: dt.datetime | None = None) -> int:
    """Flag every referral whose first-contact target will be missed within the council's warning
    time and email the team lead, once per referral. Returns how many were escalated.

    Safe to run again and at the same time as another run (the scheduler every few minutes, a
    worker retrying, someone running the command by hand): each referral is claimed with one
    conditional update (`escalated_at` still empty) and only the run whose update changed the
    row emails about it. The claim and the email share a transaction, so if the email cannot be
    sent the claim is undone and the next run tries again."""
    now = now or timezone.now()
    escalated = 0
    for cs in CouncilSettings.objects.select_related("organisation"):
        soon = now + dt.timedelta(minutes=cs.warn_minutes)
        due = list(
            Referral.objects.filter(
                organisation=cs.organisation,
                status=Referral.Status.AWAITING_CONTACT,
                escalated_at__isnull=True,
                due_at__lte=soon,
            )
            .order_by("due_at")
            .only("id", "urgency", "due_at")
        )
        escalated += escalate_referrals(cs, due, now)
    return escalated


def escalate_referrals(cs: CouncilSettings, due: Sequence[Referral], now: dt.datetime) -> int:
    """Claim and email about `due` (the council's referrals about to miss their target, as read
    a moment ago): a referral another run has claimed since is left to that run."""
    if not due:
        return 0
    with transaction.atomic():
        claimed = [
            r
            for r in due
            if Referral.objects.filter(
                pk=r.pk, escalated_at__isnull=True, status=Referral.Status.AWAITING_CONTACT
            ).update(escalated_at=now)
        ]
        if claimed and cs.team_lead_email:
            lines = [
                f"{r.reference} ({r.get_urgency_display()}): first contact due "
                f"{timezone.localtime(r.due_at):%d %B %Y at %H:%M}"
                + (" — already overdue" if r.due_at < now else "")
                for r in claimed
            ]
            send_mail(
                f"Edge of Care: {len(claimed)} referral(s) about to miss the first-contact target",
                "These families are waiting for first contact and their target is close or "
                "passed:\n\n" + "\n".join(lines) + "\n\nSee the live queue in Alliance.",
                None,
                [cs.team_lead_email],
            )
    if claimed:
        log.info(
            "escalated %d referral(s) for %s: %s",
            len(claimed),
            cs.organisation,
            ", ".join(r.reference for r in claimed),
        )
    return len(claimed)


# ---------------------------------------------------------------- figures


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
    from alliance.edgeofcare.models import ClosureReason

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


# ---------------------------------------------------------------- outcomes


def outcome_due_on(child: Child, months: int) -> dt.date:
    received = timezone.localdate(child.referral.received_at)
    month = received.month - 1 + months
    year = received.year + month // 12
    month = month % 12 + 1
    day = min(received.day, 28)
    return dt.date(year, month, day)


def record_outcome(child: Child, months: int, values: dict[str, Any]) -> Outcome:
    if months not in OUTCOME_MONTHS:
        raise EdgeOfCareError("Choose 3, 6, 12 or 21 months", "months")
    checked = values.get("checked_on")
    received = timezone.localdate(child.referral.received_at)
    if checked is None:
        raise EdgeOfCareError("Enter the date the outcome was checked", "checked_on")
    if checked < received:
        raise EdgeOfCareError(
            f"The date checked must be on or after the referral date ({received:%d %B %Y})",
            "checked_on",
        )
    if checked > timezone.localdate():
        raise EdgeOfCareError("The date checked cannot be in the future", "checked_on")
    with transaction.atomic():
        outcome, _ = Outcome.objects.get_or_create(
            child=child, months=months, defaults={"checked_on": checked}
        )
        outcome.checked_on = checked
        for key in ("living_at_home", "same_school", "notes"):
            if key in values:
                setattr(outcome, key, values[key])
        # What the returns said stays: a practitioner's answer fills only what they could not.
        for key in ("entered_care", "re_referred"):
            if key in values and getattr(outcome, f"{key}_source") != Outcome.Source.RETURNS:
                setattr(outcome, key, values[key])
                setattr(
                    outcome,
                    f"{key}_source",
                    Outcome.Source.PRACTITIONER if values[key] is not None else "",
                )
        outcome.save()
        council_settings(child.referral.organisation)
        outcomes_changed(child.referral.organisation_id)
    return outcome


def _coverage(frame: pl.DataFrame | None) -> tuple[dt.date, dt.date]:
    """The days the uploaded collection years of a return span: from 1 April before the earliest
    to 31 March of the latest (a collection year runs April to March). Outside it, a child's
    absence from the return says nothing. (date.max, date.min) when nothing is uploaded."""
    if frame is None or "YEAR" not in frame.columns or frame.height == 0:
        return dt.date.max, dt.date.min
    first, last = int(frame["YEAR"].min()), int(frame["YEAR"].max())  # type: ignore[arg-type]
    return dt.date(first - 1, 4, 1), dt.date(last, 3, 31)


def match_outcomes(organisation: Organisation, today: dt.date | None = None) -> int:
    """Fill `entered_care` (SSDA903: an episode starting after the referral and before the
    outcome point) and `re_referred` (CIN census: a referral after this one's first 30 days and
    before the point) for every child with a council child id whose outcome point has passed.
    Returns how many outcome answers were filled from the returns."""
    today = today or timezone.localdate()
    episodes = _table(returns_tables(organisation, "ssda903"), "Episodes")
    cin = _table(returns_tables(organisation, "cin"), "CINdetails")
    if episodes is None and cin is None:
        return 0
    # A child absent from the returns is "no" only for points the uploads cover: a collection
    # year ends on 31 March of its YEAR.
    ssda903_from, ssda903_covers = _coverage(episodes)
    cin_from, cin_covers = _coverage(cin)
    filled = 0
    children = Child.objects.filter(referral__organisation=organisation).exclude(la_child_id="")
    with transaction.atomic():
        for child in children.select_related("referral"):
            key = pseudonym(organisation, child.la_child_id, "ssda903")
            cin_key = pseudonym(organisation, child.la_child_id, "cin")
            if key is None:
                continue
            start = timezone.localdate(child.referral.received_at)
            for months in OUTCOME_MONTHS:
                point = outcome_due_on(child, months)
                if point > today:
                    continue
                found: dict[str, bool] = {}
                if episodes is not None and {"CHILD", "DECOM"} <= set(episodes.columns):
                    hits = episodes.filter(
                        (pl.col("CHILD") == key)
                        & (pl.col("DECOM") >= start)
                        & (pl.col("DECOM") <= point)
                    )
                    if hits.height or (ssda903_from <= start and point <= ssda903_covers):
                        found["entered_care"] = hits.height > 0
                if cin is not None and {"LAchildID", "CINreferralDate"} <= set(cin.columns):
                    hits = cin.filter(
                        (pl.col("LAchildID") == cin_key)
                        & (pl.col("CINreferralDate") > start + dt.timedelta(days=30))
                        & (pl.col("CINreferralDate") <= point)
                    )
                    if hits.height or (cin_from <= start and point <= cin_covers):
                        found["re_referred"] = hits.height > 0
                if not found:
                    continue
                outcome, _ = Outcome.objects.get_or_create(
                    child=child, months=months, defaults={"checked_on": today}
                )
                for name, value in found.items():
                    # Not being in the returns never overrules what a practitioner recorded.
                    if (
                        not value
                        and getattr(outcome, f"{name}_source") == Outcome.Source.PRACTITIONER
                    ):
                        continue
                    setattr(outcome, name, value)
                    setattr(outcome, f"{name}_source", Outcome.Source.RETURNS)
                    filled += 1
                outcome.save()
        council_settings(organisation)
        outcomes_changed(organisation.pk)
    return filled


# ---------------------------------------------------------------- evaluation


def supported_frame(referrals: QuerySet[Referral], months: int = 12) -> pl.DataFrame:
    """One row per supported child with a known outcome at `months`: baseline and entered_care."""
    rows = []
    outcomes = {
        o.child_id: o.entered_care
        for o in Outcome.objects.filter(
            child__referral__in=referrals, months=months, entered_care__isnull=False
        )
    }
    for child in Child.objects.filter(referral__in=referrals).select_related("referral"):
        if child.pk not in outcomes:
            continue
        rows.append(
            _baseline_row(
                child.age_on(timezone.localdate(child.referral.received_at)),
                child.disabled,
                child.uasc,
                child.prior_referrals,
                child.cp_history,
                child.primary_need,
                1 if child.referral.arm != Arm.USUAL_CARE else 0,
                int(bool(outcomes[child.pk])),
            )
        )
    return _frame(rows)


def _baseline_row(
    age: int,
    disabled: bool,
    uasc: bool,
    prior: int,
    cp: bool,
    need: str,
    treated: int,
    entered: int,
) -> dict[str, int]:
    row = {
        "treated": treated,
        "entered_care": entered,
        "age": age,
        "disabled": int(disabled),
        "uasc": int(uasc),
        "prior_referrals": prior,
        "cp_history": int(cp),
    }
    for code in evaluation.NEED_CODES:
        row[f"need_{code}"] = int(need == code)
    return row


def _frame(rows: list[dict[str, int]]) -> pl.DataFrame:
    extra = sorted(c for c in (rows[0] if rows else {}) if c.startswith(evaluation.URGENCY_PREFIX))
    columns = ["treated", "entered_care", *evaluation.COVARIATES, *extra]
    if not rows:
        return pl.DataFrame({c: [] for c in columns}, schema=dict.fromkeys(columns, pl.Int64))
    return pl.DataFrame(rows).select(columns)


def comparison_frame(
    organisation: Organisation, year: int, supported_ids: set[str], months: int = 12
) -> pl.DataFrame:
    """Children referred to children's social care in `year` (CIN census) who were not supported
    by Edge of Care, with the same baseline and whether they entered care (SSDA903) within
    `months`. Empty when the returns are not uploaded."""
    cin = returns_tables(organisation, "cin")
    details = _table(cin, "CINdetails")
    idents = _table(cin, "ChildIdentifiers")
    if details is None or idents is None:
        return _frame([])
    ssda903 = returns_tables(organisation, "ssda903")
    episodes = _table(ssda903, "Episodes")
    disab = _table(cin, "Disabilities")
    cpp = _table(cin, "ChildProtectionPlans")
    uasc_t = _table(ssda903, "UASC")
    ref = details.filter(pl.col("CINreferralDate").dt.year() == year).sort("CINreferralDate")
    ref = ref.unique(subset=["LAchildID"], keep="first")
    ref = ref.filter(~pl.col("LAchildID").is_in(list(supported_ids)))
    ref = ref.join(
        idents.select("LAchildID", "PersonBirthDate").unique("LAchildID"),
        on="LAchildID",
        how="left",
    )
    disabled = (
        set(disab.filter(pl.col("Disability") != "NONE")["LAchildID"].to_list())
        if disab is not None
        else set()
    )
    with_cp = set(cpp["LAchildID"].to_list()) if cpp is not None else set()
    uasc = (
        set(uasc_t["CHILD"].to_list())
        if uasc_t is not None and "CHILD" in uasc_t.columns
        else set()
    )
    history: dict[str, list[dt.date]] = defaultdict(list)
    for cid, d in details.select("LAchildID", "CINreferralDate").iter_rows():
        if d is not None:
            history[cid].append(d)
    if episodes is None or "CHILD" not in episodes.columns or episodes.height == 0:
        # With no looked-after records every comparison child would read as "never entered care".
        return _frame([])
    linked = set(episodes["CHILD"].to_list()) & set(details["LAchildID"].to_list())
    if not linked:
        # Both returns hold a child under the same pseudonym, and children looked after are
        # children in need too, so real returns always share children. None shared means the
        # census was stored with the old census-only pseudonyms (or is another council's): every
        # comparison child would look as if they never entered care. Refuse rather than mislead.
        raise EdgeOfCareError(
            "The comparison group cannot be built: no child in the council's CIN census "
            "appears in its SSDA903 returns, so a child's children-in-need record cannot be "
            "linked to their looked-after record to see whether they entered care. A CIN census "
            "uploaded before both returns shared one pseudonym must be uploaded again"
        )
    # Absence from SSDA903 means "did not enter care" only up to the end of the latest
    # uploaded collection year: a child whose follow-up runs past it is left out, not read as no.
    covered_from, covered = _coverage(episodes)
    entries: dict[str, list[dt.date]] = defaultdict(list)
    if "DECOM" in episodes.columns:
        for cid, d in episodes.select("CHILD", "DECOM").iter_rows():
            if d is not None:
                entries[cid].append(d)
    rows = []
    for cid, referred, need, dob in ref.select(
        "LAchildID", "CINreferralDate", "PrimaryNeedCode", "PersonBirthDate"
    ).iter_rows():
        if referred is None or dob is None:
            continue
        # Already in care when referred: not a comparable child.
        if any(d <= referred for d in entries.get(cid, [])):
            continue
        until = referred + dt.timedelta(days=round(months * 30.44))
        if referred < covered_from or until > covered:
            continue
        prior = sum(1 for d in history[cid] if referred - dt.timedelta(days=365) <= d < referred)
        age = referred.year - dob.year - ((referred.month, referred.day) < (dob.month, dob.day))
        entered = int(any(referred < d <= until for d in entries.get(cid, [])))
        rows.append(
            _baseline_row(
                age, cid in disabled, cid in uasc, prior, cid in with_cp, need or "", 0, entered
            )
        )
    return _frame(rows)


@dataclass
class EvaluationOutcome:
    result: evaluation.Result | None
    message: str
    lines: list[str]
    methods: list[tuple[str, int]] = field(default_factory=list)
    # The waiting-list comparison, where some of the year's families were given places in
    # waiting-list order (None when none were).
    waiting: EvaluationOutcome | None = None


# The check the waiting-list comparison reads: the first, as waits are weeks, not years.
WAITING_LIST_CHECK_MONTHS = 3


def waiting_list_frame(
    referrals: QuerySet[Referral], months: int = WAITING_LIST_CHECK_MONTHS
) -> tuple[pl.DataFrame, int, float | None]:
    """One row per child of a family given places in waiting-list order, with an outcome at
    `months`: `treated` 1 if the family started a service at triage, 0 if every service it was
    allocated put it on the waiting list. Also: how many children who waited had a place before
    the check, and the median wait in days of the families who got one. Two queries."""
    referrals = referrals.filter(
        allocation_method=AllocationMethod.WAITING_LIST, triaged_at__isnull=False
    ).exclude(arm=Arm.USUAL_CARE)
    waited: dict[int, bool] = {}
    first_start: dict[int, dt.datetime] = {}
    joined: dict[int, dt.datetime] = {}
    for (
        referral_id,
        triaged_at,
        allocated_at,
        waiting_from,
        started_at,
    ) in ServiceAllocation.objects.filter(referral__in=referrals).values_list(
        "referral_id", "referral__triaged_at", "allocated_at", "waiting_from", "started_at"
    ):
        # Started at once: a place was free when the family was triaged (a service added weeks
        # later does not make a family that waited into one that did not).
        at_triage = triaged_at is not None and allocated_at <= triaged_at + dt.timedelta(days=1)
        at_once = at_triage and waiting_from is None and started_at is not None
        waited[referral_id] = waited.get(referral_id, True) and not at_once
        if waiting_from is not None:
            joined[referral_id] = min(joined.get(referral_id, waiting_from), waiting_from)
        if started_at is not None:
            known = first_start.get(referral_id)
            first_start[referral_id] = started_at if known is None else min(known, started_at)
    rows = []
    started_before = 0
    for checked in Outcome.objects.filter(
        child__referral__in=referrals, months=months, entered_care__isnull=False
    ).select_related("child__referral"):
        child = checked.child
        if child.referral_id not in waited:
            continue  # triaged without a service (no allocation): in neither group
        did_wait = waited[child.referral_id]
        start = first_start.get(child.referral_id)
        if did_wait and start is not None:
            started_before += timezone.localdate(start) <= outcome_due_on(child, months)
        rows.append(
            _baseline_row(
                child.age_on(timezone.localdate(child.referral.received_at)),
                child.disabled,
                child.uasc,
                child.prior_referrals,
                child.cp_history,
                child.primary_need,
                0 if did_wait else 1,
                int(bool(checked.entered_care)),
            )
        )
        # how urgent the referral was: families who wait tend to be the less urgent ones
        for level in Urgency.values:
            rows[-1][f"{evaluation.URGENCY_PREFIX}{level}"] = int(child.referral.urgency == level)
    waits = [
        (start - joined[r]).total_seconds() / 86400
        for r, start in first_start.items()
        if r in joined and waited.get(r)
    ]
    median = statistics.median(waits) if waits else None
    return _frame(rows), started_before, median


def evaluate_waiting_list(
    organisation: Organisation, year: int, months: int = WAITING_LIST_CHECK_MONTHS
) -> EvaluationOutcome | None:
    """The waiting-list comparison for families referred in `year`, or None when none of them
    were given places in waiting-list order."""
    referrals = Referral.objects.filter(organisation=organisation, received_at__year=year)
    if not referrals.filter(allocation_method=AllocationMethod.WAITING_LIST).exists():
        return None
    frame, started_before, median = waiting_list_frame(referrals, months)
    follow_up = f"within {months} months of referral"
    try:
        result = evaluation.waiting_list(frame, "entered_care", started_before, median)
    except evaluation.NotEnoughData as exc:
        return EvaluationOutcome(
            None,
            f"Not enough data for a waiting-list comparison of {year} yet: {exc} (children "
            f"whose {months}-month outcome has been recorded).",
            [],
        )
    return EvaluationOutcome(result, "", evaluation.plain_english(result, follow_up))


def evaluate(organisation: Organisation, year: int, months: int = 12) -> EvaluationOutcome:
    outcome = _evaluate(organisation, year, months)
    outcome.waiting = evaluate_waiting_list(organisation, year)
    names = dict(AllocationMethod.choices)
    outcome.methods = [
        (names.get(r["allocation_method"], r["allocation_method"]), r["n"])
        for r in Referral.objects.filter(organisation=organisation, received_at__year=year)
        .order_by()
        .values("allocation_method")
        .annotate(n=Count("id"))
    ]
    return outcome


def _evaluate(organisation: Organisation, year: int, months: int) -> EvaluationOutcome:
    referrals = Referral.objects.filter(organisation=organisation, received_at__year=year)
    supported = supported_frame(referrals, months)
    randomised = referrals.filter(arm=Arm.USUAL_CARE).exists()
    try:
        if randomised:
            result = evaluation.randomised(supported)
        else:
            ids = {
                p
                for p in (
                    pseudonym(organisation, c, "cin")
                    for c in Child.objects.filter(referral__in=referrals)
                    .exclude(la_child_id="")
                    .values_list("la_child_id", flat=True)
                )
                if p
            }
            comparison = comparison_frame(organisation, year, ids, months)
            if comparison.height == 0:
                return EvaluationOutcome(
                    None,
                    f"No comparison group yet: there are no similar children to compare with "
                    f"until the council's CIN census for the children referred in {year}, and "
                    f"SSDA903 returns covering the {months} months after their referrals, have "
                    "been uploaded. Upload them in Statutory returns.",
                    [],
                )
            result = evaluation.matched(
                pl.concat([supported.filter(pl.col("treated") == 1), comparison])
            )
    except evaluation.NotEnoughData as exc:
        return EvaluationOutcome(None, f"Not enough data for {year} yet: {exc}.", [])
    except EdgeOfCareError as exc:
        return EvaluationOutcome(None, f"{exc}.", [])
    return EvaluationOutcome(result, "", evaluation.plain_english(result))


# Placement mix when the council's SSDA903 returns are not uploaded: an assumption, shown as such.
ASSUMED_MIX = {
    PlacementType.FOSTER_IN_HOUSE: 0.40,
    PlacementType.FOSTER_AGENCY: 0.25,
    PlacementType.KINSHIP: 0.15,
    PlacementType.RESIDENTIAL: 0.12,
    PlacementType.SEMI_INDEPENDENT: 0.08,
}
# SSDA903 placement codes by the cost types above.
PLACE_TYPES = {
    "U1": PlacementType.KINSHIP,
    "U2": PlacementType.KINSHIP,
    "U3": PlacementType.KINSHIP,
    "U4": PlacementType.FOSTER_IN_HOUSE,
    "U5": PlacementType.FOSTER_IN_HOUSE,
    "U6": PlacementType.FOSTER_IN_HOUSE,
    "K2": PlacementType.RESIDENTIAL,
    "R1": PlacementType.RESIDENTIAL,
    "H5": PlacementType.SEMI_INDEPENDENT,
    "K1": PlacementType.SEMI_INDEPENDENT,
    "P2": PlacementType.SEMI_INDEPENDENT,
}
DEFAULT_WEEKLY_POUNDS = {
    PlacementType.FOSTER_IN_HOUSE: 450,
    PlacementType.FOSTER_AGENCY: 900,
    PlacementType.KINSHIP: 300,
    PlacementType.RESIDENTIAL: 5500,
    PlacementType.SEMI_INDEPENDENT: 1500,
}


def unit_costs(organisation: Organisation) -> dict[str, int]:
    costs = {str(k): v * 100 for k, v in DEFAULT_WEEKLY_POUNDS.items()}
    for t, pence in UnitCost.objects.filter(organisation=organisation).values_list(
        "placement_type", "weekly_pence"
    ):
        costs[t] = pence
    return costs


def set_unit_costs(organisation: Organisation, costs: dict[str, int]) -> None:
    with transaction.atomic():
        for t, pence in costs.items():
            UnitCost.objects.update_or_create(
                organisation=organisation, placement_type=t, defaults={"weekly_pence": pence}
            )


def placement_mix(organisation: Organisation) -> tuple[dict[str, float], bool]:
    """Share of placements of each type from the council's SSDA903 episodes, or the assumed mix
    (second value False) when none are uploaded."""
    episodes = _table(returns_tables(organisation, "ssda903"), "Episodes")
    if episodes is None or "PLACE" not in episodes.columns:
        return {str(k): v for k, v in ASSUMED_MIX.items()}, False
    counts: Counter[str] = Counter()
    for place, provider in episodes.select(
        "PLACE", pl.col("PLACE_PROVIDER") if "PLACE_PROVIDER" in episodes.columns else pl.lit("")
    ).iter_rows():
        kind = PLACE_TYPES.get(place or "")
        if kind == PlacementType.FOSTER_IN_HOUSE and provider in ("PR4", "PR5"):
            kind = PlacementType.FOSTER_AGENCY
        if kind:
            counts[str(kind)] += 1
    total = sum(counts.values())
    if not total:
        return {str(k): v for k, v in ASSUMED_MIX.items()}, False
    return {str(k): counts.get(str(k), 0) / total for k in PlacementType}, True


def costs_avoided(
    organisation: Organisation, children_kept_out: float, weeks: int = 52
) -> dict[str, Any]:
    costs = unit_costs(organisation)
    mix, from_returns = placement_mix(organisation)
    weekly = sum(costs[t] * share for t, share in mix.items())
    return {
        "weekly_average_pence": round(weekly),
        "weeks": weeks,
        "children": children_kept_out,
        "total_pence": round(weekly * weeks * max(children_kept_out, 0)),
        "mix": [(PlacementType(t).label, share, costs[t]) for t, share in mix.items()],
        "mix_from_returns": from_returns,
    }


# ---------------------------------------------------------------- retention


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
