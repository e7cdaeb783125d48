"""Signing in through an organisation's own sign-in service (OpenID Connect single sign-on).

The provider proves who the person is. It never decides what they may do: their organisation and
role come from their Membership in this service, whatever the provider's claims say. The first
sign-in of an invited person links their account to the provider's issuer and subject; later
sign-ins match on those, never on the email address alone.

A sign-in through the organisation's provider counts as two-step verified for the service's
pages that ask for it (the organisation's provider is where its people's multi-factor
authentication happens), except the admin site, which always asks for the service's own code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from authlib.integrations.django_client import OAuth
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from joserfc.errors import JoseError
from requests import RequestException

from alliance.accounts.models import User
from alliance.audit import services as audit
from alliance.organisations.models import SingleSignOn
from alliance.organisations.single_sign_on import client_secret

PENDING = "alliance_sso_pending"
SCOPE = "openid email profile"


class Refused(ValidationError):
    """A sign-in through an organisation's provider that is refused. `reason` goes into the
    audit log; the message is shown to the person."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def client(sso: SingleSignOn) -> Any:
    """authlib's Django client for this organisation's provider, found through its discovery
    document. Built for each request, as the settings can change at any time."""
    registry = OAuth()
    return registry.register(
        name=f"organisation-{sso.organisation_id}",
        client_id=sso.client_id,
        client_secret=client_secret(sso),
        server_metadata_url=f"{sso.issuer}/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "default_timeout": 10},
    )


@dataclass(frozen=True)
class Identity:
    """Who the provider says the person is, from its signed ID token."""

    issuer: str
    subject: str
    email: str
    email_verified: bool


def identity_from(token: dict[str, Any]) -> Identity:
    claims = token.get("userinfo") or {}
    if not claims.get("sub") or not claims.get("iss"):
        raise Refused(NOT_COMPLETED, "no ID token")
    # Microsoft Entra ID does not send email_verified; it says the address's domain is owned by
    # the organisation with the optional claim xms_edov instead.
    verified = claims.get("email_verified") is True or claims.get("xms_edov") is True
    return Identity(
        issuer=str(claims["iss"]).rstrip("/"),
        subject=str(claims["sub"]),
        email=str(claims.get("email") or "").strip().lower(),
        email_verified=verified,
    )


NOT_COMPLETED = (
    "Signing in with your organisation's account did not work. Try again, or sign in with your "
    "email address and password"
)
_ASK_ADMIN = "Ask your organisation's administrator for help"


def fetch_identity(request: HttpRequest, sso: SingleSignOn) -> Identity:
    """Check the provider's answer (state, code, ID token signature, issuer, audience and nonce,
    all through authlib) and return who it says the person is."""
    try:
        oauth = client(sso)
        metadata = oauth.load_server_metadata()
        if str(metadata.get("issuer", "")).rstrip("/") != sso.issuer:
            raise Refused(NOT_COMPLETED, "discovery document names another issuer")
        token = oauth.authorize_access_token(
            request, claims_options={"iss": {"essential": True, "values": [sso.issuer]}}
        )
    except OAuthError as error:
        raise Refused(NOT_COMPLETED, f"provider answer refused: {error.error}") from error
    except JoseError as error:
        raise Refused(NOT_COMPLETED, f"ID token refused: {error.error}") from error
    except (RequestException, ValueError) as error:
        raise Refused(NOT_COMPLETED, f"provider could not be reached: {error}") from error
    return identity_from(token)


def _is_member(user: User, sso: SingleSignOn) -> bool:
    return user.memberships.filter(organisation_id=sso.organisation_id).exists()


@transaction.atomic
def account_for(request: HttpRequest, sso: SingleSignOn, who: Identity) -> User:
    """The account this identity signs in to, linking it on a first sign-in. Refuses, changing
    nothing, when it cannot be matched safely."""
    if who.issuer != sso.issuer:
        raise Refused(NOT_COMPLETED, "issuer is not the organisation's")
    linked = User.objects.select_for_update().filter(sso_issuer=who.issuer, sso_subject=who.subject)
    user = linked.first()
    if user is not None:
        if not user.is_active:
            raise Refused(f"Your account has been deactivated. {_ASK_ADMIN}", "deactivated")
        if not _is_member(user, sso):
            raise Refused(
                f"Your account does not belong to {sso.organisation.name}. {_ASK_ADMIN}",
                "linked account is not in the provider's organisation",
            )
        return user
    if not who.email:
        raise Refused(
            f"Your organisation's account did not give an email address. {_ASK_ADMIN}",
            "no email address",
        )
    if not who.email_verified:
        raise Refused(
            f"Your organisation's account has an email address that is not verified. {_ASK_ADMIN}",
            "email address not verified",
        )
    user = User.objects.select_for_update().filter(email__iexact=who.email).first()
    if user is None:
        raise Refused(
            f"There is no account for {who.email}. Ask your organisation's administrator to "
            "invite you",
            "no account for the email address",
        )
    if not user.is_active:
        raise Refused(f"Your account has been deactivated. {_ASK_ADMIN}", "deactivated")
    if not sso.accepts(who.email) or not _is_member(user, sso):
        raise Refused(
            f"The account for {who.email} does not belong to {sso.organisation.name}. {_ASK_ADMIN}",
            "account belongs to a different organisation",
        )
    if user.sso_subject:
        raise Refused(
            f"The account for {who.email} is already linked to a different account at your "
            f"organisation's sign-in service. {_ASK_ADMIN}",
            "account already linked to another subject",
        )
    user.sso_issuer, user.sso_subject = who.issuer, who.subject
    try:
        with transaction.atomic():
            user.save(update_fields=["sso_issuer", "sso_subject"])
    except IntegrityError as error:  # the same subject linked at the same moment
        raise Refused(NOT_COMPLETED, "subject already linked to another account") from error
    audit.record(
        request,
        audit.Action.CHANGE,
        user,
        user=user,
        organisation_id=sso.organisation_id,
        detail={
            "via": "single sign-on",
            "what": "linked to the organisation's sign-in service on first sign-in",
            "changes": {
                "sso_issuer": {"before": "", "after": who.issuer},
                "sso_subject": {"before": "", "after": who.subject},
            },
        },
    )
    return user
