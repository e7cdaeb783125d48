"""A referral's stages from suggested to sustained, what an adviser or an employer may move it
to, opening and closing opportunities, and how many referrals reached each stage. Each change is
saved and audited with the acting user in one transaction (a refused change leaves no audit row).
No request objects here."""

from __future__ import annotations

import datetime as dt
from collections import Counter

from dateutil.relativedelta import relativedelta
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet

from alliance.accounts.models import User
from alliance.audit import services as audit
from alliance.workplace.employers import record_opportunity_change
from alliance.workplace.matching import Match
from alliance.workplace.models import (
    Opportunity,
    Referral,
    YoungPerson,
)

STAGES = [s.value for s in Referral.Stage if s != Referral.Stage.ENDED]
# Stages an employer sees a referral at (before "applied" the young person is only considering it).
EMPLOYER_STAGES = STAGES[STAGES.index(Referral.Stage.APPLIED) :]


class StageError(ValidationError):
    """The referral cannot move to that stage (Django's ValidationError, shown on the form)."""


# Stages a referral may pass by: not every young person says "interested" through their own page
# before applying, and not every employer interviews. Every other stage is reached in order.
OPTIONAL = frozenset({Referral.Stage.INTERESTED, Referral.Stage.INTERVIEW})
# How long after starting a "sustained" stage can first be recorded.
SUSTAINED_MONTHS: dict[str, int] = {
    Referral.Stage.SUSTAINED_3: 3,
    Referral.Stage.SUSTAINED_6: 6,
}


def next_stages(referral: Referral) -> list[str]:
    """The stage after this one (and the one after that, when the next may be passed by),
    or ended. Never a jump: "applied" cannot go straight to "sustained 3 months"."""
    if referral.stage == Referral.Stage.ENDED:
        return []
    found: list[str] = []
    for stage in STAGES[STAGES.index(referral.stage) + 1 :]:
        found.append(stage)
        if stage not in OPTIONAL:
            break
    return [*found, Referral.Stage.ENDED]


def reached(stage_dates: dict[str, str]) -> set[str]:
    """The stages a referral counts as having reached, from the dates recorded: its furthest
    stage and every required stage before it (records made before stages had to follow their
    order may have gaps). So no figure can show more sustained than started, or more started
    than offered."""
    dated = [STAGES.index(s) for s in stage_dates if s in STAGES]
    if not dated:
        return set()
    return {s for s in STAGES[: max(dated) + 1] if s not in OPTIONAL or s in stage_dates}


@transaction.atomic
def suggest(
    person: YoungPerson, opportunity: Opportunity, match: Match | None, *, user: User
) -> Referral:
    """An adviser suggests the opportunity to the young person (once: a second suggestion
    returns the first referral)."""
    referral = _referral(person, opportunity, match)
    audit.record(
        None, audit.Action.CREATE, referral, user=user, detail={"opportunity": opportunity.pk}
    )
    return referral


def _referral(person: YoungPerson, opportunity: Opportunity, match: Match | None) -> Referral:
    referral, _made = Referral.objects.get_or_create(
        young_person=person,
        opportunity=opportunity,
        defaults={
            "organisation": person.organisation,
            "stage_dates": {Referral.Stage.SUGGESTED: dt.date.today().isoformat()},
            "reasons": match.reasons if match else [],
        },
    )
    return referral


@transaction.atomic
def move(referral: Referral, stage: str, on: dt.date, *, user: User) -> Referral:
    """An adviser moves a referral on to `stage`, dated `on`. Stages only go forward (or end)."""
    _move(referral, stage, on)
    audit.record(None, audit.Action.CHANGE, referral, user=user, detail={"stage": referral.stage})
    _settle_places(referral.opportunity, user=user)
    return referral


