"""Where a person is signed in: each sign-in's session is noted, so the person can see their
sessions and sign out of all of them, and deactivating a person ends theirs at once."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.models import Session
from django.http import HttpRequest
from django.utils import timezone

from alliance.accounts.models import SignedInSession, User
from alliance.common import addresses


def note_session(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    """On Django's user_logged_in signal (login() has already given the session a new key)."""
    if not request.session.session_key:
        request.session.save()
    SignedInSession.objects.create(
        user=user,
        session_key=request.session.session_key or "",
        ip_address=addresses.client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
    )


def open_sessions(user: User) -> list[SignedInSession]:
    """The person's sessions that have not ended (signed out, expired or ended by an
    administrator); notes of ended ones are tidied away."""
    notes = list(SignedInSession.objects.filter(user=user))
    live = set(
        Session.objects.filter(
            session_key__in=[n.session_key for n in notes], expire_date__gt=timezone.now()
        ).values_list("session_key", flat=True)
    )
    ended = [n.pk for n in notes if n.session_key not in live]
    if ended:
        SignedInSession.objects.filter(pk__in=ended).delete()
    return [n for n in notes if n.session_key in live]


def end_sessions(user: User) -> int:
    """End every session the person is signed in with, at once."""
    keys = list(SignedInSession.objects.filter(user=user).values_list("session_key", flat=True))
    ended, _ = Session.objects.filter(session_key__in=keys).delete()
    SignedInSession.objects.filter(user=user).delete()
    return ended
