"""Administrators' pages for organisations: the list, one organisation and its people, adding an
alliance, the DfE or an employer, and the councils that belong to an alliance. Service
administrators change them; organisation administrators see their own organisation."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from alliance.access.policy import Action, Area, guard, scope
from alliance.audit import services as audit
from alliance.organisations import managing
from alliance.organisations import single_sign_on as sso_settings
from alliance.organisations.forms import (
    EndForm,
    MembershipForm,
    OrganisationForm,
    SingleSignOnForm,
)
from alliance.organisations.models import (
    AllianceMember,
    AllianceMembership,
    Organisation,
    SingleSignOn,
)


def _errors(form: forms.Form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


def _may_change_all(request: HttpRequest) -> bool:
    return scope(request.user, Area.PEOPLE, Action.CHANGE).everything


def _organisation(request: HttpRequest, pk: int) -> Organisation:
    s = scope(request.user, Area.PEOPLE)
    organisation = Organisation.objects.filter(pk=pk).first()
    if organisation is None or not s.includes(organisation.pk):
        if organisation is not None:
            audit.record_denied(
                request, area=Area.PEOPLE, action=Action.VIEW, model=Organisation, lookup={"pk": pk}
            )
        raise Http404("No such organisation")
    return organisation


@guard(Area.PEOPLE)
def organisations(request: HttpRequest) -> HttpResponse:
    s = scope(request.user, Area.PEOPLE)
    kind = request.GET.get("kind", "")
    found = Organisation.objects.order_by("name")
    if not s.everything:
        found = found.filter(pk__in=s.organisation_ids)
    if kind in Organisation.Kind.values:
        found = found.filter(kind=kind)
    return render(
        request,
        "organisations/list.html",
        {
            "title": "Organisations",
            "organisations": list(found),
            "kinds": Organisation.Kind.choices,
            "kind": kind,
            "can_add": _may_change_all(request),
        },
    )


@guard(Area.PEOPLE)
def organisation(request: HttpRequest, pk: int) -> HttpResponse:
    found = _organisation(request, pk)
    people = list(found.memberships.select_related("user").order_by("user__full_name", "role"))
    audit.record(
        request,
        audit.Action.QUERY,
        found,
        object_repr=f"people of {found.name} ({len(people)})",
    )
    is_alliance = found.kind == Organisation.Kind.ALLIANCE
    history = (
        list(AllianceMembership.objects.filter(alliance=found).select_related("council"))
        if is_alliance
        else []
    )
    dated = {p.council_id for p in history if p.ends_on is None}
    # Member councils recorded before memberships had dates.
    undated = [
        m
        for m in AllianceMember.objects.filter(alliance=found).select_related("council")
        if m.council_id not in dated
    ]
    may_change = _may_change_all(request)
    return render(
        request,
        "organisations/organisation.html",
        {
            "title": found.name,
            "organisation": found,
            "people": people,
            "history": history,
            "undated": undated,
            "today": timezone.localdate(),
            "may_change": may_change,
            "single_sign_on": SingleSignOn.objects.filter(organisation=found).first(),
            "may_invite": scope(request.user, Area.PEOPLE, Action.CHANGE).includes(found.pk),
            "member_form": MembershipForm(found) if may_change and is_alliance else None,
            "alliances": [
                m.alliance
                for m in AllianceMember.objects.filter(council__organisation=found).select_related(
                    "alliance"
                )
            ],
        },
    )


@guard(Area.PEOPLE, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def add(request: HttpRequest) -> HttpResponse:
    if not _may_change_all(request):
        audit.record_denied(request, area=Area.PEOPLE, action=Action.CHANGE, model=Organisation)
        raise Http404("Only service administrators add organisations")
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = managing.add_organisation(
                request, kind=form.cleaned_data["kind"], name=form.cleaned_data["name"]
            )
        except managing.Refused as refusal:
            form.add_error("name", str(refusal))
        else:
            messages.success(request, f"{added.name} added")
            return redirect("organisations:organisation", added.pk)
    return render(request, "organisations/add.html", {"title": "Add an organisation", "form": form})


def _change_councils(
    request: HttpRequest, alliance: Organisation, form: forms.Form, change: Callable[[], str]
) -> HttpResponse:
    """Make one change to an alliance's councils (service administrators only) and go back to
    the alliance's page saying what happened: `change` returns what to say, or raises Refused."""
    if not _may_change_all(request):
        messages.error(request, "Only service administrators change an alliance's councils")
    elif not form.is_valid():
        messages.error(request, _errors(form))
    else:
        try:
            messages.success(request, change())
        except managing.Refused as refusal:
            messages.error(request, str(refusal))
    return redirect("organisations:organisation", alliance.pk)


