"""The programme's history of changes: who changed a plan, milestone, activity, review or money
record, when, and each field before and after (as text, money in pounds). `record_change` is the
one place it is written, with an audit row beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from django.db.models import Model

from alliance.audit import services as audit
from alliance.programme.models import ChangeRecord
from alliance.programme.money import pounds_and_pence

if TYPE_CHECKING:
    from alliance.programme.models import Engagement, Programme

MONEY_FIELDS = {"amount_pence", "grant_share_pence", "grant_total_pence"}
REASON = "Reason"
# A practice item linked to an engagement: its history line reads "Used in the Havering engagement"
USED_IN = "Used in"

# Fields written in words of their own: a practice item's Ofsted areas (a list of codes) by their
# names, and its attachment by the file's own name rather than the storage folder it is kept in.
SPECIAL_FIELDS: dict[str, Callable[[Any, Any], str]] = {
    "ofsted_areas": lambda obj, value: ", ".join(obj.area_labels()),
    "attachment": lambda obj, value: PurePath(value.name).name if value else "",
}

AUDIT_ACTIONS = {
    "created": audit.Action.CREATE,
    "changed": audit.Action.CHANGE,
    "removed": audit.Action.DELETE,
    "reversed": audit.Action.CREATE,
    "withdrawn": audit.Action.CHANGE,
    "used": audit.Action.CHANGE,
    "proposed": audit.Action.CREATE,
    "confirmed": audit.Action.CHANGE,
    "declined": audit.Action.CHANGE,
}


def _as_text(obj: Model, name: str) -> str:
    value = getattr(obj, name)
    if name in MONEY_FIELDS:
        return pounds_and_pence(value) if value is not None else ""
    special = SPECIAL_FIELDS.get(name)
    if special is not None:
        return special(obj, value)
    display = getattr(obj, f"get_{name}_display", None)
    if callable(display):
        return str(display())
    if isinstance(value, Model):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else str(value)


def snapshot(obj: Model, names: Iterable[str]) -> dict[str, str]:
    return {name: _as_text(obj, name) for name in names}


def label(obj: Model, name: str) -> str:
    """The field's name as the history and the pages write it (money without '(pence)')."""
    return _label(obj, name)


def _label(obj: Model, name: str) -> str:
    try:
        field = obj._meta.get_field(name)
    except Exception:  # not a model field: a label given by hand ("Planned for quarter 1")
        return name
    label = str(getattr(field, "verbose_name", name))
    # money is written in pounds in the history ("£1,234.56"), so its label does not say pence
    return label.removesuffix(" (pence)") if name in MONEY_FIELDS else label


def record_change(
    *,
    user: Any,
    obj: Model,
    programme: Programme | None,
    organisation_id: int,
    before: dict[str, str] | None,
    after: dict[str, str],
    engagement: Engagement | None = None,
    action: str = "",
    reason: str = "",
) -> ChangeRecord | None:
    """The one place the programme's change history is written (plus the audit log). `before` is
    None for a new record; for a removed (or withdrawn) one `after` is empty and `reason` says
    why. Returns None
    when nothing changed."""
    action = action or ("created" if before is None else "changed")
    if action in ("removed", "withdrawn"):
        changes = {_label(obj, name): [value, ""] for name, value in (before or {}).items()}
    else:
        changes = {
            _label(obj, name): [(before or {}).get(name, ""), value]
            for name, value in after.items()
            if before is None or before.get(name) != value
        }
    if not changes:
        return None
    if reason:
        changes[REASON] = ["", reason]
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    change = ChangeRecord.objects.create(
        organisation_id=organisation_id,
        programme=programme,
        engagement=engagement,
        object_type=str(obj._meta.verbose_name),
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        action=action,
        changes=changes,
        user=user if authenticated else None,
        username=user.get_username() if authenticated else "",
    )
    audit.record(
        None,
        AUDIT_ACTIONS.get(action, audit.Action.CHANGE),
        obj,
        user=user,
        organisation_id=organisation_id,
        detail={"changes": changes},
    )
    return change
