"""Who is calling: the bearer token, checked, counted against its rate limit and audited when
refused. A good token signs the request in as the token's own account, so the access policy
decides what it reaches exactly as it does for a person with that role."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from alliance.api import rate_limit, tokens
from alliance.api.models import ApiToken
from alliance.audit import services as audit


class ApiRefusal(Exception):
    """Ends the call with `status` and a JSON body {"detail": message}."""

    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.headers = headers or {}


class BearerToken(HttpBearer):
    def __call__(self, request: HttpRequest) -> Any:
        header = request.headers.get("Authorization", "")
        if not header.lower().startswith("bearer "):
            _refuse(request, None, "Send your API token as 'Authorization: Bearer <token>'")
        return super().__call__(request)

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken:
        found = tokens.find(token)
        reason = tokens.why_refused(found, timezone.localdate())
        if reason or found is None:
            _refuse(request, found, reason)
        assert found is not None
        request.user = found.principal
        allowed, retry_after = rate_limit.allow(found)
        if not allowed:
            raise ApiRefusal(
                429,
                f"Too many requests: this token may make {rate_limit.per_minute()} a minute",
                {"Retry-After": str(retry_after)},
            )
        tokens.mark_used(found)
        return found


def _refuse(request: HttpRequest, token: ApiToken | None, reason: str) -> None:
    audit.record(
        request,
        audit.Action.ACCESS_DENIED,
        token,
        object_type="api.ApiToken",
        object_repr=str(token) if token is not None else "An unrecognised API token",
        detail={"api": reason},
    )
    raise ApiRefusal(401, reason, {"WWW-Authenticate": "Bearer"})


def needs(request: HttpRequest, scope: str) -> ApiToken:
    """The calling token, if it was issued for `scope`; else 403 (audited)."""
    token: ApiToken = request.auth  # type: ignore[attr-defined]
    if scope not in token.scopes:
        audit.record(
            request,
            audit.Action.ACCESS_DENIED,
            token,
            detail={"api": f"token not issued for {scope}"},
        )
        raise ApiRefusal(403, f"This token was not issued for {scope}")
    return token
