"""Sign-in rules: lockout after repeated failures, and the audit of every attempt."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone

from alliance.accounts.models import SignInAttempt
from alliance.audit import services as audit


def locked_message() -> str:
    minutes = settings.SIGN_IN_LOCKOUT_MINUTES
    return (
        "You have entered the wrong details too many times. "
        f"Wait {minutes} minute{'s' if minutes != 1 else ''}, then try again."
    )


def _window_start() -> datetime:
    return timezone.now() - timedelta(minutes=settings.SIGN_IN_LOCKOUT_MINUTES)


def is_locked_out(username: str, ip_address: str | None) -> bool:
    """Locked when this username, or this address, has failed too often within the window since
    its last success."""
    limit = settings.SIGN_IN_MAX_FAILURES
    since = _window_start()
    by_name = SignInAttempt.objects.filter(username__iexact=username, at__gte=since)
    last_success = (
        by_name.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    )
    failures = by_name.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    if failures.count() >= limit:
        return True
    if ip_address:
        # A wider limit per address catches one client guessing across many usernames.
        by_ip = SignInAttempt.objects.filter(ip_address=ip_address, at__gte=since, succeeded=False)
        return by_ip.count() >= limit * 4
    return False


def note_attempt(
    request: HttpRequest, username: str, *, succeeded: bool, user: object = None
) -> None:
    ip = audit.client_ip(request)
    SignInAttempt.objects.create(username=username[:254], ip_address=ip, succeeded=succeeded)
    audit.record(
        request,
        audit.Action.SIGN_IN if succeeded else audit.Action.SIGN_IN_FAILED,
        user=user,
        object_type="accounts.User",
        object_repr=username[:300],
    )
