"""How long a sign-in lasts: it ends after a spell of doing nothing (`ALLIANCE_SESSION_IDLE_MINUTES`,
30 by default) and, however busy the person, after the absolute lifetime
(`ALLIANCE_SESSION_MINUTES`, 8 hours by default).

Django's own session age alone cannot do both: saving the session moves its expiry on. So the
session holds when the person signed in and when they last did something, and this middleware
signs them out (audited) when either limit has passed.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse

from alliance.audit import services as audit

SIGNED_IN_AT = "alliance_signed_in_at"
ACTIVE_AT = "alliance_active_at"
# The last-active time is written at most this often, not on every request.
RESOLUTION_SECONDS = 60


def note_sign_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On Django's user_logged_in signal: the sign-in's clocks start now."""
    now = int(time.time())
    request.session[SIGNED_IN_AT] = now
    request.session[ACTIVE_AT] = now


def _ended(request: HttpRequest, now: int) -> str | None:
    session = request.session
    signed_in_at = session.get(SIGNED_IN_AT)
    active_at = session.get(ACTIVE_AT)
    if not isinstance(signed_in_at, int) or not isinstance(active_at, int):
        return "unknown"  # a session from before these limits, or tampered with: sign in again
    if now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "lifetime"
    if now - active_at > settings.SESSION_IDLE_SECONDS:
        return "idle"
    return None


class SessionLimitsMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        reason = _ended(request, now)
        if reason is not None:
            audit.record(
                request,
                audit.Action.SIGN_OUT,
                object_type="accounts.User",
                object_id=str(user.pk),
                object_repr=user.get_username(),
                detail={"reason": f"session ended: {reason}"},
            )
            logout(request)
            if reason == "idle":
                minutes = settings.SESSION_IDLE_SECONDS // 60
                text = f"You were signed out because you had not used the service for {minutes} minutes"
            else:
                text = "You were signed out because your sign-in had ended"
            messages.info(request, f"{text}. Sign in again to carry on.")
            return redirect_to_login(request.get_full_path(), settings.LOGIN_URL)
        if now - request.session[ACTIVE_AT] >= RESOLUTION_SECONDS:
            request.session[ACTIVE_AT] = now
        return self.get_response(request)