def _move(referral: Referral, stage: str, on: dt.date) -> Referral:
    if stage not in next_stages(referral):
        raise StageError(
            f"A referral at “{referral.get_stage_display()}” cannot move to that stage"
        )
    previous = [d for s in STAGES if (d := referral.date_of(s)) is not None]
    if previous and on < max(previous):
        latest = max(previous)
        raise StageError(
            f"The date must be on or after the date of the stage before, {latest.day} "
            f"{latest:%B %Y}"
        )
    if on > dt.date.today():
        raise StageError("The date must be today or in the past")
    months = SUSTAINED_MONTHS.get(stage)
    started = referral.date_of(Referral.Stage.STARTED)
    if months is not None and started is not None and on < started + relativedelta(months=months):
        earliest = started + relativedelta(months=months)
        raise StageError(
            f"They started on {started.day} {started:%B %Y}, so {months} months in work can be "
            f"recorded from {earliest.day} {earliest:%B %Y}"
        )
    dates = dict(referral.stage_dates)
    dates[stage] = on.isoformat()
    referral.stage, referral.stage_dates = stage, dates
    referral.save(update_fields=["stage", "stage_dates"])
    return referral


# A referral at one of these stages holds a place (someone ended after starting frees it).
FILLING = (Referral.Stage.STARTED, Referral.Stage.SUSTAINED_3, Referral.Stage.SUSTAINED_6)


def filled_places(opportunity: Opportunity) -> int:
    return opportunity.referrals.filter(stage__in=FILLING).count()


def _settle_places(opportunity: Opportunity, *, user: User) -> None:
    """Close an open opportunity whose places are all filled (it stops being offered at once),
    and reopen one closed that way when a place is free again, up to its advertised closing
    date. Called after every change of stage, in the same transaction."""
    opportunity = Opportunity.objects.select_for_update().get(pk=opportunity.pk)
    today = dt.date.today()
    filled = filled_places(opportunity)
    fields = ["advertised_closing_date", "closing_date", "closed_early_on", "filled_on"]
    if filled >= opportunity.places and opportunity.closing_date >= today:
        opportunity.advertised_closing_date = opportunity.closing_date
        opportunity.closing_date = today - dt.timedelta(days=1)
        opportunity.closed_early_on = opportunity.filled_on = today
        opportunity.save(update_fields=fields)
        record_opportunity_change(
            opportunity, {"closed_filled": today.isoformat(), "filled": str(filled)}, user=user
        )
    elif filled < opportunity.places and opportunity.filled_on is not None:
        advertised = opportunity.advertised_closing_date
        opportunity.filled_on = None
        if advertised is not None and advertised >= today:
            opportunity.closing_date = advertised
            opportunity.advertised_closing_date = opportunity.closed_early_on = None
        opportunity.save(update_fields=fields)
        record_opportunity_change(
            opportunity,
            {
                "place_free_again": str(filled),
                "reopened_until": opportunity.closing_date.isoformat(),
            },
            user=user,
        )


# The stages an employer records for their own applicants ("ended" reads "not taken forward").
EMPLOYER_MOVES = (Referral.Stage.INTERVIEW, Referral.Stage.OFFER, Referral.Stage.ENDED)


def employer_next_stages(referral: Referral) -> list[str]:
    """Where an employer may move an applicant: on to interview or offer, or not taken
    forward; what happens after an offer is the adviser's to record."""
    if referral.stage not in (Referral.Stage.APPLIED, Referral.Stage.INTERVIEW):
        return []
    return [s for s in next_stages(referral) if s in EMPLOYER_MOVES]


@transaction.atomic
def employer_move(referral: Referral, stage: str, on: dt.date, *, user: User) -> Referral:
    """The employer records an interview, an offer, or that their applicant is not taken
    forward."""
    if stage not in employer_next_stages(referral):
        raise StageError(
            f"An applicant at “{referral.get_stage_display()}” cannot move to that stage"
        )
    _move(referral, stage, on)
    audit.record(
        None,
        audit.Action.CHANGE,
        referral,
        user=user,
        detail={
            "stage": referral.stage,
            "by": "employer",
            "employer": referral.opportunity.employer_id,
        },
    )
    return referral


class CorrectionError(ValidationError):
    """The stage cannot be corrected (Django's ValidationError, shown on the form)."""


