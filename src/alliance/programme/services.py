"""The programme's domain logic: matches, engagements, milestones, money, history, summaries and
reminders. No request objects: callers pass the person acting (and the request only so the audit
row says where it came from).

Every change to plans, milestones and money goes through `record_change`, which writes the
programme's own history (who, when, each field before and after) and an audit row. Checks that
need other records (capacity, overlapping engagements, budget left) run here, inside the same
transaction as the save, with the rows they depend on locked, so nothing is half-saved.
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Model, Q, QuerySet, Sum

from alliance.audit import services as audit
from alliance.nationalpicture.loaders import KEY_INDICATORS
from alliance.nationalpicture.services import compare, judgement_history
from alliance.organisations.models import Council
from alliance.programme import forecast
from alliance.programme.history import record_change, snapshot
from alliance.programme.models import (
    Activity,
    BudgetLine,
    Closure,
    Diagnostic,
    Engagement,
    GrantReturn,
    ImprovementPlan,
    Match,
    Milestone,
    Partner,
    PlannedSpend,
    PracticeItem,
    Priority,
    Programme,
    QuarterlyReview,
    SpendEntry,
    SupportNeed,
)
from alliance.programme.money import pence_as_text
from alliance.programme.quarters import Quarter, quarters
from statutory.engine.cells import neutralise, new_workbook, write_row

AREA_FIELDS = ("leaders", "help_and_protection", "children_in_care", "care_leavers")
MONEY_FIELDS = {"amount_pence", "grant_share_pence", "grant_total_pence"}


# ---------------------------------------------------------------------------------------------
# Programme set-up


PARTNER_FIELDS = ("grant_share_pence", "capacity", "innovation_project")


def check_grant_shares(programme: Programme, partner: Partner) -> None:
    others = (
        Partner.objects.filter(programme=programme)
        .exclude(pk=partner.pk)
        .aggregate(total=Sum("grant_share_pence"))["total"]
        or 0
    )
    if others + partner.grant_share_pence > programme.grant_total_pence:
        left = programme.grant_total_pence - others
        raise ValidationError(
            {
                "grant_share": (
                    f"Grant share must be no more than the {_money(left)} left of the "
                    f"programme's {_money(programme.grant_total_pence)}"
                )
            }
        )


def _money(pence: int) -> str:
    from alliance.common.jinja import money

    return money(pence)


@transaction.atomic
def save_partner(partner: Partner, *, user: Any, request: Any = None) -> Partner:
    programme = Programme.objects.select_for_update().get(pk=partner.programme_id)
    before = snapshot(Partner.objects.get(pk=partner.pk), PARTNER_FIELDS) if partner.pk else None
    check_grant_shares(programme, partner)
    if partner.pk and partner.capacity < partner.matches.count():
        raise ValidationError(
            {
                "capacity": f"Capacity cannot be less than the {partner.matches.count()} councils already matched"
            }
        )
    partner.save()
    record_change(
        user=user,
        obj=partner,
        programme=programme,
        organisation_id=partner.alliance_id,
        before=before,
        after=snapshot(partner, PARTNER_FIELDS),
        request=request,
    )
    return partner


# ---------------------------------------------------------------------------------------------
# Matching


@transaction.atomic
def confirm_match(
    *,
    programme: Programme,
    partner: Partner,
    council: Council,
    need_score: float,
    need_reasons: list[str],
    weights: dict[str, float],
    as_at: dt.date,
    suitability: float,
    reasons: list[str],
    user: Any,
    request: Any = None,
) -> Match:
    """A person confirms a pairing. Refused when the partner has no places left or the council is
    already matched in this programme."""
    partner = Partner.objects.select_for_update().get(pk=partner.pk)
    if partner.programme_id != programme.pk:
        raise ValidationError({"partner": "Choose a partner in this programme"})
    if Match.objects.filter(programme=programme, council=council).exists():
        raise ValidationError({"partner": f"{council.name} is already matched in this programme"})
    used = partner.matches.count()
    if used >= partner.capacity:
        raise ValidationError(
            {
                "partner": f"{partner.alliance.name} has no places left: all {partner.capacity} "
                "are taken. Choose another partner or raise its capacity"
            }
        )
    need = SupportNeed.objects.create(
        programme=programme,
        council=council,
        score=need_score,
        reasons=need_reasons,
        weights=weights,
        as_at=as_at,
    )
    match = Match.objects.create(
        programme=programme,
        partner=partner,
        council=council,
        need=need,
        suitability=suitability,
        reasons=reasons,
        confirmed_by=user if getattr(user, "is_authenticated", False) else None,
    )
    audit.record(
        request,
        audit.Action.CREATE,
        match,
        user=user,
        organisation_id=partner.alliance_id,
        detail={"council": council.name, "partner": partner.alliance.name, "reasons": reasons},
    )
    return match


def _match_started(match: Match) -> str:
    if Engagement.objects.filter(match=match).exists():
        return (
            f"The engagement with {match.council.name} has started: the match is kept as the "
            "record of why. Change the engagement instead"
        )
    return ""


@transaction.atomic
def move_match(match: Match, partner: Partner, *, user: Any, request: Any = None) -> Match:
    """Move a confirmed match to another partner, before its engagement starts: refused when the
    new partner has no places left (its row locked while checking)."""
    match = (
        Match.objects.select_for_update()
        .select_related("council", "partner__alliance")
        .get(pk=match.pk)
    )
    started = _match_started(match)
    if started:
        raise ValidationError(started)
    partner = Partner.objects.select_for_update().select_related("alliance").get(pk=partner.pk)
    if partner.programme_id != match.programme_id:
        raise ValidationError({"partner": "Choose a partner in this programme"})
    if partner.pk == match.partner_id:
        raise ValidationError(
            {"partner": f"{match.council.name} is already matched with {partner}"}
        )
    used = partner.matches.exclude(pk=match.pk).count()
    if used >= partner.capacity:
        raise ValidationError(
            {
                "partner": f"{partner.alliance.name} has no places left: all {partner.capacity} "
                "are taken. Choose another partner or raise its capacity"
            }
        )
    before = {"partner": str(match.partner)}
    match.partner = partner
    match.save(update_fields=["partner"])
    record_change(
        user=user,
        obj=match,
        programme=match.programme,
        organisation_id=partner.alliance_id,
        before=before,
        after={"partner": str(partner)},
        request=request,
    )
    return match


@transaction.atomic
def withdraw_match(match: Match, *, reason: str, user: Any, request: Any = None) -> None:
    """Withdraw a match confirmed by mistake, before its engagement starts, with the reason; the
    history keeps who it paired and why it was withdrawn."""
    match = (
        Match.objects.select_for_update()
        .select_related("council", "partner__alliance")
        .get(pk=match.pk)
    )
    started = _match_started(match)
    if started:
        raise ValidationError(started)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the match is being withdrawn"})
    before = {"council": match.council.name, "partner": str(match.partner)}
    pk, organisation_id = match.pk, match.partner.alliance_id
    match.delete()
    match.pk = pk
    record_change(
        user=user,
        obj=match,
        programme=match.programme,
        organisation_id=organisation_id,
        before=before,
        after={},
        request=request,
        action="removed",
        reason=reason,
    )


# ---------------------------------------------------------------------------------------------
# Engagements


def baseline_indicators(council: Council, as_at: dt.date | None = None) -> list[dict[str, Any]]:
    """Each key indicator's latest figure (before `as_at`'s year when given) with its neighbours'
    mean: the baseline kept in the diagnostic, and the 'latest' at closure."""
    rows: list[dict[str, Any]] = []
    for comparison in compare(council, KEY_INDICATORS):
        chosen = None
        for i, period in enumerate(comparison.periods):
            if comparison.council[i].value is None:
                continue
            if as_at is not None and int(period[:4]) >= as_at.year:
                continue
            chosen = i
        if chosen is None:
            continue
        rows.append(
            {
                "code": comparison.indicator.code,
                "name": comparison.indicator.name,
                "unit": comparison.indicator.unit,
                "polarity": comparison.indicator.polarity,
                "period": comparison.periods[chosen],
                "value": comparison.council[chosen].value,
                "neighbours": comparison.neighbours[chosen].value,
            }
        )
    return rows


def judgement_as_at(council: Council, as_at: dt.date) -> dict[str, Any]:
    for j in judgement_history(council):
        if j.published <= as_at and j.overall:
            return {
                "published": j.published.isoformat(),
                "framework": j.get_framework_display(),
                "overall": j.overall,
                "areas": [[label, grade] for label, grade in j.sub_judgements if grade],
                "grades": {area: getattr(j, area) for area in AREA_FIELDS if getattr(j, area)},
            }
    return {}


def next_judgement(council: Council, after: dt.date) -> dict[str, Any]:
    """The first overall judgement published after the engagement began, if any."""
    later = [j for j in judgement_history(council) if j.published > after and j.overall]
    if not later:
        return {}
    j = later[-1]  # history is newest first: the last of the later ones is the first after
    return {
        "published": j.published.isoformat(),
        "framework": j.get_framework_display(),
        "overall": j.overall,
        "areas": [[label, grade] for label, grade in j.sub_judgements if grade],
    }


def _quarters(starts: dt.date, ends: dt.date) -> list[dt.date]:
    found = []
    month = starts.month + 3
    year = starts.year
    while True:
        year += (month - 1) // 12
        month = (month - 1) % 12 + 1
        day = min(starts.day, 28)
        due = dt.date(year, month, day)
        if due > ends:
            break
        found.append(due)
        month += 3
    return found


def check_engagement_dates(
    programme: Programme,
    council: Council,
    starts: dt.date,
    ends: dt.date,
    exclude: Engagement | None = None,
) -> None:
    """An engagement ends after it starts, lasts at most two years, falls within the programme and
    never overlaps another engagement for the same council (the council's row is locked while
    checking, so two people cannot book overlapping engagements at once)."""
    errors: dict[str, str] = {}
    if ends <= starts:
        errors["ends"] = "End date must be after the start date"
    elif (ends - starts).days > 2 * 366:
        errors["ends"] = (
            "An engagement lasts at most two years: end date must be within two years of the start"
        )
    if "ends" not in errors and ends > programme.ends:
        errors["ends"] = (
            f"End date must be within the programme, which ends {programme.ends:%-d %B %Y}"
        )
    if not (programme.starts <= starts <= programme.ends):
        errors["starts"] = (
            f"Start date must be within the programme ({programme.starts:%-d %B %Y} to "
            f"{programme.ends:%-d %B %Y})"
        )
    if errors:
        raise ValidationError(errors)
    Council.objects.select_for_update().filter(pk=council.pk).exists()
    overlapping = Engagement.objects.filter(
        supported_council_id=council.pk, starts__lte=ends, ends__gte=starts
    ).select_related("alliance")
    if exclude is not None:
        overlapping = overlapping.exclude(pk=exclude.pk)
    clash = overlapping.first()
    if clash is not None:
        raise ValidationError(
            {
                "starts": f"{council.name} already has an engagement with {clash.alliance.name} "
                f"from {clash.starts:%-d %B %Y} to {clash.ends:%-d %B %Y}: dates must not overlap"
            }
        )


@transaction.atomic
def start_engagement(
    *,
    match: Match,
    starts: dt.date,
    ends: dt.date,
    user: Any,
    is_demo: bool = False,
    request: Any = None,
) -> Engagement:
    """An engagement from a confirmed match, with its baseline diagnostic (judgement and key
    indicators as at the start), an empty plan and a quarterly review every three months."""
    programme = match.programme
    check_engagement_dates(programme, match.council, starts, ends)
    engagement = Engagement.objects.create(
        programme=programme,
        partner=match.partner,
        alliance_id=match.partner.alliance_id,
        supported_council=match.council,
        match=match,
        starts=starts,
        ends=ends,
        is_demo=is_demo,
    )
    Diagnostic.objects.create(
        engagement=engagement,
        as_at=starts,
        judgement=judgement_as_at(match.council, starts),
        indicators=baseline_indicators(match.council, starts),
    )
    ImprovementPlan.objects.create(engagement=engagement)
    QuarterlyReview.objects.bulk_create(
        QuarterlyReview(engagement=engagement, due=due) for due in _quarters(starts, ends)
    )
    record_change(
        user=user,
        obj=engagement,
        programme=programme,
        organisation_id=engagement.alliance_id,
        before=None,
        after=snapshot(engagement, ("supported_council", "starts", "ends")),
        engagement=engagement,
        request=request,
    )
    return engagement


# ---------------------------------------------------------------------------------------------
# Plans, priorities, milestones, activities, reviews and money: every record is added, changed
# and removed the same way (`save_record`, `remove_record`), with its own rules checked inside
# the save's transaction and each change written to the history.

MILESTONE_FIELDS = (
    "title",
    "owner",
    "owner_email",
    "due",
    "rag",
    "evidence",
    "completed_on",
    "priority",
)
PLAN_FIELDS = ("summary", "agreed_on")
PRIORITY_FIELDS = ("ofsted_area", "description")
ACTIVITY_FIELDS = ("kind", "held_on", "people", "hours", "notes")
REVIEW_FIELDS = ("due", "held_on", "rag", "notes")
BUDGET_FIELDS = ("kind", "name", "amount_pence")
SPEND_FIELDS = ("budget_line", "engagement", "spent_on", "amount_pence", "description", "evidence")

ENGAGEMENT_FIELDS = ("starts", "ends")
PRACTICE_FIELDS = ("title", "summary", "ofsted_areas", "tags", "attachment")

FIELDS: dict[type[Model], tuple[str, ...]] = {
    Engagement: ENGAGEMENT_FIELDS,
    Milestone: MILESTONE_FIELDS,
    ImprovementPlan: PLAN_FIELDS,
    Priority: PRIORITY_FIELDS,
    Activity: ACTIVITY_FIELDS,
    QuarterlyReview: REVIEW_FIELDS,
    BudgetLine: BUDGET_FIELDS,
    SpendEntry: SPEND_FIELDS,
    PracticeItem: PRACTICE_FIELDS,
}

CLOSED = "This engagement is closed: its records are kept as they were when it closed"


@dataclass(frozen=True)
class Owner:
    """Whose record it is: its history and audit rows are filed under this organisation."""

    programme: Programme | None  # None for a practice item: the library is everyone's
    organisation_id: int
    engagement: Engagement | None = None

    @property
    def is_demo(self) -> bool:
        return self.programme is not None and self.programme.is_demo


def engagement_of(obj: Model) -> Engagement | None:
    if isinstance(obj, Engagement):
        return obj
    if isinstance(obj, Priority):
        return obj.plan.engagement
    if isinstance(obj, SpendEntry):
        return obj.engagement
    return getattr(obj, "engagement", None)


def owner_of(obj: Model) -> Owner:
    if isinstance(obj, PracticeItem):  # the publishing organisation, in no one programme
        return Owner(None, obj.organisation_id)
    if isinstance(obj, BudgetLine):
        return Owner(obj.partner.programme, obj.partner.alliance_id)
    if isinstance(obj, SpendEntry):
        partner = obj.budget_line.partner
        return Owner(partner.programme, partner.alliance_id, obj.engagement)
    engagement = engagement_of(obj)
    if engagement is None:  # pragma: no cover - every other record belongs to an engagement
        raise TypeError(f"No owner for {obj!r}")
    return Owner(engagement.programme, engagement.alliance_id, engagement)


def _save(obj: Model, *, user: Any, request: Any, check: Any = None) -> Any:
    """Check, save and write the history: the before values are read from the database inside the
    same transaction, so the history says what really changed."""
    fields = FIELDS[type(obj)]
    before = snapshot(type(obj)._default_manager.get(pk=obj.pk), fields) if obj.pk else None
    if check is not None:
        check()
    obj.save()
    owner = owner_of(obj)
    record_change(
        user=user,
        obj=obj,
        programme=owner.programme,
        organisation_id=owner.organisation_id,
        before=before,
        after=snapshot(obj, fields),
        engagement=owner.engagement,
        request=request,
    )
    return obj


def _open(engagement: Engagement) -> None:
    status = Engagement.objects.filter(pk=engagement.pk).values_list("status", flat=True).first()
    if status == Engagement.Status.CLOSED:
        raise ValidationError(CLOSED)


def check_within(engagement: Engagement, day: dt.date | None, field: str, label: str) -> None:
    if day is not None and not (engagement.starts <= day <= engagement.ends):
        raise ValidationError(
            {
                field: f"{label} must be within the engagement, between "
                f"{engagement.starts.day} {engagement.starts:%B %Y} and "
                f"{engagement.ends.day} {engagement.ends:%B %Y}"
            }
        )


@transaction.atomic
def save_milestone(milestone: Milestone, *, user: Any, request: Any = None) -> Milestone:
    engagement = milestone.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, milestone.due, "due", "Due date")
        check_within(engagement, milestone.completed_on, "completed_on", "Date completed")
        if milestone.priority_id and milestone.priority.plan.engagement_id != engagement.pk:  # type: ignore[union-attr]
            raise ValidationError({"priority": "Choose a priority of this engagement's plan"})

    result: Milestone = _save(milestone, user=user, request=request, check=check)
    return result


@transaction.atomic
def save_plan(plan: ImprovementPlan, *, user: Any, request: Any = None) -> ImprovementPlan:
    engagement = plan.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, plan.agreed_on, "agreed_on", "Date agreed")

    result: ImprovementPlan = _save(plan, user=user, request=request, check=check)
    return result


@transaction.atomic
def save_priority(priority: Priority, *, user: Any, request: Any = None) -> Priority:
    result: Priority = _save(
        priority, user=user, request=request, check=lambda: _open(priority.plan.engagement)
    )
    return result


@transaction.atomic
def save_activity(activity: Activity, *, user: Any, request: Any = None) -> Activity:
    engagement = activity.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, activity.held_on, "held_on", "Date")
        if activity.hours is not None and activity.hours <= 0:
            raise ValidationError({"hours": "Hours must be more than 0"})

    result: Activity = _save(activity, user=user, request=request, check=check)
    return result


@transaction.atomic
def save_review(review: QuarterlyReview, *, user: Any, request: Any = None) -> QuarterlyReview:
    engagement = review.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, review.held_on, "held_on", "Date held")

    result: QuarterlyReview = _save(review, user=user, request=request, check=check)
    return result


@transaction.atomic
def save_diagnostic(diagnostic: Diagnostic, *, user: Any, request: Any = None) -> Diagnostic:
    _open(diagnostic.engagement)
    diagnostic.save()
    audit.record(
        request,
        audit.Action.CHANGE,
        diagnostic,
        user=user,
        organisation_id=diagnostic.engagement.alliance_id,
    )
    return diagnostic


NOT_REMOVED: dict[type[Model], str] = {
    Engagement: "An engagement is not removed: close it, with its impact, instead",
    QuarterlyReview: "Quarterly reviews are scheduled with the engagement: record or change the "
    "review instead",
    ImprovementPlan: "The plan belongs to the engagement: change it instead",
}


def removal_refused(obj: Model) -> str:
    """Why this record may not be removed, in words, or "" when it may."""
    never = NOT_REMOVED.get(type(obj))
    if never:
        return never
    engagement = engagement_of(obj)
    if (
        engagement is not None
        and not isinstance(obj, SpendEntry)
        and engagement.status == Engagement.Status.CLOSED
    ):
        return CLOSED
    if isinstance(obj, BudgetLine):
        count = obj.spend.count()
        if count:
            return (
                f"{obj.name} has {count} spend entr{'y' if count == 1 else 'ies'} recorded "
                "against it: it can be removed only when it has none"
            )
    if isinstance(obj, SpendEntry):
        return spend_fixed(obj)
    if isinstance(obj, PracticeItem) and obj.is_withdrawn:
        return "This item has already been withdrawn"
    return ""


@transaction.atomic
def remove_record(obj: Model, *, reason: str, user: Any, request: Any = None) -> None:
    """Remove a record that was entered by mistake, with the reason why. The history keeps what it
    said (each field before) and the reason; money already reported in a grant return is never
    removed (see `reverse_spend`)."""
    reason = (reason or "").strip()
    if isinstance(obj, SpendEntry):
        _lock_partner(obj.budget_line.partner_id)
    obj = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    refusal = removal_refused(obj)
    if refusal:
        raise ValidationError(refusal)
    if not reason:
        raise ValidationError({"reason": "Enter why it is being removed"})
    if isinstance(obj, PracticeItem):
        _withdraw_practice(obj, reason=reason, user=user, request=request)
        return
    owner = owner_of(obj)
    before = snapshot(obj, FIELDS[type(obj)])
    pk = obj.pk
    obj.delete()
    obj.pk = pk  # for the history's reference to what was removed
    record_change(
        user=user,
        obj=obj,
        programme=owner.programme,
        organisation_id=owner.organisation_id,
        before=before,
        after={},
        engagement=owner.engagement,
        request=request,
        action="removed",
        reason=reason,
    )


def _withdraw_practice(item: PracticeItem, *, reason: str, user: Any, request: Any) -> None:
    """A practice item is withdrawn, never deleted: it leaves the library's lists and search, while
    the engagements that used it still show it existed, when it was withdrawn and why."""
    from django.utils import timezone

    item.withdrawn_at = timezone.now()
    item.withdrawn_reason = reason
    item.save(update_fields=["withdrawn_at", "withdrawn_reason"])
    record_change(
        user=user,
        obj=item,
        programme=None,
        organisation_id=item.organisation_id,
        before=snapshot(item, PRACTICE_FIELDS),
        after={},
        request=request,
        action="withdrawn",
        reason=reason,
    )


@transaction.atomic
def save_practice_item(item: PracticeItem, *, user: Any, request: Any = None) -> PracticeItem:
    """Correct a published practice item (its form has already checked it as when it was
    published). A withdrawn item is not changed: it stays as it was when withdrawn (attachment
    included)."""
    saved = PracticeItem.objects.select_for_update().get(pk=item.pk)
    if saved.is_withdrawn:
        raise ValidationError("This item has been withdrawn: it is kept as it was when withdrawn")
    result: PracticeItem = _save(item, user=user, request=request)
    old = saved.attachment.name or ""
    if old and old != (result.attachment.name or ""):
        # A replaced or removed attachment is deleted once the change is saved (it may have been
        # taken off because it should never have been shared); the history keeps its name.
        storage = saved.attachment.storage
        transaction.on_commit(lambda: storage.delete(old))
    return result


@transaction.atomic
def save_engagement_dates(engagement: Engagement, *, user: Any, request: Any = None) -> Engagement:
    """Move an engagement's dates, checked as when it started (within the programme, at most two
    years, no overlap with another engagement for the council) and refused while any milestone,
    activity or held review would fall outside them. Reviews not yet held are scheduled again every
    three months from the start; a new start date takes the diagnostic's baseline again as at that
    day (the strengths and concerns found are kept)."""
    saved = Engagement.objects.select_for_update().get(pk=engagement.pk)
    if saved.status == Engagement.Status.CLOSED:
        raise ValidationError(CLOSED)
    starts, ends = engagement.starts, engagement.ends

    def check() -> None:
        check_engagement_dates(
            engagement.programme, engagement.supported_council, starts, ends, exclude=engagement
        )
        outside = Q(due__lt=starts) | Q(due__gt=ends)
        problems = []
        for label, qs in (
            (
                "milestone",
                engagement.milestones.filter(
                    outside | Q(completed_on__lt=starts) | Q(completed_on__gt=ends)
                ),
            ),
            ("activity", engagement.activities.filter(Q(held_on__lt=starts) | Q(held_on__gt=ends))),
            (
                "quarterly review held",
                engagement.reviews.filter(Q(held_on__lt=starts) | Q(held_on__gt=ends)),
            ),
        ):
            n = qs.count()
            if n:
                problems.append(f"{n} {label}{'' if n == 1 or label.endswith('held') else 's'}")
        if problems:
            raise ValidationError(
                {
                    "starts": "Dates must include every record of the engagement: "
                    + ", ".join(problems)
                    + " would fall outside them. Change those first"
                }
            )

    result: Engagement = _save(engagement, user=user, request=request, check=check)
    held = list(engagement.reviews.filter(held_on__isnull=False).values_list("due", flat=True))
    engagement.reviews.filter(held_on__isnull=True).delete()
    QuarterlyReview.objects.bulk_create(
        QuarterlyReview(engagement=engagement, due=due)
        for due in _quarters(starts, ends)
        if not any(abs((due - h).days) < 45 for h in held)
    )
    if saved.starts != starts and hasattr(engagement, "diagnostic"):
        diagnostic = engagement.diagnostic
        diagnostic.as_at = starts
        diagnostic.judgement = judgement_as_at(engagement.supported_council, starts)
        diagnostic.indicators = baseline_indicators(engagement.supported_council, starts)
        diagnostic.save(update_fields=["as_at", "judgement", "indicators"])
    return result


@transaction.atomic
def close_engagement(
    engagement: Engagement,
    *,
    closed_on: dt.date,
    impact_summary: str,
    user: Any,
    request: Any = None,
) -> Closure:
    """Closure with the impact: each baseline indicator → its latest figure, and the next Ofsted
    judgement after the start."""
    check_within(engagement, closed_on, "closed_on", "Date closed")
    if hasattr(engagement, "closure"):
        raise ValidationError({"closed_on": "This engagement is already closed"})
    baseline = (
        {row["code"]: row for row in engagement.diagnostic.indicators}
        if hasattr(engagement, "diagnostic")
        else {}
    )
    latest = {row["code"]: row for row in baseline_indicators(engagement.supported_council)}
    impact = []
    for code, row in baseline.items():
        now = latest.get(code)
        impact.append(
            {
                "name": row["name"],
                "unit": row["unit"],
                "polarity": row.get("polarity", ""),
                "baseline_period": row["period"],
                "baseline": row["value"],
                "latest_period": now["period"] if now else "",
                "latest": now["value"] if now else None,
            }
        )
    closure = Closure.objects.create(
        engagement=engagement,
        closed_on=closed_on,
        impact_summary=impact_summary,
        indicators=impact,
        next_judgement=next_judgement(engagement.supported_council, engagement.starts),
    )
    engagement.status = Engagement.Status.CLOSED
    engagement.save(update_fields=["status"])
    record_change(
        user=user,
        obj=engagement,
        programme=engagement.programme,
        organisation_id=engagement.alliance_id,
        before={"status": "Active"},
        after={"status": "Closed"},
        engagement=engagement,
        request=request,
    )
    return closure


# ---------------------------------------------------------------------------------------------
# Money


def _lock_partner(partner_id: int) -> Partner:
    """Spend, budget lines, profiles and grant returns of one partner are checked and saved one at
    a time: the partner's row is locked for the transaction (PostgreSQL; SQLite writes one at a
    time anyway)."""
    return Partner.objects.select_for_update().select_related("programme").get(pk=partner_id)


def reported_to(partner_id: int) -> GrantReturn | None:
    """The partner's latest submitted grant return: spend dated up to its end is fixed."""
    return GrantReturn.objects.filter(partner_id=partner_id).order_by("-quarter").first()


