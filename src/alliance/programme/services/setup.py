"""Setting up a programme and matching councils to partners: partners' grant shares and capacity, confirming, moving and withdrawing matches, and the programme's totals."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max, Sum

from alliance.audit import services as audit
from alliance.organisations.models import Council, Organisation
from alliance.programme.history import record_change, snapshot
from alliance.programme.models import (
    Engagement,
    Match,
    Partner,
    Programme,
    SpendEntry,
    SupportNeed,
)
from alliance.programme.services.records import _money

# ---------------------------------------------------------------------------------------------
# Programme set-up


def _councils(n: int) -> str:
    return f"{n:,} council" if n == 1 else f"{n:,} councils"


PARTNER_FIELDS = ("grant_share_pence", "capacity", "innovation_project")


@transaction.atomic
def create_programme(programme: Programme, *, user: Any) -> Programme:
    """Save a new programme, owned by the DfE (or, before the DfE is set up, by the first
    organisation of the person creating it), and start its history."""
    dfe = Organisation.objects.filter(kind=Organisation.Kind.DFE).first()
    owner = dfe or user.memberships.first().organisation
    programme.organisation = owner
    programme.save()
    record_change(
        user=user,
        obj=programme,
        programme=programme,
        organisation_id=owner.pk,
        before=None,
        after=snapshot(programme, ("name", "starts", "ends", "grant_total_pence")),
    )
    return programme


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


@transaction.atomic
def save_partner(partner: Partner, *, user: Any) -> Partner:
    programme = Programme.objects.select_for_update().get(pk=partner.programme_id)
    before = snapshot(Partner.objects.get(pk=partner.pk), PARTNER_FIELDS) if partner.pk else None
    check_grant_shares(programme, partner)
    if partner.pk and partner.capacity < partner.matches.count():
        raise ValidationError(
            {
                "capacity": f"Capacity cannot be less than the {_councils(partner.matches.count())} already matched"
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
        None,
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
def move_match(match: Match, partner: Partner, *, user: Any) -> Match:
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
    )
    return match


@transaction.atomic
def withdraw_match(match: Match, *, reason: str, user: Any) -> None:
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
        action="removed",
        reason=reason,
    )


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
