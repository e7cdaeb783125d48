"""'Register your business': the public question pages a business uses to ask to join a
council's WorkPlace, the one-time link to choose a password, and the WorkPlace team's page to
approve or decline a registration.

The answers are kept in the visitor's session until they confirm on 'Check your answers'; nothing
is created before then. The form is protected by CSRF (as every form), a trap field people never
see, and a limit on submissions per connection an hour.
"""

from __future__ import annotations

import logging
import smtplib
from typing import Any

from django.contrib import messages
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.encoding import force_str
from django.utils.http import urlsafe_base64_decode
from django.views.decorators.http import require_http_methods

from alliance.access.policy import Action, Area, get_visible_or_404, guard, public
from alliance.accounts.models import Role, User
from alliance.audit import services as audit
from alliance.organisations.models import Organisation
from alliance.workplace import registration, registration_forms
from alliance.workplace.matching import INTEREST_LABELS
from alliance.workplace.models import Adviser, EmployerProfile, Opportunity
from alliance.workplace.views.shared import acting_user

logger = logging.getLogger(__name__)
SESSION_KEY = "workplace_registration"
TOKEN_KEY = "workplace_password_token"  # noqa: S105 - a session key, not a secret
SET = "set"  # stands in for the token in the address once it is in the session

STEPS: dict[str, tuple[type[registration_forms.RegistrationStep], str]] = {
    "business": (registration_forms.BusinessForm, "About your business"),
    "address": (registration_forms.AddressForm, "Where is your business?"),
    "contact": (registration_forms.ContactForm, "Who should we contact?"),
    "offers": (registration_forms.OffersForm, "What can you offer care leavers?"),
    "pledge": (registration_forms.RegistrationPledgeForm, "Your pledge to care leavers"),
}
ORDER = list(STEPS)


def _answers(request: HttpRequest) -> dict[str, Any]:
    state = request.session.get(SESSION_KEY) or {}
    return dict(state.get("answers") or {})


def _save(request: HttpRequest, answers: dict[str, Any], trapped: bool) -> None:
    state = request.session.get(SESSION_KEY) or {}
    request.session[SESSION_KEY] = {
        "answers": answers,
        "trap": bool(state.get("trap")) or trapped,
    }


def _first_missing(answers: dict[str, Any]) -> str | None:
    return next((step for step in ORDER if step not in answers), None)


@public
def register(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workplace/register/start.html",
        {"title": "Register your business with WorkPlace"},
    )


def _form(
    step: str, request: HttpRequest, answers: dict[str, Any]
) -> registration_forms.RegistrationStep:
    form_class, _title = STEPS[step]
    kwargs: dict[str, Any] = {"initial": answers.get(step, {})}
    if step == "address":
        kwargs["business_name"] = answers.get("business", {}).get("business_name", "")
    return form_class(request.POST if request.method == "POST" else None, **kwargs)


@public
@require_http_methods(["GET", "POST"])
def register_step(request: HttpRequest, step: str) -> HttpResponse:
    if step not in STEPS:
        raise Http404("No such question")
    answers = _answers(request)
    missing = _first_missing(answers)
    if missing is not None and ORDER.index(missing) < ORDER.index(step):
        return redirect("workplace:register-step", missing)
    form = _form(step, request, answers)
    changing = request.GET.get("change") == "1"
    if request.method == "POST" and step == "contact":
        ip = audit.client_ip(request)
        if registration.too_many_contact_answers(ip):
            return _too_many(request)
        registration.note_attempt(ip, registration.CONTACT_STEP)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "website"}
        answers[step] = data
        _save(request, answers, form.trapped)
        following = _first_missing(answers)
        if changing or following is None:
            return redirect("workplace:register-check")
        return redirect("workplace:register-step", following)
    index = ORDER.index(step)
    back = (
        reverse("workplace:register-check")
        if changing
        else reverse("workplace:register-step", args=[ORDER[index - 1]])
        if index
        else reverse("workplace:register")
    )
    return render(
        request,
        "workplace/register/question.html",
        {
            "title": STEPS[step][1],
            "form": form,
            "back": back,
            "step_number": index + 1,
            "steps": len(ORDER),
        },
    )


