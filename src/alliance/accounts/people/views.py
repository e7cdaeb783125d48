"""Administrators' pages for people: the list, a person's page, inviting, roles, deactivating and
resetting two-step verification. Service administrators reach everyone; organisation
administrators the people of their own organisation."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.access.policy import Action, Area, guard, scope
from alliance.accounts.models import Membership, User
from alliance.accounts.people import links, rules, services
from alliance.accounts.people.forms import InviteForm, RoleForm
from alliance.accounts.people.rules import Refused
from alliance.audit import services as audit


def _people(actor: Any, action: Action = Action.VIEW) -> QuerySet[User]:
    s = scope(actor, Area.PEOPLE, action)
    # API tokens' own accounts are managed with their tokens (/api-tokens/), not as people
    people = User.objects.filter(api_token__isnull=True).order_by("full_name", "username")
    if s.everything:
        return people
    return people.filter(memberships__organisation_id__in=s.organisation_ids).distinct()


def _person(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> User:
    person = _people(request.user, action).filter(pk=pk).first()
    if person is None:
        if User.objects.filter(pk=pk).exists():
            audit.record_denied(
                request, area=Area.PEOPLE, action=action, model=User, lookup={"pk": pk}
            )
        raise Http404("No such person")
    return person


@guard(Area.PEOPLE)
def people(request: HttpRequest) -> HttpResponse:
    found = list(_people(request.user).prefetch_related("memberships__organisation"))
    audit.record(
        request,
        audit.Action.QUERY,
        object_type="accounts.User",
        object_repr=f"people list ({len(found)} people)",
    )
    return render(
        request,
        "people/list.html",
        {
            "title": "People",
            "people": found,
            "can_change": bool(rules.organisations_managed_by(request.user)),
        },
    )


@guard(Area.PEOPLE)
def person(request: HttpRequest, pk: int) -> HttpResponse:
    who = _person(request, pk)
    audit.record(request, audit.Action.VIEW, who)
    managed = {o.pk for o in rules.organisations_managed_by(request.user)}
    memberships = list(who.memberships.select_related("organisation"))
    return render(
        request,
        "people/person.html",
        {
            "title": who.display_name,
            "person": who,
            "memberships": memberships,
            "removable": {m.pk for m in memberships if m.organisation_id in managed},
            "may_manage": rules.may_manage(request.user, who),
            "has_second_factor": TOTPDevice.objects.filter(user=who, confirmed=True).exists(),
            "invited": not who.has_usable_password() and who.last_login is None,
            "role_form": RoleForm(request.user) if managed else None,
        },
    )


@guard(Area.PEOPLE, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        organisation = form.chosen_organisation()
        try:
            new = services.invite(
                request,
                email=form.cleaned_data["email"],
                full_name=form.cleaned_data["full_name"],
                organisation=organisation,
                role=form.cleaned_data["role"],
            )
        except Refused as refusal:
            field = "email" if "already has an account" in str(refusal) else "role"
            form.add_error(field, str(refusal))
        else:
            links.send_invitation(request, new, organisation.name)
            messages.success(request, f"Invitation sent to {new.email}")
            return redirect("accounts:person", new.pk)
    return render(
        request,
        "people/invite.html",
        {"title": "Invite a person", "form": form, "days": links.link_days()},
    )


def _back(request: HttpRequest, pk: int, done: str | Refused) -> HttpResponse:
    if isinstance(done, Refused):
        messages.error(request, str(done))
    else:
        messages.success(request, done)
    return redirect("accounts:person", pk)


@guard(Area.PEOPLE, Action.CHANGE)
@require_POST
def give_role(request: HttpRequest, pk: int) -> HttpResponse:
    who = _person(request, pk, Action.CHANGE)
    form = RoleForm(request.user, request.POST)
    if not form.is_valid():
        return _back(request, pk, Refused("Choose an organisation and a role"))
    try:
        membership = services.give_role(
            request, who, form.chosen_organisation(), form.cleaned_data["role"]
        )
    except Refused as refusal:
        return _back(request, pk, refusal)
    label = f"{membership.get_role_display()}, {membership.organisation.name}"
    return _back(request, pk, f"{who.display_name} is now {label}")


@guard(Area.PEOPLE, Action.CHANGE)
@require_POST
def take_role(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    who = _person(request, pk, Action.CHANGE)
    membership = (
        Membership.objects.select_related("organisation").filter(pk=membership_pk, user=who).first()
    )
    if membership is None:
        raise Http404("No such role")
    label = f"{membership.get_role_display()}, {membership.organisation.name}"
    try:
        services.take_role(request, membership)
    except Refused as refusal:
        return _back(request, pk, refusal)
    return _back(request, pk, f"{who.display_name} is no longer {label}")


def _account_change(
    change: Callable[[HttpRequest, User], object], done: str
) -> Callable[[HttpRequest, int], HttpResponse]:
    """A POST-only page that makes one change to a person's account (`change` refuses what the
    rules do not allow) and goes back to their page saying `done` ({name}: the person)."""

    @guard(Area.PEOPLE, Action.CHANGE)
    @require_POST
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        who = _person(request, pk, Action.CHANGE)
        try:
            change(request, who)
        except Refused as refusal:
            return _back(request, pk, refusal)
        return _back(request, pk, done.format(name=who.display_name))

    return view


deactivate = _account_change(services.deactivate, "{name} is deactivated and has been signed out")
reactivate = _account_change(services.reactivate, "{name} can sign in again")
reset_two_step = _account_change(
    services.reset_two_step,
    "Two-step verification is reset. {name} can set it up again after signing in",
)
unlink_organisation_account = _account_change(
    services.unlink_organisation_account,
    "The link is removed. {name}'s next sign-in with their organisation's account links again",
)
