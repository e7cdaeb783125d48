"""Practice that worked: the evidence level of a practice library item. Its publisher states the
level (on the scale of Foundations' Guidebook evidence ratings, `EvidenceLevel`) with the evidence
it rests on; the DfE confirms it, at that level or at the one it judges right, and the item says
who confirmed it and when. Stating a new level or evidence takes the confirmation away. Each step
is in the item's history and the audit log."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import Action, Area, can
from alliance.programme.history import record_change, snapshot
from alliance.programme.models import EvidenceLevel, PracticeItem
from alliance.programme.services.spend_report_queries import is_dfe

FIELDS = ("evidence_level", "evidence_note")
CONFIRMED = "confirmed by the DfE"
MAX_NOTE = 5_000


class EvidenceRefused(ValidationError):
    """A change to an item's evidence level the person or the item's state does not allow."""


def may_state(user: Any, item: PracticeItem) -> bool:
    return not item.is_withdrawn and can(user, Area.PROGRAMME, Action.CHANGE, item.organisation_id)


def may_confirm(user: Any, item: PracticeItem) -> bool:
    return not item.is_withdrawn and is_dfe(user)


def _locked(item: PracticeItem) -> PracticeItem:
    found = PracticeItem.objects.select_for_update().get(pk=item.pk)
    if found.is_withdrawn:
        raise EvidenceRefused("This item has been withdrawn: it is kept as it was when withdrawn")
    return found


def _level(level: str) -> EvidenceLevel:
    if level not in EvidenceLevel.values:
        raise EvidenceRefused({"evidence_level": "Choose an evidence level"})
    return EvidenceLevel(level)


def _confirmation(item: PracticeItem) -> str:
    if item.evidence_confirmed_at is None:
        return ""
    when = timezone.localtime(item.evidence_confirmed_at)
    return f"{item.evidence_confirmed_by_name}, {when.day} {when:%B %Y}"


@transaction.atomic
def state_evidence_level(item: PracticeItem, level: str, note: str, *, user: Any) -> PracticeItem:
    """The publisher states the item's evidence level and what it rests on. A change to either
    takes away the DfE's confirmation, which was of what was stated before."""
    found = _locked(item)
    if not may_state(user, found):
        raise EvidenceRefused("Only the item's publisher can state its evidence level")
    chosen = _level(level)
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise EvidenceRefused({"evidence_note": f"Keep the evidence to {MAX_NOTE:,} characters"})
    if chosen != EvidenceLevel.NOT_STATED and not note:
        raise EvidenceRefused(
            {"evidence_note": "Say which evaluations or studies the evidence level rests on"}
        )
    before = {**snapshot(found, FIELDS), CONFIRMED: _confirmation(found)}
    found.evidence_level = chosen
    found.evidence_note = note
    if snapshot(found, FIELDS) != {k: before[k] for k in FIELDS}:
        found.evidence_confirmed_at = None
        found.evidence_confirmed_by = None
        found.evidence_confirmed_by_name = ""
    found.save(
        update_fields=[
            *FIELDS,
            "evidence_confirmed_at",
            "evidence_confirmed_by",
            "evidence_confirmed_by_name",
        ]
    )
    record_change(
        user=user,
        obj=found,
        programme=None,
        organisation_id=found.organisation_id,
        before=before,
        after={**snapshot(found, FIELDS), CONFIRMED: _confirmation(found)},
    )
    return found


@transaction.atomic
def confirm_evidence_level(item: PracticeItem, level: str, *, user: Any) -> PracticeItem:
    """The DfE confirms the item's evidence level: the one the publisher stated, or the level the
    DfE judges the evidence supports (the history shows both)."""
    found = _locked(item)
    if not is_dfe(user):
        raise EvidenceRefused("Only the DfE can confirm an evidence level")
    chosen = _level(level)
    if chosen == EvidenceLevel.NOT_STATED:
        raise EvidenceRefused({"evidence_level": "Choose the evidence level you confirm"})
    before = {**snapshot(found, ("evidence_level",)), CONFIRMED: _confirmation(found)}
    found.evidence_level = chosen
    found.evidence_confirmed_at = timezone.now()
    found.evidence_confirmed_by = user
    found.evidence_confirmed_by_name = user.get_full_name() or user.get_username()
    found.save(
        update_fields=[
            "evidence_level",
            "evidence_confirmed_at",
            "evidence_confirmed_by",
            "evidence_confirmed_by_name",
        ]
    )
    record_change(
        user=user,
        obj=found,
        programme=None,
        organisation_id=found.organisation_id,
        before=before,
        after={**snapshot(found, ("evidence_level",)), CONFIRMED: _confirmation(found)},
    )
    return found
