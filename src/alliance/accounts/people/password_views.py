"""Choosing a password from a one-time link (an invitation, or a reset of a forgotten password),
and asking for a reset. As Django's own reset view does, the token moves from the address into the
session at once, so it cannot leak from the page (its address, the referrer)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from alliance.access.policy import public
from alliance.accounts.people import links
from alliance.accounts.people.forms import ChoosePasswordForm, ForgottenPasswordForm
from alliance.audit import services as audit

# The path segment that stands for "the token is in the session now".
SET = "set-password"


def _choose_password(
    request: HttpRequest,
    uidb64: str,
    token: str,
    *,
    tokens: PasswordResetTokenGenerator,
    url_name: str,
    title: str,
    done: str,
) -> HttpResponse:
    person = links.person_from(uidb64)
    session_key = f"alliance_{url_name}_token"
    if token != SET:
        if person is not None and tokens.check_token(person, token):
            request.session[session_key] = token
            return redirect(url_name, uidb64, SET)
        return _invalid_link(request)
    if person is None or not tokens.check_token(person, request.session.get(session_key, "")):
        return _invalid_link(request)
    form = ChoosePasswordForm(person, request.POST or None)
    if request.method == "POST" and form.is_valid():
        form.save()  # the new password ends every other session of the person (Django's check)
        request.session.pop(session_key, None)
        audit.record(
            request,
            audit.Action.CHANGE,
            person,
            user=person,
            detail={
                "changes": {"password": {"before": "(old)", "after": "(changed)"}},
                "via": done,
            },
        )
        messages.success(request, "Your password is set. Sign in with your email address")
        return redirect("accounts:sign-in")
    return render(
        request,
        "people/choose_password.html",
        {"title": title, "form": form, "email": person.email},
    )


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "people/invalid_link.html",
        {"title": "This link has expired or has been used"},
        status=404,
    )


def _link_page(
    tokens: PasswordResetTokenGenerator, url_name: str, title: str, done: str
) -> Callable[[HttpRequest, str, str], HttpResponse]:
    @public
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
        return _choose_password(
            request, uidb64, token, tokens=tokens, url_name=url_name, title=title, done=done
        )

    return view


invitation = _link_page(
    links.INVITATION, "accounts:invitation", "Choose your password", "invitation accepted"
)
password_reset = _link_page(
    links.RESET, "accounts:password-reset", "Choose a new password", "forgotten password reset"
)


@public
@require_http_methods(["GET", "POST"])
def forgotten_password(request: HttpRequest) -> HttpResponse:
    """The same answer whether or not the address has an account; too many requests from one
    connection or for one address are refused (the refusal does not depend on the account)."""
    form = ForgottenPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        email = form.cleaned_data["email"]
        if not links.allowed_to_ask(request, email):
            form.add_error(
                "email",
                "You have asked for too many reset emails. Wait an hour, then try again",
            )
        else:
            sent = links.send_reset(request, email)
            audit.record(
                request,
                audit.Action.QUERY,
                object_type="accounts.User",
                object_repr=email[:300],
                detail={"what": "forgotten password link asked for", "sent": sent},
            )
            request.session["alliance_reset_asked_for"] = email
            return redirect("accounts:forgotten-password-sent")
    return render(
        request,
        "people/forgotten_password.html",
        {"title": "Reset your password", "form": form},
    )


@public
def forgotten_password_sent(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "people/forgotten_password_sent.html",
        {
            "title": "Check your email",
            "email": request.session.get("alliance_reset_asked_for", ""),
            "days": links.link_days(),
        },
    )
