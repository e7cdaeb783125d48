"""How the audit log names a record: by its kind and number ("Edge of Care referral 27"), never
by the record's own text, which for a child, a young person or a family member is their name."""

from __future__ import annotations

import re

from django.apps import apps
from django.db.models import Model

# Django's default description of a model without its own ("Referral object (27)").
_DEFAULT_REPR = re.compile(r"^\w+ object \(\S*\)$")


def kind_of(object_type: str) -> str:
    """'edgeofcare.Referral' → 'Edge of Care referral'; a label that is not a model is kept."""
    try:
        model = apps.get_model(object_type)
    except (LookupError, ValueError):
        return object_type
    area = model._meta.app_config.verbose_name
    name = str(model._meta.verbose_name)
    if area.lower() in name.lower():
        return name[0].upper() + name[1:]
    return f"{area} {name}"


def describe(obj: Model) -> str:
    """The record's kind and number, for the log's 'record' column."""
    return f"{kind_of(obj._meta.label)} {obj.pk}"


def record_label(object_type: str, object_id: str, object_repr: str) -> str:
    """What the log page shows for a row: the text it was written with, unless that is empty or
    Django's default description, then the record's kind and number."""
    if object_repr and not _DEFAULT_REPR.match(object_repr):
        return object_repr
    kind = kind_of(object_type) if object_type else ""
    return " ".join(part for part in (kind, object_id) if part) or "–"
