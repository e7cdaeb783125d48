"""Engagements: starting one from a match with its baseline, its milestones, plan, priorities, activities, reviews and diagnostic, moving its dates and closing it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from alliance.audit import services as audit
from alliance.nationalpicture.interface import KEY_INDICATORS, compare, judgement_history
from alliance.organisations.models import Council
from alliance.programme.history import record_change, snapshot
from alliance.programme.models import (
    Activity,
    Closure,
    Diagnostic,
    Engagement,
    ImprovementPlan,
    Match,
    Milestone,
    Priority,
    Programme,
    QuarterlyReview,
)
from alliance.programme.services.records import CLOSED, _open, _save, check_within

AREA_FIELDS = ("leaders", "help_and_protection", "children_in_care", "care_leavers")


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
    """The quarterly reviews' due days: every three months from the start until the end (from the
    29th-31st into a shorter month, its last day), counted with relativedelta as everywhere."""
    found = []
    step = 1
    while (due := starts + relativedelta(months=3 * step)) <= ends:
        found.append(due)
        step += 1
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
    )
    return engagement


@transaction.atomic
def save_milestone(milestone: Milestone, *, user: Any) -> Milestone:
    engagement = milestone.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, milestone.due, "due", "Due date")
        check_within(engagement, milestone.completed_on, "completed_on", "Date completed")
        if milestone.priority_id and milestone.priority.plan.engagement_id != engagement.pk:  # type: ignore[union-attr]
            raise ValidationError({"priority": "Choose a priority of this engagement's plan"})

    result: Milestone = _save(milestone, user=user, check=check)
    return result


@transaction.atomic
def save_plan(plan: ImprovementPlan, *, user: Any) -> ImprovementPlan:
    engagement = plan.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, plan.agreed_on, "agreed_on", "Date agreed")

    result: ImprovementPlan = _save(plan, user=user, check=check)
    return result


@transaction.atomic
def save_priority(priority: Priority, *, user: Any) -> Priority:
    result: Priority = _save(priority, user=user, check=lambda: _open(priority.plan.engagement))
    return result


@transaction.atomic
def save_activity(activity: Activity, *, user: Any) -> Activity:
    engagement = activity.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, activity.held_on, "held_on", "Date")
        if activity.hours is not None and activity.hours <= 0:
            raise ValidationError({"hours": "Hours must be more than 0"})

    result: Activity = _save(activity, user=user, check=check)
    return result


@transaction.atomic
def save_review(review: QuarterlyReview, *, user: Any) -> QuarterlyReview:
    engagement = review.engagement

    def check() -> None:
        _open(engagement)
        check_within(engagement, review.held_on, "held_on", "Date held")

    result: QuarterlyReview = _save(review, user=user, check=check)
    return result


@transaction.atomic
def save_diagnostic(diagnostic: Diagnostic, *, user: Any) -> Diagnostic:
    _open(diagnostic.engagement)
    diagnostic.save()
    audit.record(
        None,
        audit.Action.CHANGE,
        diagnostic,
        user=user,
        organisation_id=diagnostic.engagement.alliance_id,
    )
    return diagnostic


@transaction.atomic
def save_engagement_dates(engagement: Engagement, *, user: Any) -> Engagement:
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

    result: Engagement = _save(engagement, user=user, check=check)
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
    )
    return closure
