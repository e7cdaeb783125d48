"""Advisers' pages for opportunities and matching: matching a young person to opportunities,
referrals, the local offer, opportunities and group sessions."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alliance.access.policy import Action, can, get_visible_or_404, guard, visible_to
from alliance.audit import services as audit
from alliance.workplace import forms, matching, pipeline
from alliance.workplace import group_sessions as group_sessions_records
from alliance.workplace.models import GroupSession, LocalOfferItem, Opportunity, Referral
from alliance.workplace.views.shared import (
    PAGE_SIZE,
    WP,
    acting_user,
    adviser_council,
    choice_labels,
    opportunities_for_advisers,
    visible_people,
    visible_person,
)


@guard(WP)
def matches(request: HttpRequest, pk: int) -> HttpResponse:
    person = visible_person(request, pk)
    found, total = matching.matches_for_young_person(person, opportunities_for_advisers(request))
    referred = set(person.referrals.values_list("opportunity_id", flat=True))
    audit.record(request, audit.Action.VIEW, person, detail={"page": "matches"})
    return render(
        request,
        "workplace/matches.html",
        {
            "title": f"Opportunities for {person.name}",
            "person": person,
            "matches": found,
            "total": total,
            "referred": referred,
        },
    )


@guard(WP, Action.CHANGE)
@require_POST
def suggest(request: HttpRequest, pk: int, opportunity_pk: int) -> HttpResponse:
    person = visible_person(request, pk, Action.CHANGE)
    opportunity = get_visible_or_404(
        request, Opportunity.objects.all(), WP, Action.VIEW, via="council", pk=opportunity_pk
    )
    if not opportunity.is_open:
        messages.error(request, "That opportunity has closed")
        return redirect("workplace:matches", person.pk)
    found = list(
        matching.matches_for_young_person(person, Opportunity.objects.filter(pk=opportunity.pk))[0]
    )
    pipeline.suggest(person, opportunity, found[0] if found else None, user=acting_user(request))
    messages.success(request, f"{opportunity.title} has been suggested to {person.name}")
    return redirect("workplace:young-person", person.pk)


def _referral(request: HttpRequest, pk: int) -> Referral:
    return get_visible_or_404(
        request,
        Referral.objects.select_related("young_person", "opportunity__employer"),
        WP,
        Action.CHANGE,
        pk=pk,
    )


def _referral_page(
    request: HttpRequest,
    item: Referral,
    form: forms.StageForm,
    correction: forms.CorrectionForm,
) -> HttpResponse:
    history = [
        (Referral.Stage(s).label, item.date_of(s))
        for s in [*pipeline.STAGES, "ended"]
        if item.date_of(s)
    ]
    corrections = [
        {
            **c,
            "label": Referral.Stage(c["stage"]).label,
            "dated": dt.date.fromisoformat(c["dated"]) if c.get("dated") else None,
            "on": dt.date.fromisoformat(c["on"]),
        }
        for c in item.corrections
    ]
    return render(
        request,
        "workplace/referral.html",
        {
            "title": "Update the referral",
            "item": item,
            "form": form,
            "correction": correction,
            "can_correct": item.stage != Referral.Stage.SUGGESTED,
            "history": history,
            "corrections": corrections,
        },
    )


def _stage_form(item: Referral, data: Any = None) -> forms.StageForm:
    stages = [(s, Referral.Stage(s).label) for s in pipeline.next_stages(item)]
    return forms.StageForm(data, stages=stages, initial={"on": dt.date.today()})


@guard(WP, Action.CHANGE)
def referral(request: HttpRequest, pk: int) -> HttpResponse:
    item = _referral(request, pk)
    form = _stage_form(item, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pipeline.move(
                item, form.cleaned_data["stage"], form.cleaned_data["on"], user=acting_user(request)
            )
        except pipeline.StageError as error:
            form.add_error("on", error)
        else:
            messages.success(request, f"Moved on to “{item.get_stage_display()}”")
            return redirect("workplace:young-person", item.young_person_id)
    else:
        audit.record(request, audit.Action.VIEW, item)
    return _referral_page(request, item, form, forms.CorrectionForm())


@guard(WP, Action.CHANGE)
@require_POST
def referral_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """Take back the latest stage, recorded by mistake, with the reason."""
    item = _referral(request, pk)
    correction = forms.CorrectionForm(request.POST)
    if correction.is_valid():
        taken_back = item.get_stage_display()
        try:
            pipeline.correct_last_stage(
                item, correction.cleaned_data["reason"], user=acting_user(request)
            )
        except pipeline.CorrectionError as error:
            correction.add_error("reason", error)
        else:
            messages.success(
                request, f"“{taken_back}” is taken back: now “{item.get_stage_display()}”"
            )
            return redirect("workplace:referral", item.pk)
    return _referral_page(request, item, _stage_form(item), correction)


@guard(WP)
def local_offer(request: HttpRequest) -> HttpResponse:
    items = visible_to(request.user, LocalOfferItem.objects.all(), WP)
    return render(
        request,
        "workplace/local_offer.html",
        {"title": "Local Offer for care leavers", "groups": _grouped(items)},
    )


def _grouped(items: QuerySet[LocalOfferItem]) -> list[tuple[str, list[LocalOfferItem]]]:
    groups: dict[str, list[LocalOfferItem]] = {}
    for item in items:
        groups.setdefault(item.get_category_display(), []).append(item)
    return list(groups.items())


@guard(WP)
def opportunities(request: HttpRequest) -> HttpResponse:
    today = dt.date.today()
    items = (
        opportunities_for_advisers(request)
        .filter(closing_date__gte=today)
        .select_related("employer")
    )
    kind = request.GET.get("kind", "")
    if kind in Opportunity.Kind.values:
        items = items.filter(kind=kind)
    q = request.GET.get("q", "").strip()
    if q:
        items = items.filter(Q(title__icontains=q) | Q(employer__name__icontains=q))
    page = Paginator(items.order_by("closing_date", "title"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    return render(
        request,
        "workplace/opportunities.html",
        {
            "title": "Opportunities",
            "page": page,
            "kind": kind,
            "q": q,
            "kinds": Opportunity.Kind.choices,
        },
    )


@guard(WP)
def opportunity(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_visible_or_404(
        request,
        Opportunity.objects.select_related("employer"),
        WP,
        via="council",
        pk=pk,
    )
    suitable, total = matching.matches_for_opportunity(item, visible_people(request))
    referred = dict(item.referrals.values_list("young_person_id", "stage"))
    audit.record(request, audit.Action.VIEW, item, detail={"suitable": total})
    return render(
        request,
        "workplace/opportunity.html",
        {
            "title": item.title,
            "item": item,
            "suitable": suitable,
            "total": total,
            "referred": referred,
            "support": choice_labels(item.support, matching.SUPPORT_LABELS),
            "interests": choice_labels(item.interests, matching.INTEREST_LABELS),
            "skills": choice_labels(item.skills, matching.SKILL_LABELS),
            "for_adviser": True,
        },
    )


@guard(WP)
def group_sessions(request: HttpRequest) -> HttpResponse:
    items = visible_to(request.user, GroupSession.objects.all(), WP).annotate(
        invited=Count("attendees"),
        came=Count("attendees", filter=Q(attendees__attended=True)),
    )
    return render(
        request,
        "workplace/group_sessions.html",
        {"title": "Group sessions", "items": items.order_by("-held_on")[:100]},
    )


@guard(WP, Action.CHANGE)
def group_session_new(request: HttpRequest) -> HttpResponse:
    council = adviser_council(request)
    form = forms.GroupSessionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        session = group_sessions_records.add_group_session(
            form.save(commit=False), council, user=acting_user(request)
        )
        messages.success(request, "The group session has been added: now add who came")
        return redirect("workplace:group-session", session.pk)
    return render(
        request, "workplace/simple_form.html", {"title": "Add a group session", "form": form}
    )


@guard(WP)
def group_session(request: HttpRequest, pk: int) -> HttpResponse:
    session = get_visible_or_404(request, GroupSession.objects.all(), WP, pk=pk)
    form = forms.AttendeeForm(request.POST or None)
    if request.method == "POST":
        if not can(request.user, WP, Action.CHANGE, session.organisation_id):
            audit.record_denied(
                request, area=WP, action=Action.CHANGE, model=GroupSession, lookup={"pk": pk}
            )
            raise PermissionDenied
        if form.is_valid():
            attendee = group_sessions_records.add_attendee(
                form.save(commit=False), session, user=acting_user(request)
            )
            messages.success(request, f"{attendee.name} has been added")
            return redirect("workplace:group-session", session.pk)
    else:
        audit.record(request, audit.Action.VIEW, session)
    return render(
        request,
        "workplace/group_session.html",
        {
            "title": session.title,
            "session": session,
            "attendees": session.attendees.all(),
            "form": form,
        },
    )
