"""The practice library: publishing a practice item, linking it to an engagement that used it,
correcting and withdrawing it."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from alliance.audit import services as audit
from alliance.programme.history import USED_IN, record_change, snapshot
from alliance.programme.models import Engagement, PracticeItem
from alliance.programme.services.records import PRACTICE_FIELDS, _save


def publish_practice_item(item: PracticeItem, *, user: Any) -> PracticeItem:
    """Publish a new item in the library, by the person acting."""
    item.published_by = user
    item.save()
    audit.record(None, audit.Action.CREATE, item, user=user)
    return item


def link_practice_item(item: PracticeItem, engagement: Engagement, *, user: Any) -> None:
    """Record that an engagement used the item; the engagement's history says so, in words ("Used
    in the Havering engagement"). Linking an item already linked is refused."""
    if item.engagements.filter(pk=engagement.pk).exists():
        raise ValidationError(f"“{item.title}” is already linked to this engagement")
    item.engagements.add(engagement)
    record_change(
        user=user,
        obj=item,
        programme=engagement.programme,
        organisation_id=engagement.alliance_id,
        before=None,
        after={USED_IN: f"the {engagement.supported_council.name} engagement"},
        engagement=engagement,
        action="used",
    )


def _withdraw_practice(item: PracticeItem, *, reason: str, user: Any) -> None:
    """A practice item is withdrawn, never deleted: it leaves the library's lists and search, while
    the engagements that used it still show it existed, when it was withdrawn and why."""
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
        action="withdrawn",
        reason=reason,
    )


@transaction.atomic
def save_practice_item(item: PracticeItem, *, user: Any) -> PracticeItem:
    """Correct a published practice item (its form has already checked it as when it was
    published). A withdrawn item is not changed: it stays as it was when withdrawn (attachment
    included)."""
    saved = PracticeItem.objects.select_for_update().get(pk=item.pk)
    if saved.is_withdrawn:
        raise ValidationError("This item has been withdrawn: it is kept as it was when withdrawn")
    result: PracticeItem = _save(item, user=user)
    old = saved.attachment.name or ""
    if old and old != (result.attachment.name or ""):
        # A replaced or removed attachment is deleted once the change is saved (it may have been
        # taken off because it should never have been shared); the history keeps its name.
        storage = saved.attachment.storage
        transaction.on_commit(lambda: storage.delete(old))
    return result
