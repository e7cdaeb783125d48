"""Practitioners' case work on a referral: contacts, triage, services allocated, goals, reviews,
closing and each child's outcomes."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.access.policy import Action, Area, get_visible_or_404, guard
from alliance.audit import services as audit
from alliance.common.query_values import whole_number
from alliance.edgeofcare import forms, outcomes, plans, referrals, waiting_lists, workers
from alliance.edgeofcare.errors import EdgeOfCareError, message_of
from alliance.edgeofcare.models import (
    AllocationMethod,
    Child,
    Goal,
    Referral,
    Service,
    ServiceAllocation,
)
from alliance.edgeofcare.views.shared import error_summary, posted_data, visible_referral


def _shown_with(form: Any) -> dict[str, Any]:
    return {"errors": sorted(form.errors)} if form.is_bound else {}


def _case_form_page(
    request: HttpRequest, r: Referral, template: str, title: str, form: Any, **extra: Any
) -> HttpResponse:
    """A form on a family's case shows the case (names, address, children): audited as a view,
    as the case page is."""
    audit.record(
        request,
        audit.Action.VIEW,
        r,
        detail={"form": template.rsplit("/", 1)[-1], "path": request.path, **_shown_with(form)},
    )
    return render(
        request,
        template,
        {"title": title, "r": r, "form": form, "errors": error_summary(form), **extra},
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    allocations = list(
        r.allocations.exclude(status=ServiceAllocation.Status.ENDED).select_related("service")
    )
    form = forms.ContactForm(posted_data(request), allocations=allocations)
    if request.method == "POST" and form.is_valid():
        allocation = next(
            (a for a in allocations if str(a.pk) == form.cleaned_data["allocation"]), None
        )
        try:
            referrals.record_contact(
                r,
                request.user,
                form.cleaned_data["kind"],
                form.happened_at(),
                form.cleaned_data["notes"],
                allocation,
            )
        except EdgeOfCareError as exc:
            form.add_error("date", exc)
        else:
            messages.success(request, "Contact recorded")
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request, r, "edgeofcare/contact_form.html", "Record a contact or visit", form
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def worker(request: HttpRequest, pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    people = list(workers.workers(r.organisation))
    initial = {"worker": str(r.allocated_worker_id or "")}
    form = forms.WorkerForm(posted_data(request), initial=initial, workers=people)
    if request.method == "POST" and form.is_valid():
        chosen = next((p for p in people if str(p.pk) == form.cleaned_data["worker"]), None)
        try:
            workers.allocate_worker(r, chosen, user=request.user)
        except EdgeOfCareError as exc:
            form.add_error("worker", message_of(exc))
        else:
            messages.success(
                request,
                f"{chosen.display_name} is now the allocated worker"
                if chosen
                else "The case has no allocated worker now",
            )
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request,
        r,
        "edgeofcare/simple_form.html",
        "Change the allocated worker",
        form,
        button="Save worker",
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def triage(request: HttpRequest, pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    catalogue = list(Service.objects.filter(organisation=r.organisation, active=True))
    taken = waiting_lists.places_taken(catalogue)
    randomised = r.allocation_method == AllocationMethod.RANDOM
    form = forms.TriageForm(
        posted_data(request), services=catalogue, randomised=randomised, taken=taken
    )
    if request.method == "POST" and form.is_valid():
        chosen = [s for s in catalogue if str(s.pk) in form.cleaned_data["services"]]
        try:
            made = referrals.triage(
                r,
                chosen,
                waiting_list_ok=form.cleaned_data["waiting_list_ok"],
                arm=form.cleaned_data.get("arm", ""),
                user=request.user,
            )
        except EdgeOfCareError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc)
        else:
            waiting = [a.service.name for a in made if a.status == ServiceAllocation.Status.WAITING]
            text = (
                "Family allocated to " + ", ".join(a.service.name for a in made)
                if made
                else "Triage recorded"
            )
            if waiting:
                text += f". On the waiting list for {', '.join(waiting)}"
            messages.success(request, text)
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request,
        r,
        "edgeofcare/triage_form.html",
        "Triage and allocate services",
        form,
        method=r.get_allocation_method_display(),
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def allocation_update(request: HttpRequest, pk: int, allocation_pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    allocation = get_visible_or_404(
        request,
        ServiceAllocation.objects.filter(referral=r),
        Area.EDGE_OF_CARE,
        Action.CHANGE,
        via="referral__organisation",
        pk=allocation_pk,
    )
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "start":
                waiting_lists.start_from_waiting_list(allocation, user=request.user)
                messages.success(request, f"{allocation.service.name} has started with the family")
            elif action == "end":
                waiting_lists.end_allocation(allocation, user=request.user)
                messages.success(request, f"{allocation.service.name} has ended for the family")
            elif action == "progress":
                progress_form = forms.ProgressForm(request.POST)
                if progress_form.is_valid():
                    waiting_lists.record_progress(
                        allocation, progress_form.cleaned_data["progress"], user=request.user
                    )
                    messages.success(request, "Progress updated")
        except EdgeOfCareError as exc:
            messages.error(request, message_of(exc))
    return redirect("edgeofcare:referral", pk=r.pk)


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def goal_add(request: HttpRequest, pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    allocations = list(r.allocations.select_related("service"))
    form = forms.GoalForm(posted_data(request), allocations=allocations)
    if request.method == "POST" and form.is_valid():
        allocation = next(
            (a for a in allocations if str(a.pk) == form.cleaned_data["allocation"]), None
        )
        plans.add_goal(r, form.cleaned_data["description"], allocation, user=request.user)
        messages.success(request, "Goal added to the plan")
        return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request, r, "edgeofcare/simple_form.html", "Add a goal to the plan", form
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def goal_update(request: HttpRequest, pk: int, goal_pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    goal = get_visible_or_404(
        request,
        Goal.objects.filter(referral=r),
        Area.EDGE_OF_CARE,
        Action.CHANGE,
        via="referral__organisation",
        pk=goal_pk,
    )
    form = forms.GoalStatusForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        plans.set_goal_status(goal, form.cleaned_data["status"], user=request.user)
        messages.success(request, "Goal updated")
    return redirect("edgeofcare:referral", pk=r.pk)


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def review_add(request: HttpRequest, pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    form = forms.ReviewForm(posted_data(request), received=timezone.localdate(r.received_at))
    if request.method == "POST" and form.is_valid():
        plans.add_review(r, form.cleaned_data, user=request.user)
        messages.success(request, "Review recorded")
        return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(request, r, "edgeofcare/simple_form.html", "Record a review", form)


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def close(request: HttpRequest, pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    form = forms.CloseForm(posted_data(request))
    if request.method == "POST" and form.is_valid():
        try:
            referrals.close_referral(
                r, form.cleaned_data["reason"], form.cleaned_data["notes"], user=request.user
            )
        except EdgeOfCareError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Case {r.reference} closed")
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request, r, "edgeofcare/simple_form.html", "Close the case", form, button="Close the case"
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def outcome(request: HttpRequest, pk: int, child_pk: int) -> HttpResponse:
    r = visible_referral(request, pk, Action.CHANGE)
    child = get_visible_or_404(
        request,
        Child.objects.filter(referral=r),
        Area.EDGE_OF_CARE,
        Action.CHANGE,
        via="referral__organisation",
        pk=child_pk,
    )
    wanted = request.GET.get("months", "")
    months = whole_number(wanted) if len(wanted) < 3 else None
    months = months or 0
    initial: dict[str, Any] = {"months": months or None}
    existing = child.outcomes.filter(months=months).first() if months else None
    if existing is not None:

        def tri(value: bool | None) -> str:
            return "unknown" if value is None else ("yes" if value else "no")

        initial.update(
            checked_on=existing.checked_on,
            living_at_home=tri(existing.living_at_home),
            same_school=tri(existing.same_school),
            entered_care=tri(existing.entered_care),
            re_referred=tri(existing.re_referred),
            notes=existing.notes,
        )
    form = forms.OutcomeForm(posted_data(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            outcomes.record_outcome(
                child, form.cleaned_data["months"], form.values(), user=request.user
            )
        except EdgeOfCareError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc)
        else:
            messages.success(request, f"Outcome recorded for {child.first_name}")
            return redirect("edgeofcare:referral", pk=r.pk)
    return _case_form_page(
        request,
        r,
        "edgeofcare/simple_form.html",
        f"Record an outcome for {child.first_name} {child.last_name}",
        form,
    )