@transaction.atomic
def correct_last_stage(referral: Referral, reason: str, *, user: User) -> Referral:
    """Take back the latest stage, recorded by mistake: the referral goes back to the stage
    before it, and the correction (which stage, its date, the reason, who and when) is kept in
    the referral's history and audited."""
    reason = reason.strip()
    if not reason:
        raise CorrectionError("Enter why the stage was recorded by mistake")
    if referral.stage == Referral.Stage.SUGGESTED:
        raise CorrectionError("A suggestion is the first stage: there is nothing to correct")
    taken_back = referral.stage
    dates = dict(referral.stage_dates)
    dated = dates.pop(taken_back, None)
    remaining = [s for s in STAGES if s in dates]
    if not remaining:
        raise CorrectionError("A suggestion is the first stage: there is nothing to correct")
    referral.stage, referral.stage_dates = remaining[-1], dates
    referral.corrections = [
        *referral.corrections,
        {
            "stage": taken_back,
            "dated": dated,
            "reason": reason,
            "by": user.display_name,
            "on": dt.date.today().isoformat(),
        },
    ]
    referral.save(update_fields=["stage", "stage_dates", "corrections"])
    audit.record(
        None,
        audit.Action.CHANGE,
        referral,
        user=user,
        detail={"corrected": taken_back, "dated": dated, "reason": reason, "stage": referral.stage},
    )
    _settle_places(referral.opportunity, user=user)
    return referral


@transaction.atomic
def close_early(
    opportunity: Opportunity, today: dt.date | None = None, *, user: User
) -> Opportunity:
    """Close an open opportunity now. The closing date becomes yesterday (so it leaves every
    list and match at once) and the advertised date is kept, so it can be reopened."""
    today = today or dt.date.today()
    if opportunity.closing_date < today:
        raise StageError("This opportunity has already closed")
    opportunity.advertised_closing_date = opportunity.closing_date
    opportunity.closing_date = today - dt.timedelta(days=1)
    opportunity.closed_early_on = today
    opportunity.save(update_fields=["advertised_closing_date", "closing_date", "closed_early_on"])
    record_opportunity_change(opportunity, {"closed_early": today.isoformat()}, user=user)
    return opportunity


@transaction.atomic
def reopen(opportunity: Opportunity, today: dt.date | None = None, *, user: User) -> Opportunity:
    """Reopen an opportunity closed early, up to its advertised closing date."""
    today = today or dt.date.today()
    advertised = opportunity.advertised_closing_date
    if opportunity.closed_early_on is None or advertised is None:
        raise StageError("Only an opportunity closed early can be reopened")
    if filled_places(opportunity) >= opportunity.places:
        raise StageError(
            "Every place is filled, so it is not offered to anyone: post a new opportunity "
            "for more places"
        )
    if advertised < today:
        raise StageError(
            f"The advertised closing date, {advertised.day} {advertised:%B %Y}, has passed: "
            "post it again with a new closing date"
        )
    opportunity.closing_date = advertised
    opportunity.advertised_closing_date = opportunity.closed_early_on = opportunity.filled_on = None
    opportunity.save(
        update_fields=["advertised_closing_date", "closing_date", "closed_early_on", "filled_on"]
    )
    record_opportunity_change(opportunity, {"reopened_until": advertised.isoformat()}, user=user)
    return opportunity


@transaction.atomic
def say_interested(person: YoungPerson, opportunity: Opportunity, *, user: User) -> Referral:
    """The young person says they are interested (from their own phone)."""
    referral = _referral(person, opportunity, None)
    if referral.stage == Referral.Stage.SUGGESTED:
        _move(referral, Referral.Stage.INTERESTED, dt.date.today())
    audit.record(None, audit.Action.CHANGE, referral, user=user, detail={"stage": referral.stage})
    return referral


def pipeline_counts(referrals: QuerySet[Referral]) -> list[tuple[str, int]]:
    """How many referrals reached each stage (a referral that reached 'offer' also counts at every
    stage before it that it passed through)."""
    counts: Counter[str] = Counter()
    for dates in referrals.values_list("stage_dates", flat=True):
        counts.update(reached(dates))
    return [(Referral.Stage(s).label, counts[s]) for s in STAGES]
