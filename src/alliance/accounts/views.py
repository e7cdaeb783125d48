"""Sign in (with an optional second factor), sign out, and a person's own account."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.contrib import messages
from django.contrib.auth import get_user_model, login, logout, update_session_auth_hash
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.access.policy import public, signed_in
from alliance.accounts import services, where_signed_in
from alliance.accounts.forms import ChangePasswordForm, SignInForm, TokenForm
from alliance.audit import services as audit
from alliance.organisations.single_sign_on import domain_owner

PENDING_KEY = "alliance_pending_second_factor"


def _next_url(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@public
@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    form = SignInForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.user
        device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
        if device is not None:
            services.set_aside_attempt(form.attempt)
            request.session.cycle_key()
            request.session[PENDING_KEY] = {"user": user.pk, "next": _next_url(request)}
            return redirect("accounts:second-factor")
        login(request, user)
        services.finish_attempt(request, form.attempt, succeeded=True, user=user)
        return redirect(_next_url(request))
    typed = str(form.data.get("username", "")).strip()
    return render(
        request,
        "accounts/sign_in.html",
        {
            "form": form,
            "title": "Sign in",
            "next": _next_url(request),
            # Says only that the address's domain signs in through its organisation, which the
            # "Sign in with your organisation's account" page says to anyone too.
            "organisation_signs_in": "@" in typed
            and domain_owner(typed.rpartition("@")[2]) is not None,
        },
        status=200,
    )


@public
@require_http_methods(["GET", "POST"])
def second_factor(request: HttpRequest) -> HttpResponse:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return redirect("accounts:sign-in")
    user = get_user_model().objects.filter(pk=pending["user"], is_active=True).first()
    if user is None:
        request.session.pop(PENDING_KEY, None)
        return redirect("accounts:sign-in")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        attempt, locked = services.begin_attempt(request, user.get_username())
        if locked:
            services.finish_attempt(request, attempt, succeeded=False, locked=True)
            form.add_error("token", services.locked_message())
        else:
            device = next(
                (
                    d
                    for d in TOTPDevice.objects.filter(user=user, confirmed=True)
                    if d.verify_token(form.cleaned_data["token"])
                ),
                None,
            )
            if device is not None:
                request.session.pop(PENDING_KEY, None)
                user.backend = "django.contrib.auth.backends.ModelBackend"
                login(request, user)
                otp_login(request, device)
                services.finish_attempt(request, attempt, succeeded=True, user=user)
                return redirect(pending.get("next") or "/")
            services.finish_attempt(request, attempt, succeeded=False)
            form.add_error(
                "token",
                "The security code is not right. Check your authenticator app and try again",
            )
    return render(
        request, "accounts/second_factor.html", {"form": form, "title": "Enter your security code"}
    )


@public
@require_http_methods(["GET", "POST"])
def sign_out(request: HttpRequest) -> HttpResponse:
    """GET asks to confirm (so a link elsewhere cannot sign a person out); POST signs out."""
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect("accounts:sign-in")
        return render(request, "accounts/sign_out.html", {"title": "Sign out"})
    if request.user.is_authenticated:
        audit.record(
            request,
            audit.Action.SIGN_OUT,
            object_type="accounts.User",
            object_repr=request.user.get_username(),
        )
    logout(request)
    return redirect("accounts:signed-out")


@public
def signed_out(request: HttpRequest) -> HttpResponse:
    return render(request, "accounts/signed_out.html", {"title": "You have signed out"})


@signed_in
def account(request: HttpRequest) -> HttpResponse:
    devices = TOTPDevice.objects.filter(user=request.user, confirmed=True)
    return render(
        request,
        "accounts/account.html",
        {
            "title": "Your account",
            "has_second_factor": devices.exists(),
            "session_count": len(where_signed_in.open_sessions(request.user)),  # type: ignore[arg-type]
            "memberships": request.user.memberships.select_related("organisation"),  # type: ignore[union-attr]
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def set_up_second_factor(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: show its QR code and key, confirm with a first code."""
    device, _ = TOTPDevice.objects.get_or_create(
        user=request.user, confirmed=False, defaults={"name": "Authenticator app"}
    )
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            replaced = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            # Every other device goes: one not confirmed, and the old one when replacing it.
            TOTPDevice.objects.filter(user=request.user).exclude(pk=device.pk).delete()
            # The person has just shown they hold the device: this session counts as verified.
            otp_login(request, device)
            audit.record(
                request,
                audit.Action.CHANGE,
                object_type="accounts.User",
                object_id=str(request.user.pk),
                object_repr="two-step device replaced"
                if replaced
                else "two-step verification turned on",
            )
            messages.success(
                request,
                "Two-step verification is on. You will be asked for a code each time you sign in.",
            )
            target = _next_url(request)
            return redirect(target if target != "/" else "accounts:account")
        form.add_error(
            "token", "The security code is not right. Check your authenticator app and try again"
        )
    qr = segno.make(device.config_url, error="m")
    svg = base64.b64encode(qr.svg_inline(scale=5).encode()).decode()
    secret = base64.b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "title": "Set up two-step verification",
            "form": form,
            "next": _next_url(request),
            "qr_data_uri": f"data:image/svg+xml;base64,{svg}",
            "secret": secret,
        },
    )


@signed_in
@require_http_methods(["GET", "POST"])
def change_password(request: HttpRequest) -> HttpResponse:
    """Change your own password. Every other session of the person ends (Django checks each
    session against the password it was signed in with); this one carries on."""
    form = ChangePasswordForm(request, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        update_session_auth_hash(request, user)
        audit.record(
            request,
            audit.Action.CHANGE,
            object_type="accounts.User",
            object_id=str(user.pk),
            object_repr="password changed by its owner",
            detail={"other_sessions": "ended"},
        )
        messages.success(
            request,
            "Your password has been changed. You have been signed out on any other device",
        )
        return redirect("accounts:account")
    return render(
        request, "accounts/change_password.html", {"title": "Change your password", "form": form}
    )


@signed_in
@require_http_methods(["GET", "POST"])
def sessions(request: HttpRequest) -> HttpResponse:
    """Where you are signed in; POST signs you out of every one of them, this one too."""
    user: Any = request.user
    if request.method == "POST":
        audit.record(
            request,
            audit.Action.SIGN_OUT,
            user,
            detail={"reason": "signed out everywhere by its owner"},
        )
        where_signed_in.end_sessions(user)
        logout(request)
        return redirect("accounts:signed-out")
    return render(
        request,
        "accounts/sessions.html",
        {
            "title": "Where you are signed in",
            "sessions": where_signed_in.open_sessions(user),
            "this_session": request.session.session_key,
        },
    )


@signed_in
def two_step_needed(request: HttpRequest) -> HttpResponse:
    """A page that needs two-step verification was asked for by a sign-in with a password only:
    set it up now, or (for a person who has it) sign in again with the code."""
    has_device = TOTPDevice.objects.filter(user=request.user, confirmed=True).exists()
    return render(
        request,
        "accounts/two_step_needed.html",
        {
            "title": "You need two-step verification for this page",
            "has_device": has_device,
            "next": _next_url(request),
        },
    )