@guard(Area.PEOPLE, Action.CHANGE)
@require_POST
def add_member(request: HttpRequest, pk: int) -> HttpResponse:
    alliance = _organisation(request, pk)
    form = MembershipForm(alliance, request.POST)

    def start() -> str:
        period = managing.start_membership(
            request,
            alliance,
            form.chosen_council(),
            form.cleaned_data["kind"],
            form.cleaned_data["starts_on"],
        )
        return (
            f"{period.council.name} is with {alliance.name} as "
            f"{period.get_kind_display().lower()} from {period.starts_on:%-d %B %Y}"
        )

    return _change_councils(request, alliance, form, start)


@guard(Area.PEOPLE, Action.CHANGE)
@require_POST
def end_membership(request: HttpRequest, pk: int, membership_pk: int) -> HttpResponse:
    alliance = _organisation(request, pk)
    period = (
        AllianceMembership.objects.filter(pk=membership_pk, alliance=alliance)
        .select_related("council", "alliance")
        .first()
    )
    if period is None:
        raise Http404("No such membership")
    form = EndForm(request.POST)

    def end() -> str:
        managing.end_membership(request, period, form.cleaned_data["ends_on"])
        return (
            f"{period.council.name}'s time with {alliance.name} ended on "
            f"{form.cleaned_data['ends_on']:%-d %B %Y}"
        )

    return _change_councils(request, alliance, form, end)


@guard(Area.PEOPLE, Action.CHANGE)
@require_POST
def remove_member(request: HttpRequest, pk: int, member_pk: int) -> HttpResponse:
    alliance = _organisation(request, pk)
    member = (
        AllianceMember.objects.filter(pk=member_pk, alliance=alliance)
        .select_related("council")
        .first()
    )
    if member is None:
        raise Http404("No such member")

    def remove() -> str:
        managing.remove_member(request, member)
        return f"{member.council.name} is no longer a member of {alliance.name}"

    return _change_councils(request, alliance, forms.Form({}), remove)


@guard(Area.PEOPLE, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def single_sign_on(request: HttpRequest, pk: int) -> HttpResponse:
    """An organisation's single sign-on settings (service administrators only)."""
    found = _organisation(request, pk)
    if not _may_change_all(request):
        audit.record_denied(
            request, area=Area.PEOPLE, action=Action.CHANGE, model=SingleSignOn, lookup={"pk": pk}
        )
        raise Http404("Only service administrators set up single sign-on")
    current = SingleSignOn.objects.filter(organisation=found).first()
    initial = (
        {
            "issuer": current.issuer,
            "client_id": current.client_id,
            "email_domains": "\n".join(current.domains),
            "enabled": current.enabled,
        }
        if current
        else {"enabled": True}
    )
    form = SingleSignOnForm(request.POST or None, initial=initial)
    if request.method == "POST" and request.POST.get("remove") and current is not None:
        sso_settings.turn_off(request, found)
        messages.success(request, f"Single sign-on for {found.name} has been turned off")
        return redirect("organisations:organisation", found.pk)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            sso_settings.save(
                request,
                found,
                issuer=data["issuer"],
                client_id=data["client_id"],
                new_secret=data["client_secret"],
                email_domains=data["email_domains"],
                enabled=data["enabled"],
            )
        except ValidationError as refusal:
            form.add_error(None, refusal)
        else:
            messages.success(request, f"Single sign-on for {found.name} has been saved")
            return redirect("organisations:organisation", found.pk)
    audit.record(request, audit.Action.VIEW, found, object_repr=f"single sign-on of {found.name}")
    return render(
        request,
        "organisations/single_sign_on.html",
        {
            "title": "Single sign-on",
            "organisation": found,
            "form": form,
            "current": current,
            "has_secret": bool(current and current.secret),
            "redirect_url": request.build_absolute_uri(
                reverse("accounts:organisation-sign-in-return")
            ),
        },
    )
