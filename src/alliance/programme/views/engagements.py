"""Engagements: starting one from a match, its page and history, milestones, activities, priorities, plan, diagnostic, reviews and closing it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model, Sum
from django.forms import ModelForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from alliance.access.policy import Action, Area, can, get_visible_or_404, guard, visible_to
from alliance.audit import services as audit
from alliance.programme import forms
from alliance.programme.models import (
    Activity,
    Engagement,
    Match,
    Milestone,
    PracticeItem,
    Priority,
    QuarterlyReview,
)
from alliance.programme.partner_standing import partner_concerns
from alliance.programme.services.dashboard import engagement_rows
from alliance.programme.services.engagements import (
    close_engagement,
    save_activity,
    save_diagnostic,
    save_milestone,
    save_plan,
    save_priority,
    save_review,
    start_engagement,
)
from alliance.programme.views.corrections import record_edit
from alliance.programme.views.shared import (
    ENGAGEMENT_VIA,
    _apply_errors,
    _form_page,
    _refuse,
    _saved,
    _today,
    _visible_engagements,
)


@guard(Area.PROGRAMME)
def engagements(request: HttpRequest) -> HttpResponse:
    today = _today()
    visible = _visible_engagements(request)
    status = request.GET.get("status", "")
    if status in Engagement.Status.values:
        visible = visible.filter(status=status)
    rows = engagement_rows(visible.order_by("alliance__name", "supported_council__name"), today)
    matches = visible_to(
        request.user,
        Match.objects.filter(engagement__isnull=True),
        Area.PROGRAMME,
        Action.CHANGE,
        via="partner__alliance",
    ).select_related("council", "partner__alliance", "programme")
    return render(
        request,
        "programme/engagements.html",
        {"title": "Engagements", "rows": rows, "status": status, "waiting": matches},
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def engagement_start(request: HttpRequest, match_pk: int) -> HttpResponse:
    match = get_visible_or_404(
        request,
        Match.objects.select_related("council", "partner__alliance", "programme"),
        Area.PROGRAMME,
        Action.CHANGE,
        via="partner__alliance",
        pk=match_pk,
    )
    form = forms.EngagementForm(request.POST or None, initial={"starts": match.programme.starts})
    if request.method == "POST" and form.is_valid():
        try:
            engagement = start_engagement(
                match=match,
                starts=form.cleaned_data["starts"],
                ends=form.cleaned_data["ends"],
                user=request.user,
            )
        except ValidationError as error:
            _apply_errors(form, error)
        else:
            messages.success(request, f"Engagement with {match.council.name} started")
            return redirect("programme:engagement", engagement.pk)
    return _form_page(
        request,
        form,
        title=f"Start the engagement with {match.council.name}",
        caption=match.partner.alliance.name,
        back=reverse("programme:engagements"),
        button="Start engagement",
        warning="; ".join(
            str(c) for c in partner_concerns([match.partner]).get(match.partner.pk, [])
        ),
        intro="The diagnostic baseline (the council's Ofsted judgement and key indicators as at the start date) is taken when you start, and a quarterly review is scheduled every three months.",
    )


def _engagement(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Engagement:
    return get_visible_or_404(
        request,
        Engagement.objects.select_related(
            "supported_council__region", "alliance", "programme", "partner", "plan", "diagnostic"
        ),
        Area.PROGRAMME,
        Action.VIEW,
        via=ENGAGEMENT_VIA,
        pk=pk,
    )


def _may_change(request: HttpRequest, engagement: Engagement) -> bool:
    return can(request.user, Area.PROGRAMME, Action.CHANGE, engagement.alliance_id)


@guard(Area.PROGRAMME)
def engagement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    audit.record(request, audit.Action.VIEW, engagement, organisation_id=engagement.alliance_id)
    today = _today()
    plan = engagement.plan
    spend = engagement.spend.select_related("budget_line").order_by("-spent_on")
    return render(
        request,
        "programme/engagement.html",
        {
            "title": f"{engagement.supported_council.name}: engagement",
            "e": engagement,
            "diagnostic": getattr(engagement, "diagnostic", None),
            "plan": plan,
            "priorities": plan.priorities.all(),
            "milestones": engagement.milestones.select_related("priority"),
            "activities": engagement.activities.all()[:50],
            "activity_count": engagement.activities.count(),
            "activity_hours": engagement.activities.aggregate(h=Sum("hours"))["h"],
            "reviews": engagement.reviews.all(),
            "closure": getattr(engagement, "closure", None),
            "spend": spend[:20],
            "spend_total": spend.aggregate(t=Sum("amount_pence"))["t"] or 0,
            "changes": engagement.changes.all()[:10],
            "practice_used": engagement.practice_used.select_related("organisation"),
            "practice_all": _practice_choices(engagement),
            "today": today,
            # A closed engagement is a record of what happened: nothing more is added to it.
            "may_change": _may_change(request, engagement)
            and engagement.status == Engagement.Status.ACTIVE,
            "may_see_money": can(request.user, Area.PROGRAMME, Action.VIEW, engagement.alliance_id),
        },
    )


def _practice_choices(engagement: Engagement) -> list[tuple[int, str]]:
    """What may still be linked: the library's items this engagement has not linked already."""
    return list(
        PracticeItem.objects.filter(withdrawn_at__isnull=True)
        .exclude(engagements=engagement)
        .values_list("pk", "title")[:200]
    )