def spend_fixed(entry: SpendEntry) -> str:
    """Why a spend entry can no longer be changed or removed, or "" when it can."""
    if entry.reported_in_id:
        ends = GrantReturn.objects.get(pk=entry.reported_in_id).period_ends
        return (
            f"This spend was reported in the grant return to {ends.day} {ends:%B %Y}, so it cannot "
            "be changed or removed. Record a correcting entry that reverses it instead"
        )
    return ""


@transaction.atomic
def save_budget_line(line: BudgetLine, *, user: Any, request: Any = None) -> BudgetLine:
    partner = _lock_partner(line.partner_id)

    def check() -> None:
        check_budget_line(line, partner)
        if line.pk:
            old = BudgetLine.objects.get(pk=line.pk).amount_pence
            planned = PlannedSpend.objects.filter(budget_line=line).aggregate(
                t=Sum("amount_pence")
            )["t"]
            if planned is not None and old != line.amount_pence:
                raise ValidationError(
                    {
                        "amount": f"This line has a spend profile adding up to {_money(planned)}: "
                        "change the budget on the spend profile page, where the quarters change "
                        "with it"
                    }
                )

    result: BudgetLine = _save(line, user=user, request=request, check=check)
    return result


def check_budget_line(line: BudgetLine, partner: Partner) -> None:
    """A budget is £0 or more, the partner's lines add up to no more than its grant share, and a
    line's budget is never less than what has been spent from it."""
    if line.amount_pence < 0:
        raise ValidationError({"amount": "Budget must be £0 or more"})
    others = (
        BudgetLine.objects.filter(partner=partner)
        .exclude(pk=line.pk)
        .aggregate(t=Sum("amount_pence"))["t"]
        or 0
    )
    if others + line.amount_pence > partner.grant_share_pence:
        raise ValidationError(
            {
                "amount": f"Budget lines must add up to no more than the partner's grant share of "
                f"{_money(partner.grant_share_pence)}: {_money(partner.grant_share_pence - others)} is left"
            }
        )
    spent = (
        (SpendEntry.objects.filter(budget_line=line).aggregate(t=Sum("amount_pence"))["t"] or 0)
        if line.pk
        else 0
    )
    if line.amount_pence < spent:
        raise ValidationError(
            {"amount": f"Budget cannot be less than the {_money(spent)} already spent"}
        )


