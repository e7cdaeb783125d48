"""Writing the audit log: the one place audit rows are made.

Call `record(request, action, obj)` whenever personal or sensitive data is viewed, changed,
exported, downloaded or deleted. A record is named by its kind and number ("Edge of Care
referral 27") unless the caller gives `object_repr`: never by its own text, which may be a name. `request` may be None in background tasks (pass `user`).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Model
from django.http import HttpRequest

from alliance.audit.descriptions import describe
from alliance.audit.middleware import current_request
from alliance.audit.models import AuditEvent
from alliance.common import addresses

Action = AuditEvent.Action


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: X-Forwarded-For counts only from a configured trusted proxy."""
    return addresses.client_ip(request)


def _organisation_id(obj: Any) -> int | None:
    for attribute in ("organisation_id", "council__organisation_id"):
        value = getattr(obj, attribute, None)
        if isinstance(value, int):
            return value
    return None


# PostgreSQL stores no NUL character in text or JSON: a search for "%00" made the audit row, and
# so the page, fail there. Each NUL is written as the replacement character instead.
_NUL = "\x00"
_IN_ITS_PLACE = "\ufffd"


def _without_nul(value: Any) -> Any:
    if isinstance(value, str):
        return value.replace(_NUL, _IN_ITS_PLACE)
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_without_nul(v) for v in value]
    return value


def record(
    request: HttpRequest | None,
    action: str,
    obj: Model | None = None,
    *,
    user: Any = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    organisation_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    request = request if request is not None else current_request.get()
    if user is None and request is not None:
        user = getattr(request, "user", None)
    authenticated = user is not None and getattr(user, "is_authenticated", False)
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        # never str(obj): for a child or a family member that is their name
        object_repr = object_repr or describe(obj)
        organisation_id = organisation_id if organisation_id is not None else _organisation_id(obj)
    return AuditEvent.objects.create(
        user_id=user.pk if authenticated else None,
        username=_without_nul(user.get_username() if authenticated else ""),
        action=action,
        object_type=_without_nul(object_type),
        object_id=_without_nul(object_id),
        object_repr=_without_nul(object_repr[:300]),
        organisation_id=organisation_id,
        ip_address=client_ip(request) if request is not None else None,
        user_agent=_without_nul(
            request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
        ),
        method=request.method or "" if request is not None else "",
        path=_without_nul(request.get_full_path()[:500] if request is not None else ""),
        detail=_without_nul(detail or {}),
    )


def record_denied(
    request: HttpRequest,
    *,
    area: str,
    action: str,
    model: type[Model] | None = None,
    lookup: dict[str, Any] | None = None,
) -> AuditEvent:
    return record(
        request,
        Action.ACCESS_DENIED,
        object_type=model._meta.label if model is not None else "",
        object_id=str(next(iter(lookup.values()))) if lookup else "",
        detail={
            "area": str(area),
            "action": str(action),
            "lookup": {k: str(v) for k, v in (lookup or {}).items()},
        },
    )


def record_refusal(sender: object, signal: object = None, **refusal: Any) -> None:
    """Receives `alliance.access.policy.refused` (connected in AuditConfig.ready): `request`,
    `area`, `action` and, for a record, `model` and `lookup`."""
    record_denied(**refusal)
