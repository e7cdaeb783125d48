"""The council's catalogue of services: places, waiting lists and adding or changing a service."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.access.policy import Action, Area, get_visible_or_404, guard, scope
from alliance.edgeofcare import figures, forms, waiting_lists
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import Service, ServiceAllocation
from alliance.edgeofcare.views.shared import (
    error_summary,
    no_council_page,
    posted_data,
    practitioner_council,
    record_listed,
)


@guard(Area.EDGE_OF_CARE)
def service_list(request: HttpRequest) -> HttpResponse:
    s = scope(request.user, Area.EDGE_OF_CARE)
    rows = figures.services_in_use(None if s.everything else s.organisation_ids)
    waiting = (
        ServiceAllocation.objects.filter(
            status=ServiceAllocation.Status.WAITING, service__in=[r["service"] for r in rows]
        )
        .select_related("service", "referral")
        .order_by("allocated_at")
    )
    record_listed(request, "Families waiting for a service", [a.referral for a in waiting])
    return render(
        request, "edgeofcare/services.html", {"title": "Services", "rows": rows, "waiting": waiting}
    )


@guard(Area.EDGE_OF_CARE, Action.CHANGE)
def service_edit(request: HttpRequest, service_pk: int | None = None) -> HttpResponse:
    council = practitioner_council(request)
    if council is None:
        return no_council_page(request)
    instance = (
        get_visible_or_404(
            request, Service.objects.all(), Area.EDGE_OF_CARE, Action.CHANGE, pk=service_pk
        )
        if service_pk
        else Service(organisation=council)
    )
    form = forms.ServiceForm(posted_data(request), instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            waiting_lists.save_service(form.save(commit=False), user=request.user)
        except EdgeOfCareError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc)
        else:
            messages.success(request, f"{instance.name} saved")
            return redirect("edgeofcare:services")
    return render(
        request,
        "edgeofcare/simple_form.html",
        {
            "title": "Change a service" if service_pk else "Add a service",
            "form": form,
            "errors": error_summary(form),
            "back": "edgeofcare:services",
        },
    )