def _summary(answers: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(question, answer, step to change it) for 'Check your answers'."""
    business, address = answers["business"], answers["address"]
    contact, offers, pledge = answers["contact"], answers["offers"], answers["pledge"]
    council = Organisation.objects.filter(pk=address["council"]).first()
    kinds = dict(Opportunity.Kind.choices)
    return [
        ("Business name", business["business_name"], "business"),
        ("Kind of work", INTEREST_LABELS.get(business["sector"], ""), "business"),
        ("Address", f"{address['address']}\n{address['postcode']}", "address"),
        ("Council’s WorkPlace", council.name if council else "", "address"),
        ("Contact", contact["contact_name"], "contact"),
        ("Email address", contact["email"], "contact"),
        ("Opportunities you can offer", ", ".join(kinds[k] for k in offers["offers"]), "offers"),
        ("Pledge", pledge["pledge"], "pledge"),
    ]


@public
@require_http_methods(["GET", "POST"])
def register_check(request: HttpRequest) -> HttpResponse:
    answers = _answers(request)
    missing = _first_missing(answers)
    if missing is not None:
        return redirect("workplace:register-step", missing)
    form = registration_forms.SubmitRegistrationForm(request.POST or None)
    problem = ""
    if request.method == "POST":
        ip = audit.client_ip(request)
        state = request.session.get(SESSION_KEY) or {}
        if registration.too_many_attempts(ip):
            registration.note_attempt(ip, "limited")
            return _too_many(request)
        if form.trapped or state.get("trap"):
            # Looks done to a robot; nothing is created and no one is emailed.
            registration.note_attempt(ip, "trap")
            request.session.pop(SESSION_KEY, None)
            return redirect("workplace:register-done")
        try:
            profile, user = registration.register(_registration(answers))
        except (registration.EmailInUse, IntegrityError):
            # An IntegrityError is the address registered meanwhile: the same answer.
            return _already_registered(request, answers, ip)
        except registration.DuplicateRegistration as error:
            registration.note_attempt(ip, "duplicate")
            problem = str(error.message)
        else:
            registration.note_attempt(ip, "registered")
            emailed = True
            try:
                registration.send_welcome(
                    profile, user, request.build_absolute_uri(registration.password_path(user))
                )
            except (OSError, smtplib.SMTPException):
                # Registered all the same: an adviser can send the link again from its page.
                logger.exception("Could not email the password link for %s", profile.pk)
                emailed = False
            try:
                registration.notify_team(
                    profile,
                    request.build_absolute_uri(
                        reverse("workplace:employer-review", args=[profile.pk])
                    ),
                )
            except (OSError, smtplib.SMTPException):
                logger.exception("Could not tell the WorkPlace team about %s", profile.pk)
            request.session.pop(SESSION_KEY, None)
            request.session["workplace_registered"] = {
                "business": profile.organisation.name,
                "email": user.email,
                "council": profile.council.name,
                "emailed": emailed,
            }
            return redirect("workplace:register-done")
    return render(
        request,
        "workplace/register/check.html",
        {
            "title": "Check your answers before registering",
            "rows": _summary(answers),
            "form": form,
            "problem": problem,
        },
    )


def _too_many(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workplace/register/too_many.html",
        {"title": "Too many registrations"},
        status=429,
    )


def _already_registered(
    request: HttpRequest, answers: dict[str, Any], ip: str | None
) -> HttpResponse:
    """The address already signs in. The visitor sees exactly what a new registration shows (the
    page must not tell anyone who has an account); the address's owner is told by email."""
    email = answers["contact"]["email"]
    registration.note_attempt(ip, "duplicate")
    emailed = True
    try:
        registration.send_already_registered(email)
    except (OSError, smtplib.SMTPException):
        logger.exception("Could not email an existing account about a registration")
        emailed = False
    council = Organisation.objects.filter(pk=answers["address"]["council"]).first()
    request.session.pop(SESSION_KEY, None)
    request.session["workplace_registered"] = {
        "business": registration.tidy(answers["business"]["business_name"]),
        "email": email,
        "council": council.name if council else "",
        "emailed": emailed,
    }
    return redirect("workplace:register-done")


def _registration(answers: dict[str, Any]) -> registration.Registration:
    business, address = answers["business"], answers["address"]
    return registration.Registration(
        business_name=business["business_name"],
        sector=business["sector"],
        address=address["address"],
        postcode=address["postcode"],
        council_id=int(address["council"]),
        contact_name=answers["contact"]["contact_name"],
        email=answers["contact"]["email"],
        offers=list(answers["offers"]["offers"]),
        pledge=answers["pledge"]["pledge"],
    )


@public
def register_done(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workplace/register/done.html",
        {
            "title": "Registration received",
            "registered": request.session.get("workplace_registered"),
            "days": registration.link_days(),
        },
    )


def _user_from(uidb64: str) -> User | None:
    try:
        pk = int(force_str(urlsafe_base64_decode(uidb64)))
    except (TypeError, ValueError, OverflowError):
        return None
    return User.objects.filter(pk=pk, is_active=True).first()


@public
@require_http_methods(["GET", "POST"])
def register_password(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """Choose a password from the one-time link. As Django's own reset view does, the token is
    moved into the session and out of the address at once, so it cannot leak from the page."""
    user = _user_from(uidb64)
    if token != SET:
        if user is not None and default_token_generator.check_token(user, token):
            request.session[TOKEN_KEY] = token
            return redirect("workplace:register-password", uidb64, SET)
        return _invalid_link(request)
    session_token = request.session.get(TOKEN_KEY, "")
    if user is None or not default_token_generator.check_token(user, session_token):
        return _invalid_link(request)
    form = registration_forms.ChoosePasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        registration.choose_password(form.save(commit=False))
        request.session.pop(TOKEN_KEY, None)
        messages.success(request, "Your password is set. Sign in with your email address")
        return redirect("accounts:sign-in")
    return render(
        request,
        "workplace/register/password.html",
        {"title": "Choose your password", "form": form, "email": user.email},
    )


def _invalid_link(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "workplace/register/invalid_link.html",
        {"title": "This link has expired or has been used"},
        status=404,
    )


# ---------------------------------------------------------------------------------------------
# The council's WorkPlace team


@guard(Area.WORKPLACE)
def employer_review(request: HttpRequest, pk: int) -> HttpResponse:
    """A registration (or any employer of the council): details, and for a pending one the
    decision. Only the council's advisers may decide."""
    profile = get_visible_or_404(
        request,
        EmployerProfile.objects.select_related("organisation", "council", "decided_by"),
        Area.WORKPLACE,
        Action.VIEW,
        via="council",
        pk=pk,
    )
    is_adviser = Adviser.objects.filter(user=request.user.pk, organisation=profile.council).exists()
    if request.method == "POST" and request.POST.get("action") == "resend":
        return _resend_link(request, profile, is_adviser)
    form = registration_forms.DecisionForm(request.POST or None)
    if request.method == "POST":
        if not is_adviser or profile.status != EmployerProfile.Status.PENDING:
            audit.record_denied(
                request,
                area=Area.WORKPLACE,
                action=Action.CHANGE,
                model=EmployerProfile,
                lookup={"pk": pk},
            )
            raise PermissionDenied
        if form.is_valid():
            approve = form.cleaned_data["decision"] == "approve"
            contact = _contact(profile)
            link = (
                request.build_absolute_uri(registration.password_path(contact))
                if approve and contact is not None and not contact.has_usable_password()
                else ""
            )
            try:
                profile = registration.decide(
                    profile,
                    approve=approve,
                    reason=form.cleaned_data["reason"],
                    user=acting_user(request),
                    password_link=link,
                )
            except registration.DecisionError as error:
                form.add_error(None, error)
            else:
                word = "approved" if approve else "declined"
                messages.success(
                    request, f"{profile.organisation.name} is {word}: they have been emailed"
                )
                return redirect("workplace:employers")
    else:
        audit.record(request, audit.Action.VIEW, profile, organisation_id=profile.council_id)
    kinds = dict(Opportunity.Kind.choices)
    contact = _contact(profile)
    return render(
        request,
        "workplace/employer_review.html",
        {
            "title": profile.organisation.name,
            "profile": profile,
            "form": form,
            "can_decide": is_adviser and profile.status == EmployerProfile.Status.PENDING,
            "can_resend": is_adviser and contact is not None,
            "offers": [kinds.get(k, k) for k in profile.offers],
            "sector": INTEREST_LABELS.get(profile.sector, profile.sector),
        },
    )


def _contact(profile: EmployerProfile) -> User | None:
    """The business's contact, when they can sign in (an active employer member)."""
    return User.objects.filter(
        email__iexact=profile.contact_email,
        is_active=True,
        memberships__organisation=profile.organisation,
        memberships__role=Role.EMPLOYER,
    ).first()


def _resend_link(request: HttpRequest, profile: EmployerProfile, is_adviser: bool) -> HttpResponse:
    """Send the contact a new one-time link to choose a password (a lost first email, or a
    forgotten password): it goes only to the address the business registered."""
    contact = _contact(profile)
    if not is_adviser or contact is None:
        audit.record_denied(
            request,
            area=Area.WORKPLACE,
            action=Action.CHANGE,
            model=EmployerProfile,
            lookup={"pk": profile.pk},
        )
        raise PermissionDenied
    registration.resend_password_link(
        profile,
        contact,
        request.build_absolute_uri(registration.password_path(contact)),
        user=acting_user(request),
    )
    messages.success(request, f"A new link to choose a password is sent to {contact.email}")
    return redirect("workplace:employer-review", profile.pk)