@guard(Area.PROGRAMME)
def engagement_history(request: HttpRequest, pk: int) -> HttpResponse:
    engagement = _engagement(request, pk)
    return render(
        request,
        "programme/history.html",
        {
            "title": f"{engagement.supported_council.name}: history of changes",
            "e": engagement,
            "changes": engagement.changes.all(),
        },
    )


def _engagement_change(request: HttpRequest, pk: int) -> tuple[Engagement, HttpResponse | None]:
    engagement = _engagement(request, pk)
    if not _may_change(request, engagement):
        return engagement, _refuse(request, Area.PROGRAMME, Action.CHANGE, engagement)
    if engagement.status == Engagement.Status.CLOSED and request.method == "POST":
        messages.error(request, "This engagement is closed: nothing more can be added")
        return engagement, redirect("programme:engagement", engagement.pk)
    return engagement, None


def _engagement_form(
    request: HttpRequest,
    pk: int,
    *,
    make_form: Any,
    save: Any,
    title: str,
    button: str = "Save",
    done: str,
    intro: str = "",
) -> HttpResponse:
    engagement, refused = _engagement_change(request, pk)
    if refused is not None:
        return refused
    form = make_form(engagement, request.POST if request.method == "POST" else None)
    if _saved(request, form, lambda: save(engagement, form), done):
        return redirect("programme:engagement", engagement.pk)
    return _form_page(
        request,
        form,
        title=title,
        caption=f"{engagement.supported_council.name}, supported by {engagement.alliance.name}",
        back=reverse("programme:engagement", args=[engagement.pk]),
        button=button,
        intro=intro,
        demo=engagement.is_demo,
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def milestone_edit(request: HttpRequest, pk: int, milestone_pk: int | None = None) -> HttpResponse:
    if milestone_pk:  # changing a saved milestone goes the way every saved record is changed
        return record_edit(request, "milestones", milestone_pk)

    def make(e: Engagement, data: Any) -> forms.MilestoneForm:
        return forms.MilestoneForm(data, instance=Milestone(engagement=e), plan=e.plan)

    def save(e: Engagement, form: forms.MilestoneForm) -> None:
        save_milestone(form.save(commit=False), user=request.user)

    return _engagement_form(
        request,
        pk,
        make_form=make,
        save=save,
        title="Add a milestone",
        done="Milestone saved",
    )


def _record_page(
    name: str,
    form_class: type[ModelForm[Any]],
    record_of: Callable[[Engagement], Model],
    save_record: Callable[..., Any],
    *,
    title: str,
    done: str,
) -> Callable[[HttpRequest, int], HttpResponse]:
    """The page that adds or changes one record of an engagement (an activity, a priority, the plan
    or the diagnostic): its model form on the record, saved by the record's service."""

    def page(request: HttpRequest, pk: int) -> HttpResponse:
        return _engagement_form(
            request,
            pk,
            make_form=lambda e, data: form_class(data, instance=record_of(e)),
            save=lambda e, form: save_record(form.save(commit=False), user=request.user),
            title=title,
            done=done,
        )

    page.__name__ = page.__qualname__ = name
    return guard(Area.PROGRAMME, Action.CHANGE)(require_http_methods(["GET", "POST"])(page))


activity_new = _record_page(
    "activity_new",
    forms.ActivityForm,
    lambda e: Activity(engagement=e),
    save_activity,
    title="Record an activity",
    done="Activity recorded",
)
priority_new = _record_page(
    "priority_new",
    forms.PriorityForm,
    lambda e: Priority(plan=e.plan),
    save_priority,
    title="Add a priority to the plan",
    done="Priority added",
)
plan_edit = _record_page(
    "plan_edit",
    forms.PlanForm,
    lambda e: e.plan,
    save_plan,
    title="Improvement plan",
    done="Plan saved",
)
diagnostic_edit = _record_page(
    "diagnostic_edit",
    forms.DiagnosticForm,
    lambda e: e.diagnostic,
    save_diagnostic,
    title="Diagnostic: strengths and concerns",
    done="Diagnostic saved",
)


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int, review_pk: int) -> HttpResponse:
    def make(e: Engagement, data: Any) -> forms.ReviewForm:
        review = get_visible_or_404(
            request,
            QuarterlyReview.objects.filter(engagement=e),
            Area.PROGRAMME,
            via="engagement__alliance",
            pk=review_pk,
        )
        return forms.ReviewForm(data, instance=review)

    def save(e: Engagement, form: forms.ReviewForm) -> None:
        save_review(form.save(commit=False), user=request.user)

    return _engagement_form(
        request,
        pk,
        make_form=make,
        save=save,
        title="Record the quarterly review",
        done="Review recorded",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def engagement_close(request: HttpRequest, pk: int) -> HttpResponse:
    def save(e: Engagement, form: forms.ClosureForm) -> None:
        close_engagement(
            e,
            closed_on=form.cleaned_data["closed_on"],
            impact_summary=form.cleaned_data["impact_summary"],
            user=request.user,
        )

    return _engagement_form(
        request,
        pk,
        make_form=lambda e, data: forms.ClosureForm(data),
        save=save,
        title="Close the engagement",
        button="Close engagement",
        done="Engagement closed",
        intro="Closing records the impact: each baseline indicator beside its latest published figure, and the first Ofsted judgement published after the engagement began.",
    )