def _check_spend_date(entry: SpendEntry, programme: Programme, partner_id: int) -> None:
    if not (programme.starts <= entry.spent_on <= programme.ends):
        raise ValidationError(
            {
                "spent_on": f"Date spent must be within the programme, between "
                f"{programme.starts.day} {programme.starts:%B %Y} and {programme.ends.day} {programme.ends:%B %Y}"
            }
        )
    last = reported_to(partner_id)
    if last is not None and entry.spent_on <= last.period_ends:
        raise ValidationError(
            {
                "spent_on": f"Date spent must be after {last.period_ends.day} "
                f"{last.period_ends:%B %Y}: the grant return to then has been submitted, so "
                "spend up to then is fixed"
            }
        )


@transaction.atomic
def save_spend(entry: SpendEntry, *, user: Any, request: Any = None) -> SpendEntry:
    """Record or correct spend against a budget line: positive, dated within the programme and after
    the last grant return, and never more than the line has left. The partner is locked while
    checking, so two people cannot overspend a line. Spend reported in a grant return is fixed."""
    line = BudgetLine.objects.select_related("partner__programme").get(pk=entry.budget_line_id)
    partner = _lock_partner(line.partner_id)
    programme = partner.programme
    if entry.pk:
        original = SpendEntry.objects.select_related("budget_line").get(pk=entry.pk)
        refusal = spend_fixed(original) or (
            "A correcting entry cannot be changed: remove it, with the reason, if it is wrong"
            if original.reverses_id
            else ""
        )
        if refusal:
            raise ValidationError(refusal)
        if original.budget_line.partner_id != partner.pk:
            raise ValidationError({"budget_line": "Choose one of this partner's budget lines"})

    def check() -> None:
        if entry.amount_pence <= 0:
            raise ValidationError({"amount": "Amount must be more than £0"})
        _check_spend_date(entry, programme, partner.pk)
        if entry.engagement_id and entry.engagement.partner_id != partner.pk:  # type: ignore[union-attr]
            raise ValidationError({"engagement": "Choose an engagement this partner runs"})
        spent = (
            SpendEntry.objects.filter(budget_line=line)
            .exclude(pk=entry.pk)
            .aggregate(t=Sum("amount_pence"))["t"]
            or 0
        )
        left = line.amount_pence - spent
        if entry.amount_pence > left:
            raise ValidationError(
                {
                    "amount": f"Amount must be no more than the {_money(left)} left on "
                    f"{line.name} (budget {_money(line.amount_pence)}, spent {_money(spent)})"
                }
            )

    result: SpendEntry = _save(entry, user=user, request=request, check=check)
    return result


