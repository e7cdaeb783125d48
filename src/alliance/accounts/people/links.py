"""One-time links that let a person choose a password: the invitation to a new account and the
reset of a forgotten password. Both use Django's password-reset tokens, each with its own salt (an
invitation link cannot be used as a reset link); a token stops working once the password is set
(the token is made from it) and after `PASSWORD_RESET_TIMEOUT` (3 days by default)."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.mail import send_mail
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes, force_str
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

from alliance.accounts.models import PasswordLinkRequest, User
from alliance.audit import services as audit
from alliance.organisations.single_sign_on import domain_owner


class InvitationTokens(PasswordResetTokenGenerator):
    key_salt = "alliance.accounts.people.invitation"


class ResetTokens(PasswordResetTokenGenerator):
    key_salt = "alliance.accounts.people.password-reset"


INVITATION = InvitationTokens()
RESET = ResetTokens()

# Forgotten-password emails one connection may ask for an hour, and one address may be sent.
REQUESTS_PER_HOUR_FROM_ONE_CONNECTION = 10
REQUESTS_PER_HOUR_FOR_ONE_ADDRESS = 3


def link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def link_path(url_name: str, tokens: PasswordResetTokenGenerator, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse(url_name, args=[uid, tokens.make_token(user)])


def _link(
    request: HttpRequest, url_name: str, tokens: PasswordResetTokenGenerator, user: User
) -> str:
    return request.build_absolute_uri(link_path(url_name, tokens, user))


def person_from(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


def _organisation_sign_in(request: HttpRequest, person: User) -> str:
    """A line for people whose address's organisation signs in with its own accounts."""
    if domain_owner(person.email.rpartition("@")[2]) is None:
        return ""
    page = request.build_absolute_uri(reverse("accounts:organisation-sign-in"))
    return (
        "Your organisation also lets you sign in with the account you use at work, without a "
        f"password for this service. To do that, go to:\n\n{page}\n\n"
    )


def send_invitation(request: HttpRequest, person: User, organisation_name: str) -> None:
    link = _link(request, "accounts:invitation", INVITATION, person)
    inviter = getattr(request.user, "display_name", "An administrator")
    send_mail(
        "You have been invited to the children's services improvement service",
        f"Dear {person.display_name},\n\n"
        f"{inviter} has invited you to use the children's services improvement service "
        f"for {organisation_name}.\n\n"
        f"To choose your password, open this link:\n\n{link}\n\n"
        f"The link works once and for {link_days()} days. "
        "If it has stopped working, ask your organisation's administrator to invite you again.\n\n"
        "You will sign in with this email address.\n\n"
        f"{_organisation_sign_in(request, person)}"
        "If you were not expecting this email, you can ignore it.",
        None,
        [person.email],
    )


def allowed_to_ask(request: HttpRequest, email: str) -> bool:
    """Record a forgotten-password request and say whether it is within the limits."""
    ip = audit.client_ip(request)
    since = timezone.now() - timedelta(hours=1)
    recent = PasswordLinkRequest.objects.filter(at__gte=since)
    from_connection = recent.filter(ip_address=ip).count() if ip else 0
    for_address = recent.filter(email__iexact=email).count()
    PasswordLinkRequest.objects.create(email=email[:254], ip_address=ip)
    return (
        from_connection < REQUESTS_PER_HOUR_FROM_ONE_CONNECTION
        and for_address < REQUESTS_PER_HOUR_FOR_ONE_ADDRESS
    )


def send_reset(request: HttpRequest, email: str) -> bool:
    """Email a reset link when the address belongs to an active account with a password (an
    invited person who has not chosen one uses their invitation). Returns whether an email went;
    the page shown must not depend on it."""
    person = User.objects.filter(email__iexact=email, is_active=True).first()
    if person is None or not person.has_usable_password():
        return False
    link = _link(request, "accounts:password-reset", RESET, person)
    send_mail(
        "Reset your password",
        f"Dear {person.display_name},\n\n"
        "Someone asked to reset the password for your account on the children's services "
        "improvement service.\n\n"
        f"To choose a new password, open this link:\n\n{link}\n\n"
        f"The link works once and for {link_days()} days.\n\n"
        "If you did not ask to reset your password, you can ignore this email: your password "
        "has not changed.",
        None,
        [person.email],
    )
    return True
