"""Setting up an organisation's single sign-on: its OpenID Connect provider, the client the
service is registered as there, and the email domains its people use.

The client secret is stored encrypted with a key derived from the service's secret key
(`ALLIANCE_SECRET_KEY`), so a copy of the database alone does not give it away. Changing the
service's secret key means entering each organisation's client secret again.
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import Any
from urllib.parse import urlsplit

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpRequest

from alliance.audit import services as audit
from alliance.organisations.models import Organisation, SingleSignOn

_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")


class Refused(ValidationError):
    """A change to single sign-on settings that is not allowed."""


def _fernet() -> Fernet:
    key = hashlib.sha256(b"alliance single sign-on client secret:" + settings.SECRET_KEY.encode())
    return Fernet(base64.urlsafe_b64encode(key.digest()))


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def client_secret(sso: SingleSignOn) -> str:
    """The client secret in the clear, to send to the provider. Empty if none was entered or it
    cannot be read (the service's secret key has changed since it was entered)."""
    if not sso.secret:
        return ""
    try:
        return _fernet().decrypt(sso.secret.encode()).decode()
    except InvalidToken:
        return ""


def clean_domains(text: str) -> list[str]:
    """The email domains, one a line (commas and spaces also separate them), lower case."""
    domains = [d.strip().lower().lstrip("@") for d in re.split(r"[\s,;]+", text) if d.strip()]
    bad = [d for d in domains if not _DOMAIN.match(d)]
    if bad:
        raise Refused(f"{bad[0]} is not an email domain. Enter domains like example.gov.uk")
    if not domains:
        raise Refused("Enter the email domains your organisation's people use")
    return sorted(set(domains))


def clean_issuer(url: str) -> str:
    """The issuer URL without a trailing slash. It must use https, except on this computer (a
    provider started for tests or a demonstration)."""
    url = url.strip().rstrip("/")
    parts = urlsplit(url)
    local = parts.hostname in {"localhost", "127.0.0.1"}
    if parts.scheme != "https" and not (parts.scheme == "http" and local):
        raise Refused("Enter an issuer URL that starts with https://")
    if parts.query or parts.fragment:
        raise Refused("Enter the issuer URL without anything after a ? or #")
    return url


def domain_owner(domain: str) -> SingleSignOn | None:
    """The organisation whose single sign-on accepts this email domain (switched on ones only)."""
    domain = domain.strip().lower()
    for sso in SingleSignOn.objects.filter(enabled=True).select_related("organisation"):
        if domain in sso.domains:
            return sso
    return None


def provider_origins() -> list[str]:
    """The origins (scheme, host and port) of the sign-in services that are switched on."""
    origins = set()
    for issuer in SingleSignOn.objects.filter(enabled=True).values_list("issuer", flat=True):
        parts = urlsplit(issuer)
        origins.add(f"{parts.scheme}://{parts.netloc}")
    return sorted(origins)


def _visible(sso: SingleSignOn | None) -> dict[str, Any]:
    """What the audit log keeps of the settings: never the secret, only whether there is one."""
    if sso is None or sso.pk is None:
        return {}
    return {
        "enabled": sso.enabled,
        "issuer": sso.issuer,
        "client_id": sso.client_id,
        "client_secret": "set" if sso.secret else "not set",
        "email_domains": sso.domains,
    }


@transaction.atomic
def save(
    request: HttpRequest,
    organisation: Organisation,
    *,
    issuer: str,
    client_id: str,
    new_secret: str,
    email_domains: str,
    enabled: bool,
) -> SingleSignOn:
    """Create or change an organisation's single sign-on, audited with what it was before and is
    after. A blank `new_secret` keeps the one stored. A domain another organisation already signs
    in with is refused (a person's address must lead to one organisation)."""
    sso = SingleSignOn.objects.select_for_update().filter(organisation=organisation).first()
    before = _visible(sso)
    domains = clean_domains(email_domains)
    others = SingleSignOn.objects.exclude(organisation=organisation).select_related("organisation")
    for other in others:
        shared = sorted(set(domains) & set(other.domains))
        if shared:
            raise Refused(
                f"{shared[0]} is already used by {other.organisation.name}'s single sign-on. "
                "Each email domain can lead to one organisation only"
            )
    if sso is None:
        sso = SingleSignOn(organisation=organisation)
        if not new_secret.strip():
            raise Refused("Enter the client secret")
    sso.issuer = clean_issuer(issuer)
    sso.client_id = client_id.strip()
    if new_secret.strip():
        sso.secret = encrypt(new_secret.strip())
    sso.email_domains = "\n".join(domains)
    sso.enabled = enabled
    sso.full_clean()
    secret_changed = bool(new_secret.strip()) and bool(before)
    sso.save()
    after = _visible(sso)
    changes = {
        k: {"before": before.get(k), "after": after[k]} for k in after if before.get(k) != after[k]
    }
    if secret_changed:
        changes["client_secret"] = {"before": "set", "after": "replaced"}
    audit.record(
        request,
        audit.Action.CHANGE if before else audit.Action.CREATE,
        sso,
        organisation_id=organisation.pk,
        detail={"via": "organisation pages", "changes": changes},
    )
    return sso


@transaction.atomic
def turn_off(request: HttpRequest, organisation: Organisation) -> None:
    """Remove an organisation's single sign-on. People linked to it keep their accounts and the
    link, and sign in with a password again (an administrator can send them a new one)."""
    sso = SingleSignOn.objects.select_for_update().filter(organisation=organisation).first()
    if sso is None:
        return
    before = _visible(sso)
    audit.record(
        request,
        audit.Action.DELETE,
        sso,
        organisation_id=organisation.pk,
        detail={
            "via": "organisation pages",
            "changes": {k: {"before": v, "after": None} for k, v in before.items()},
        },
    )
    sso.delete()