add_spend = save_spend


@transaction.atomic
def reverse_spend(
    entry: SpendEntry, *, spent_on: dt.date, reason: str, user: Any, request: Any = None
) -> SpendEntry:
    """Put right spend already reported in a grant return: a correcting entry of the same amount,
    negative, dated in the current (unreported) period, linked to the one it reverses. The reported
    entry itself stays as it was reported."""
    partner = _lock_partner(entry.budget_line.partner_id)
    entry = SpendEntry.objects.select_related("budget_line").get(pk=entry.pk)
    reason = (reason or "").strip()
    if not entry.reported_in_id:
        raise ValidationError(
            "This spend has not been reported in a grant return yet: change or remove it instead"
        )
    if entry.reverses_id:
        raise ValidationError("A correcting entry is not itself reversed")
    if SpendEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("This spend has already been reversed by a correcting entry")
    if not reason:
        raise ValidationError({"reason": "Enter why the spend is being corrected"})
    correction = SpendEntry(
        budget_line=entry.budget_line,
        engagement=entry.engagement,
        spent_on=spent_on,
        amount_pence=-entry.amount_pence,
        description=f"Correction of {entry.evidence}: {entry.description}"[:300],
        evidence=reason[:300],
        entered_by=user if getattr(user, "is_authenticated", False) else None,
        reverses=entry,
    )
    _check_spend_date(correction, partner.programme, partner.pk)
    correction.save()
    record_change(
        user=user,
        obj=correction,
        programme=partner.programme,
        organisation_id=partner.alliance_id,
        before=None,
        after=snapshot(correction, SPEND_FIELDS),
        engagement=correction.engagement,
        request=request,
        action="reversed",
        reason=reason,
    )
    return correction


