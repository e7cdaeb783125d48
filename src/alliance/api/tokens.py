"""Issuing, revoking and checking API tokens. Each change is audited with what it was before and
is after (never the token or its hash); every refused token is audited too."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from alliance.access.policy import Action, Area, scope
from alliance.accounts.models import Membership, User
from alliance.accounts.people import rules
from alliance.api.models import TOKEN_ROLES, ApiToken, Scope
from alliance.audit import services as audit
from alliance.audit.admin_changes import changes, snapshot
from alliance.organisations.models import Organisation

PREFIX = "alliance_"
PREFIX_SHOWN = len(PREFIX) + 8
# How long a token may be issued for at most; a token that never expires is refused.
LONGEST = dt.timedelta(days=366)


class TokenRefused(ValidationError):
    """A token that cannot be issued or changed as asked; the message says why."""


def _person(request: HttpRequest) -> User | None:
    return request.user if isinstance(request.user, User) else None


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _snapshot(token: ApiToken) -> dict[str, Any]:
    values = snapshot(token)
    values.pop("digest", None)
    return values


def may_manage(actor: Any, organisation: Organisation | int) -> bool:
    """Service administrators manage every organisation's tokens; an organisation's own
    administrator manages its tokens."""
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    return scope(actor, Area.PEOPLE, Action.CHANGE).includes(organisation_id)


def roles_for(organisation: Organisation) -> list[Any]:
    return [r for r in rules.roles_for(organisation) if r in TOKEN_ROLES]


@transaction.atomic
def issue(
    request: HttpRequest,
    *,
    organisation: Organisation,
    name: str,
    role: str,
    scopes: list[str],
    expires_on: dt.date,
) -> tuple[ApiToken, str]:
    """A new token and its secret, which is shown once and never stored."""
    if not may_manage(request.user, organisation):
        raise TokenRefused("You cannot issue tokens for this organisation")
    allowed = roles_for(organisation)
    if role not in [r.value for r in allowed]:
        names = ", ".join(r.label.lower() for r in allowed) or "none"
        raise TokenRefused(
            f"A token for {organisation} can act as: {names}. Choose one of those roles"
        )
    unknown = [s for s in scopes if s not in Scope.values]
    if unknown or not scopes:
        raise TokenRefused("Choose what the token may be used for")
    today = timezone.localdate()
    if expires_on <= today:
        raise TokenRefused("The expiry date must be in the future")
    if expires_on > today + LONGEST:
        raise TokenRefused("A token can last at most a year: choose an earlier expiry date")
    name = name.strip()
    if not name:
        raise TokenRefused("Enter what will use the token, for example 'Mosaic nightly export'")
    raw = PREFIX + secrets.token_urlsafe(32)
    prefix = raw[:PREFIX_SHOWN]
    principal = User(
        username=f"api-token-{prefix[len(PREFIX) :].lower()}-{secrets.token_hex(4)}",
        full_name=f"API token: {name}",
    )
    principal.email = f"{principal.username}@api-tokens.invalid"
    principal.set_unusable_password()
    principal.save()
    Membership.objects.create(user=principal, organisation=organisation, role=role)
    token = ApiToken.objects.create(
        organisation=organisation,
        name=name,
        role=role,
        scopes=sorted(set(scopes)),
        prefix=prefix,
        digest=digest(raw),
        principal=principal,
        issued_by=_person(request),
        expires_on=expires_on,
    )
    audit.record(
        request,
        audit.Action.CREATE,
        token,
        detail={"what": "API token issued", "changes": changes({}, _snapshot(token))},
    )
    return token, raw


@transaction.atomic
def revoke(request: HttpRequest, token: ApiToken) -> None:
    """The token stops working at once: its account is deactivated too."""
    if not may_manage(request.user, token.organisation_id):
        raise TokenRefused("You cannot revoke tokens for this organisation")
    if token.revoked_at is not None:
        raise TokenRefused("This token was already revoked")
    before = _snapshot(token)
    token.revoked_at = timezone.now()
    token.revoked_by = _person(request)
    token.save(update_fields=["revoked_at", "revoked_by"])
    User.objects.filter(pk=token.principal_id).update(is_active=False)
    audit.record(
        request,
        audit.Action.CHANGE,
        token,
        detail={"what": "API token revoked", "changes": changes(before, _snapshot(token))},
    )


def why_refused(token: ApiToken | None, today: dt.date) -> str:
    """Empty when the token may be used; else the reason, as the API tells the caller."""
    if token is None:
        return "This token is not recognised"
    if token.revoked_at is not None:
        return "This token has been revoked"
    if token.expires_on is not None and token.expires_on < today:
        return "This token has expired"
    if not token.principal.is_active:
        return "This token has been revoked"
    return ""


def find(raw: str) -> ApiToken | None:
    if not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    return (
        ApiToken.objects.select_related("principal", "organisation")
        .filter(digest=digest(raw))
        .first()
    )


def mark_used(token: ApiToken) -> None:
    """Remember when the token was last used, at most once a minute (a write per request would
    make every call contend for the row)."""
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=1):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
