"""Partners and the DfE agree support together: an alliance lead proposes that their partner
supports a council (from the need ranking for their region), and the DfE confirms the proposal,
which makes the match, or declines it with its reason. Each step is audited and kept in the
programme's history, with who and when."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.organisations.models import Council
from alliance.programme.history import record_change
from alliance.programme.models import Match, MatchProposal, Partner, Programme
from alliance.programme.services.setup import confirm_match


def _record(proposal: MatchProposal, user: Any, action: str, after: dict[str, str]) -> None:
    record_change(
        user=user,
        obj=proposal,
        programme=proposal.programme,
        organisation_id=proposal.partner.alliance_id,
        before=None,
        after=after,
        action=action,
    )


@transaction.atomic
def propose_match(
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
) -> MatchProposal:
    """Propose that `partner` supports `council`. Refused when the council is already matched or
    has a proposal waiting in this programme, or the partner has no places left."""
    partner = Partner.objects.select_for_update().select_related("alliance").get(pk=partner.pk)
    if partner.programme_id != programme.pk:
        raise ValidationError({"partner": "Choose a partner in this programme"})
    if Match.objects.filter(programme=programme, council=council).exists():
        raise ValidationError({"partner": f"{council.name} is already matched in this programme"})
    waiting = MatchProposal.objects.filter(
        programme=programme, council=council, status=MatchProposal.Status.PROPOSED
    ).first()
    if waiting is not None:
        raise ValidationError(
            {
                "partner": f"{waiting.partner} has already proposed to support {council.name}: "
                "the DfE has not decided yet"
            }
        )
    if partner.matches.count() >= partner.capacity:
        raise ValidationError(
            {
                "partner": f"{partner.alliance.name} has no places left: all {partner.capacity} are taken"
            }
        )
    proposal = MatchProposal.objects.create(
        programme=programme,
        partner=partner,
        council=council,
        need_score=need_score,
        need_reasons=need_reasons,
        weights=weights,
        as_at=as_at,
        suitability=suitability,
        reasons=reasons,
        proposed_by=user if getattr(user, "is_authenticated", False) else None,
    )
    _record(proposal, user, "proposed", {"council": council.name, "partner": str(partner.alliance)})
    return proposal


def _waiting(proposal: MatchProposal) -> MatchProposal:
    locked = (
        MatchProposal.objects.select_for_update()
        .select_related("council", "partner__alliance", "programme")
        .get(pk=proposal.pk)
    )
    if locked.status != MatchProposal.Status.PROPOSED:
        raise ValidationError(
            f"This proposal has already been {locked.get_status_display().lower()}"
        )
    return locked


@transaction.atomic
def confirm_proposal(proposal: MatchProposal, *, user: Any) -> Match:
    """The DfE confirms a partner's proposal: the match is made (refused, as any match, when the
    partner has no places left or the council is matched already)."""
    proposal = _waiting(proposal)
    match = confirm_match(
        programme=proposal.programme,
        partner=proposal.partner,
        council=proposal.council,
        need_score=proposal.need_score,
        need_reasons=proposal.need_reasons,
        weights=proposal.weights,
        as_at=proposal.as_at,
        suitability=proposal.suitability,
        reasons=proposal.reasons,
        user=user,
    )
    proposal.status = MatchProposal.Status.CONFIRMED
    proposal.match = match
    proposal.decided_by = user if getattr(user, "is_authenticated", False) else None
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "match", "decided_by", "decided_at"])
    _record(proposal, user, "confirmed", {"status": "Confirmed"})
    return match


@transaction.atomic
def decline_proposal(proposal: MatchProposal, *, reason: str, user: Any) -> MatchProposal:
    """The DfE declines a partner's proposal, saying why (the partner sees the reason)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Enter why the proposal is declined"})
    proposal = _waiting(proposal)
    proposal.status = MatchProposal.Status.DECLINED
    proposal.decline_reason = reason
    proposal.decided_by = user if getattr(user, "is_authenticated", False) else None
    proposal.decided_at = timezone.now()
    proposal.save(update_fields=["status", "decline_reason", "decided_by", "decided_at"])
    _record(proposal, user, "declined", {"status": "Declined", "reason": reason})
    return proposal