@dataclass
class LineSummary:
    line: BudgetLine
    spent: int
    forecast_to_date: int
    profiled: bool = False  # the forecast comes from the line's spend profile, not even spend

    @property
    def left(self) -> int:
        return self.line.amount_pence - self.spent

    @property
    def variance(self) -> int:
        """Actual minus forecast to date: positive means spending ahead of plan."""
        return self.spent - self.forecast_to_date


def forecast_to(line_amount: int, programme: Programme, day: dt.date) -> int:
    """The budget spread evenly over the programme's days: the forecast of a line without a spend
    profile (`forecast.planned_to` uses the profile where there is one)."""
    return forecast.even_to(line_amount, programme, day)


def money_summary(lines: QuerySet[BudgetLine], today: dt.date) -> list[LineSummary]:
    found = list(
        lines.select_related("partner__alliance", "partner__programme").annotate(
            spent_total=Sum("spend__amount_pence")
        )
    )
    by_line = forecast.profiles(found)
    return [
        LineSummary(
            line,
            line.spent_total or 0,
            forecast.planned_to(
                line.amount_pence, by_line.get(line.pk), line.partner.programme, today
            ),
            line.pk in by_line,
        )
        for line in found
    ]


def burn_down(
    programme: Programme,
    lines: QuerySet[BudgetLine],
    today: dt.date | None = None,
    by_day: list[tuple[dt.date, int]] | None = None,
) -> tuple[list[str], list[float | None], list[float]]:
    """Budget left at the end of each month of the programme, actual (to today) and planned, in
    pounds, for the burn-down chart. Planned follows each line's spend profile (even spend for a
    line without one)."""
    today = today or dt.date.today()
    chosen = list(lines.only("pk", "amount_pence"))
    budget = sum(line.amount_pence for line in chosen)
    by_line = forecast.profiles(chosen)
    all_quarters = quarters(programme.starts, programme.ends)
    by_month: dict[tuple[int, int], int] = defaultdict(int)
    for day, amount in forecast.actual_by_day(chosen) if by_day is None else by_day:
        by_month[(day.year, day.month)] += amount
    labels: list[str] = []
    actual: list[float | None] = []
    planned: list[float] = []
    year, month = programme.starts.year, programme.starts.month
    running = budget
    while (year, month) <= (programme.ends.year, programme.ends.month):
        month_end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        running -= by_month.get((year, month), 0)
        labels.append(f"{month_end:%b %Y}")
        actual.append(running / 100 if dt.date(year, month, 1) <= today else None)
        day = min(month_end, programme.ends)
        planned_spend = sum(
            forecast.planned_to(
                line.amount_pence, by_line.get(line.pk), programme, day, all_quarters
            )
            for line in chosen
        )
        planned.append((budget - planned_spend) / 100)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return labels, actual, planned


