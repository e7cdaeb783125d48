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


def is_locked_out(username: str, ip_address: str | None, *, excluding: int | None = None) -> bool:
    """Locked when this username has failed `SIGN_IN_MAX_FAILURES` times within the window since
    its last success, or this address has failed four times that often (one client guessing
    across many usernames). `excluding` leaves out the attempt being made."""
    limit = settings.SIGN_IN_MAX_FAILURES
    since = _window_start()
    attempts = SignInAttempt.objects.filter(at__gte=since)
    if excluding is not None:
        attempts = attempts.exclude(pk=excluding)
    by_name = attempts.filter(username__iexact=username)
    last_success = (
        by_name.filter(succeeded=True).order_by("-at").values_list("at", flat=True).first()
    )
    failures = by_name.filter(succeeded=False)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    if failures.count() >= limit:
        return True
    if ip_address:
        by_ip = attempts.filter(ip_address=ip_address, succeeded=False)
        return by_ip.count() >= limit * 4
    return False


def begin_attempt(request: HttpRequest, username: str) -> tuple[SignInAttempt, bool]:
    """Record an attempt as failed *before* the password or code is checked, then say whether
    the person or address is locked out. Many attempts sent at once each see the others, so
    sending them in parallel does not buy extra guesses. Returns (attempt, locked)."""
    ip = audit.client_ip(request)
    attempt = SignInAttempt.objects.create(username=username[:254], ip_address=ip, succeeded=False)
    return attempt, is_locked_out(username, ip, excluding=attempt.pk)


def finish_attempt(
    request: HttpRequest,
    attempt: SignInAttempt,
    *,
    succeeded: bool,
    user: object = None,
    locked: bool = False,
) -> None:
    """The attempt's outcome, in the sign-in record and the audit log."""
    if succeeded:
        SignInAttempt.objects.filter(pk=attempt.pk).update(succeeded=True)
    audit.record(
        request,
        audit.Action.SIGN_IN if succeeded else audit.Action.SIGN_IN_FAILED,
        user=user,
        object_type="accounts.User",
        object_repr=attempt.username[:300],
        detail={"locked_out": True} if locked else None,
    )


def set_aside_attempt(attempt: SignInAttempt) -> None:
    """The password was right but this is not a sign-in yet (a two-step code is asked for next,
    or it was the current password on 'Change your password'): the attempt neither counts toward
    the lockout nor resets it."""
    SignInAttempt.objects.filter(pk=attempt.pk).delete()
