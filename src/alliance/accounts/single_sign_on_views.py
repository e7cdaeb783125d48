"""Sign in with your organisation's account: ask for the email address, send the person to their
organisation's sign-in service, and sign them in when it sends them back."""

from __future__ import annotations

from typing import Any

from authlib.integrations.base_client.errors import OAuthError
from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.csp import CSP
from django.views.decorators.http import require_GET, require_http_methods
from requests import RequestException

from alliance.access.policy import SIGNED_IN_THROUGH, public
from alliance.accounts import single_sign_on as sso_sign_in
from alliance.accounts.forms import OrganisationSignInForm
from alliance.accounts.single_sign_on import PENDING, Refused
from alliance.accounts.views import _next_url
from alliance.audit import services as audit
from alliance.organisations.models import SingleSignOn
from alliance.organisations.single_sign_on import domain_owner, provider_origins

TITLE = "Sign in with your organisation's account"


@public
@require_http_methods(["GET", "POST"])
def organisation_sign_in(request: HttpRequest) -> HttpResponse:
    form = OrganisationSignInForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"].strip().lower()
        sso = domain_owner(email.rpartition("@")[2])
        if sso is None:
            form.add_error(
                "email",
                "Your organisation does not sign in to this service with its own account. "
                "Sign in with your email address and password",
            )
        else:
            request.session[PENDING] = {
                "organisation": sso.organisation_id,
                "next": _next_url(request),
            }
            redirect_uri = request.build_absolute_uri(
                reverse("accounts:organisation-sign-in-return")
            )
            try:
                return sso_sign_in.client(sso).authorize_redirect(
                    request, redirect_uri, login_hint=email
                )
            except (RequestException, ValueError, OAuthError) as error:
                _refused(request, sso, email, f"provider could not be reached: {error}")
                form.add_error(
                    "email",
                    "Your organisation's sign-in service cannot be reached. Try again later, or "
                    "sign in with your email address and password",
                )
    response = render(
        request,
        "accounts/organisation_sign_in.html",
        {"form": form, "title": TITLE, "next": _next_url(request)},
    )
    # The form's answer redirects to the organisation's sign-in service; browsers hold a form's
    # redirects to the page's form-action, so the providers set up here are added to it.
    response._csp_config = {  # type: ignore[attr-defined]
        **settings.SECURE_CSP,
        "form-action": [CSP.SELF, *provider_origins()],
    }
    return response


def _refused(request: HttpRequest, sso: SingleSignOn | None, who: str, reason: str) -> None:
    audit.record(
        request,
        audit.Action.SIGN_IN_FAILED,
        object_type="accounts.User",
        object_repr=who[:300],
        organisation_id=sso.organisation_id if sso is not None else None,
        detail={"method": "single sign-on", "reason": reason},
    )


def _refusal_page(request: HttpRequest, refusal: Refused) -> HttpResponse:
    return render(
        request,
        "accounts/organisation_sign_in_refused.html",
        {"title": "You could not be signed in", "message": refusal.message},
        status=403,
    )


@public
@require_GET
def organisation_sign_in_return(request: HttpRequest) -> HttpResponse:
    """Where the organisation's sign-in service sends the person back."""
    pending: dict[str, Any] = request.session.pop(PENDING, None) or {}
    sso = (
        SingleSignOn.objects.filter(organisation_id=pending.get("organisation") or 0, enabled=True)
        .select_related("organisation")
        .first()
    )
    try:
        if sso is None:
            raise Refused(sso_sign_in.NOT_COMPLETED, "no sign-in was started in this browser")
        who = sso_sign_in.fetch_identity(request, sso)
    except Refused as refusal:
        _refused(request, sso, "", refusal.reason)
        return _refusal_page(request, refusal)
    try:
        user = sso_sign_in.account_for(request, sso, who)
    except Refused as refusal:
        _refused(request, sso, who.email or f"{who.issuer} {who.subject}", refusal.reason)
        return _refusal_page(request, refusal)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    request.session[SIGNED_IN_THROUGH] = sso.organisation_id
    audit.record(
        request,
        audit.Action.SIGN_IN,
        user=user,
        object_type="accounts.User",
        object_repr=user.get_username(),
        organisation_id=sso.organisation_id,
        detail={"method": "single sign-on", "issuer": who.issuer},
    )
    return redirect(pending.get("next") or "/")