@transaction.atomic
def save_profile(
    line: BudgetLine,
    planned: dict[int, int],
    *,
    budget: int | None = None,
    user: Any,
    request: Any = None,
) -> BudgetLine:
    """Set a budget line's spend profile: an amount for every quarter of the programme, each £0 or
    more, adding up to the line's budget to the penny. The budget may change in the same save
    (checked as any budget change is), so the two never disagree."""
    partner = _lock_partner(line.partner_id)
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    all_quarters = quarters(partner.programme.starts, partner.programme.ends)
    errors: dict[str, str] = {}
    for quarter in all_quarters:
        amount = planned.get(quarter.number)
        if amount is None:
            errors[f"q{quarter.number}"] = f"Enter the amount planned for {quarter.label.lower()}"
        elif amount < 0:
            errors[f"q{quarter.number}"] = f"{quarter.label} must be £0 or more"
    if set(planned) - {q.number for q in all_quarters}:
        errors["__all__"] = "The programme has no such quarter"
    if errors:
        raise ValidationError(errors)
    before_budget = snapshot(line, BUDGET_FIELDS)
    if budget is not None and budget != line.amount_pence:
        line.amount_pence = budget
        check_budget_line(line, partner)
    total = sum(planned.values())
    if total != line.amount_pence:
        gap = line.amount_pence - total
        raise ValidationError(
            f"The quarters add up to {_money(total)}: they must add up to the budget of "
            f"{_money(line.amount_pence)} ({_money(abs(gap))} {'more' if gap > 0 else 'less'})"
        )

    def key(quarter: Quarter) -> str:
        return f"Planned for {quarter.label.lower()} ({quarter.period})"

    old = dict(PlannedSpend.objects.filter(budget_line=line).values_list("quarter", "amount_pence"))
    before = {
        key(q): ("£" + pence_as_text(old[q.number])) if q.number in old else ""
        for q in all_quarters
    }
    after = {key(q): "£" + pence_as_text(planned[q.number]) for q in all_quarters}
    line.save()
    PlannedSpend.objects.filter(budget_line=line).delete()
    PlannedSpend.objects.bulk_create(
        PlannedSpend(budget_line=line, quarter=q.number, amount_pence=planned[q.number])
        for q in all_quarters
    )
    record_change(
        user=user,
        obj=line,
        programme=partner.programme,
        organisation_id=partner.alliance_id,
        before=before_budget | before,
        after=snapshot(line, BUDGET_FIELDS) | after,
        request=request,
    )
    return line


