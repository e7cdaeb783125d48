"""A council's weekly unit costs: seen by the council's analysts and leaders, who may change them
(each change audited before and after); the defaults shown with their source."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.access.policy import Action, Area, can, guard
from alliance.forecasts import forms, subjects, unit_costs


@guard(Area.FORECAST)
def view_costs(request: HttpRequest, dfe_code: str) -> HttpResponse:
    council = subjects.council_or_404(request, dfe_code)
    return render(
        request,
        "forecasts/unit_costs.html",
        {
            "title": f"Weekly unit costs, {council.name}",
            "council": council,
            "costs": unit_costs.costs(council.organisation),
            "may_change": can(request.user, Area.FORECAST, Action.CHANGE, council.organisation),
        },
    )


@guard(Area.FORECAST, Action.CHANGE)
def change_costs(request: HttpRequest, dfe_code: str) -> HttpResponse:
    council = subjects.council_or_404(request, dfe_code, Action.CHANGE)
    costs = unit_costs.costs(council.organisation)
    form = forms.UnitCostsForm(request.POST if request.method == "POST" else None, costs=costs)
    if request.method == "POST" and form.is_valid():
        try:
            changes = unit_costs.set_costs(council.organisation, form.pence(), user=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                "Weekly unit costs saved" if changes else "No unit cost was changed",
            )
            return redirect("forecasts:unit-costs", dfe_code=council.dfe_code)
    return render(
        request,
        "forecasts/unit_costs_form.html",
        {
            "title": f"Change weekly unit costs, {council.name}",
            "council": council,
            "form": form,
        },
    )
