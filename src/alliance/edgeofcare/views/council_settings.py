"""The council's Edge of Care settings: response targets and the unit costs of placements."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.access.policy import Action, Area, guard
from alliance.edgeofcare import forms, placement_costs, targets
from alliance.edgeofcare.views.shared import (
    error_summary,
    no_council_page,
    posted_data,
    practitioner_council,
)


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def council_settings(request: HttpRequest) -> HttpResponse:
    council = practitioner_council(request)
    if council is None:
        return no_council_page(request)
    cs = targets.council_settings(council)
    hours = targets.target_hours(council)
    post = request.POST if request.method == "POST" else None
    settings_form = forms.SettingsForm(post, instance=cs, prefix="s")
    targets_form = forms.TargetsForm(post, hours=hours, prefix="t")
    if post is not None and settings_form.is_valid() & targets_form.is_valid():
        targets.save_settings(
            settings_form.save(commit=False), targets_form.cleaned_data, user=request.user
        )
        messages.success(request, "Settings saved")
        return redirect("edgeofcare:settings")
    return render(
        request,
        "edgeofcare/settings.html",
        {
            "title": "Edge of Care settings",
            "settings_form": settings_form,
            "targets_form": targets_form,
            "errors": error_summary(settings_form, targets_form),
            "council": council,
        },
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def unit_costs(request: HttpRequest) -> HttpResponse:
    council = practitioner_council(request)
    if council is None:
        return no_council_page(request)
    form = forms.CostsForm(posted_data(request), costs=placement_costs.unit_costs(council))
    if request.method == "POST" and form.is_valid():
        placement_costs.set_unit_costs(council, form.pence(), user=request.user)
        messages.success(request, "Weekly placement costs saved")
        return redirect("edgeofcare:evaluation")
    return render(
        request,
        "edgeofcare/simple_form.html",
        {
            "title": f"Weekly placement costs, {council}",
            "form": form,
            "errors": error_summary(form),
            "back": "edgeofcare:evaluation",
        },
    )