def return_due(
    partner: Partner, today: dt.date, submitted: list[GrantReturn] | None = None
) -> Quarter | None:
    """The next quarter whose grant return the partner can submit: ended, and not yet returned.
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
def submit_return(
    partner: Partner, quarter_number: int, *, today: dt.date, user: Any, request: Any = None
) -> GrantReturn:
    """Submit the partner's grant return for a quarter that has ended, in order: its spend to the
    quarter's end is then fixed (never changed or removed; put right by a correcting entry)."""
    partner = _lock_partner(partner.pk)
    due = return_due(partner, today)
    if due is None or due.number != quarter_number:
        raise ValidationError(
            f"The next return you can submit is for {due.label.lower()} ({due.period})"
            if due is not None
            else "No grant return is due: the current quarter has not ended yet"
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
    grant_return = GrantReturn.objects.create(
        partner=partner,
        quarter=due.number,
        period_ends=due.ends,
        total_pence=total,
        entries_count=entries.count(),
        submitted_by=user if getattr(user, "is_authenticated", False) else None,
    )
    entries.update(reported_in=grant_return)
    record_change(
        user=user,
        obj=grant_return,
        programme=partner.programme,
        organisation_id=partner.alliance_id,
        before=None,
        after={
            "quarter": f"{due.label} ({due.period})",
            "total_pence": "£" + pence_as_text(total),
            "entries_count": str(grant_return.entries_count),
        },
        request=request,
    )
    return grant_return


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
    from alliance.nationalpicture.models import OVERALL_FRAMEWORKS, Judgement

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
        .annotate(n=Count("pk"))
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


# ---------------------------------------------------------------------------------------------
# Reminders


@dataclass
class Reminder:
    to: list[str]
    subject: str
    body: str


def _leads_of(alliance_ids: Iterable[int]) -> dict[int, list[str]]:
    from alliance.accounts.models import Membership, Role

    found: dict[int, list[str]] = defaultdict(list)
    for org_id, email in Membership.objects.filter(
        organisation_id__in=list(alliance_ids), role=Role.ALLIANCE_LEAD, user__is_active=True
    ).values_list("organisation_id", "user__email"):
        found[org_id].append(email)
    return found


def due_reminders(
    today: dt.date, review_notice_days: int = 14
) -> tuple[list[Reminder], list[int], list[int]]:
    """Emails for milestones overdue and quarterly reviews due within `review_notice_days` (or
    overdue and not held), on active engagements, not already reminded today. Returns the emails
    and the milestone and review ids they cover."""
    milestones = list(
        Milestone.objects.filter(
            engagement__status=Engagement.Status.ACTIVE, completed_on__isnull=True, due__lt=today
        )
        .exclude(last_reminded=today)
        .select_related("engagement__supported_council", "engagement__alliance")
    )
    reviews = list(
        QuarterlyReview.objects.filter(
            engagement__status=Engagement.Status.ACTIVE,
            held_on__isnull=True,
            due__lte=today + dt.timedelta(days=review_notice_days),
        )
        .exclude(last_reminded=today)
        .select_related("engagement__supported_council", "engagement__alliance")
    )
    leads = _leads_of(
        {m.engagement.alliance_id for m in milestones} | {r.engagement.alliance_id for r in reviews}
    )
    reminders: list[Reminder] = []
    for m in milestones:
        to = sorted(
            {*leads.get(m.engagement.alliance_id, []), *([m.owner_email] if m.owner_email else [])}
        )
        if not to:
            continue
        days = (today - m.due).days
        reminders.append(
            Reminder(
                to,
                f"Milestone overdue: {m.title} ({m.engagement.supported_council.name})",
                f'The milestone "{m.title}" in {m.engagement.alliance.name}\'s engagement with '
                f"{m.engagement.supported_council.name} was due on {m.due.day} {m.due:%B %Y} "
                f"({days} day{'s' if days != 1 else ''} ago) and is not marked complete.\n\n"
                f"Owner: {m.owner}. RAG status: {m.get_rag_display()}.\n\n"
                "Update it, with evidence, in the improvement programme.",
            )
        )
    for r in reviews:
        to = sorted(leads.get(r.engagement.alliance_id, []))
        if not to:
            continue
        when = "was due" if r.due < today else "is due"
        reminders.append(
            Reminder(
                to,
                f"Quarterly review {'overdue' if r.due < today else 'due'}: {r.engagement.supported_council.name}",
                f"The quarterly review of {r.engagement.alliance.name}'s engagement with "
                f"{r.engagement.supported_council.name} {when} on {r.due.day} {r.due:%B %Y}.\n\n"
                "Record the review and its notes in the improvement programme.",
            )
        )
    return reminders, [m.pk for m in milestones], [r.pk for r in reviews]


def send_reminders(today: dt.date | None = None) -> int:
    """Send the due reminders by email and mark what was covered, so a second run the same day
    sends nothing again. Returns how many emails were sent."""
    from django.conf import settings
    from django.core.mail import send_mail

    today = today or dt.date.today()
    with transaction.atomic():
        reminders, milestone_ids, review_ids = due_reminders(today)
        for reminder in reminders:
            send_mail(reminder.subject, reminder.body, settings.DEFAULT_FROM_EMAIL, reminder.to)
        Milestone.objects.filter(pk__in=milestone_ids).update(last_reminded=today)
        QuarterlyReview.objects.filter(pk__in=review_ids).update(last_reminded=today)
    return len(reminders)


# ---------------------------------------------------------------------------------------------
# Export


EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_day(day: dt.date) -> int:
    """A date as Excel's serial day number (1 January 1900 is day 1, after Excel's leap-year
    quirk), shown as a date by the cell's number format."""
    return (day - EXCEL_EPOCH).days


def spend_workbook(programme: Programme, lines: QuerySet[BudgetLine], today: dt.date) -> bytes:
    """The spend workbook (see `write_spend_workbook`) as bytes."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, {"in_memory": True})
    write_spend_workbook(book, programme, lines, today)
    book.close()
    return buffer.getvalue()


def write_spend_workbook(
    book: Any, programme: Programme, lines: QuerySet[BudgetLine], today: dt.date
) -> None:
    """An Excel workbook for grant returns: a summary per budget line (budget, forecast to date,
    actual, variance, left) and every spend entry, amounts in pounds with a currency format (the
    figures come from whole pence, so they are exact to the penny). Every text cell goes through
    `statutory.engine.cells`, so a budget line named "=..." is shown, never run."""
    bold = book.add_format({"bold": True})
    pounds = book.add_format({"num_format": "£#,##0.00"})
    date_format = book.add_format({"num_format": "d mmm yyyy"})
    summary = book.add_worksheet("Summary")
    write_row(summary, 0, 0, [programme.name], bold)
    write_row(
        summary,
        1,
        0,
        [
            f"As at {today.day} {today:%B %Y}"
            + (" — Demo data: fictional" if programme.is_demo else "")
        ],
    )
    headers = [
        "Partner",
        "Budget line",
        "Kind",
        "Budget",
        "Forecast to date",
        "Actual",
        "Variance",
        "Left",
    ]
    write_row(summary, 3, 0, headers, bold)
    row = 4
    for item in money_summary(lines, today):
        write_row(
            summary,
            row,
            0,
            [str(item.line.partner.alliance), item.line.name, item.line.get_kind_display()],
        )
        for col, pence in enumerate(
            (item.line.amount_pence, item.forecast_to_date, item.spent, item.variance, item.left),
            start=3,
        ):
            summary.write_number(row, col, pence / 100, pounds)
        row += 1
    summary.set_column(0, 2, 28)
    summary.set_column(3, 7, 16)
    profile_sheet = book.add_worksheet("Forecast by quarter")
    write_row(
        profile_sheet,
        0,
        0,
        [
            "Partner",
            "Budget line",
            "Forecast from",
            "Quarter",
            "From",
            "To",
            "Forecast",
            "Actual",
            "Variance",
        ],
        bold,
    )
    row = 1
    chosen = list(lines.select_related("partner__alliance"))
    by_line = forecast.profiles(chosen)
    for line in chosen:
        for q in forecast.quarter_table(programme, [line]):
            write_row(
                profile_sheet,
                row,
                0,
                [
                    str(line.partner.alliance),
                    line.name,
                    "Spend profile" if line.pk in by_line else "Even spend (no profile)",
                    q.quarter.number,
                ],
            )
            profile_sheet.write_datetime(
                row, 4, dt.datetime.combine(q.quarter.starts, dt.time()), date_format
            )
            profile_sheet.write_datetime(
                row, 5, dt.datetime.combine(q.quarter.ends, dt.time()), date_format
            )
            for col, pence in enumerate((q.planned, q.actual, q.variance), start=6):
                profile_sheet.write_number(row, col, pence / 100, pounds)
            row += 1
    profile_sheet.set_column(0, 2, 26)
    profile_sheet.set_column(3, 3, 9)
    profile_sheet.set_column(4, 8, 14)
    entries = book.add_worksheet("Spend entries")
    write_row(
        entries,
        0,
        0,
        [
            "Date",
            "Partner",
            "Budget line",
            "Engagement",
            "Description",
            "Evidence",
            "Amount",
            "Reported in the return to",
        ],
        bold,
    )
    # Plain values, not model instances, and each cell written by its own type (a date as Excel's
    # day number under a date format, which is what Excel stores): the export writes every entry
    # of the programme, and xlsxwriter's per-cell work is most of its time.
    write_number, write_string = entries.write_number, entries.write_string
    row = 1
    for spent_on, alliance, line_name, council, description, evidence, amount, reported in (
        SpendEntry.objects.filter(budget_line__in=lines)
        .order_by("spent_on", "id")
        .values_list(
            "spent_on",
            "budget_line__partner__alliance__name",
            "budget_line__name",
            "engagement__supported_council__name",
            "description",
            "evidence",
            "amount_pence",
            "reported_in__period_ends",
        )
        .iterator(chunk_size=2000)
    ):
        write_number(row, 0, excel_day(spent_on), date_format)
        write_string(row, 1, neutralise(alliance))
        write_string(row, 2, neutralise(line_name))
        write_string(row, 3, neutralise(council or ""))
        write_string(row, 4, neutralise(description))
        write_string(row, 5, neutralise(evidence))
        write_number(row, 6, amount / 100, pounds)
        if reported is not None:
            write_number(row, 7, excel_day(reported), date_format)
        row += 1
    entries.set_column(0, 0, 12)
    entries.set_column(1, 5, 26)
    entries.set_column(6, 7, 14)


def programme_totals(programme: Programme) -> dict[str, Any]:
    agg = Partner.objects.filter(programme=programme).aggregate(
        shares=Sum("grant_share_pence"), capacity=Sum("capacity")
    )
    return {
        "shares": agg["shares"] or 0,
        "capacity": agg["capacity"] or 0,
        "matched": Match.objects.filter(programme=programme).count(),
        "engagements": Engagement.objects.filter(programme=programme).count(),
        "last_spend": SpendEntry.objects.filter(
            budget_line__partner__programme=programme
        ).aggregate(d=Max("spent_on"))["d"],
    }
