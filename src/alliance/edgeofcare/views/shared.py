"""What every Edge of Care page uses: the council the practitioner works for, the referrals they
may see, binding forms, one error summary and auditing a list of families. Practitioners
(Area.EDGE_OF_CARE) run the service on their own council's records."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.access.policy import Action, Area, get_visible_or_404, scope, visible_to
from alliance.audit import services as audit
from alliance.edgeofcare.models import Referral
from alliance.organisations.models import Organisation


def practitioner_council(
    request: HttpRequest, area: Area = Area.EDGE_OF_CARE, action: Action = Action.CHANGE
) -> Organisation | None:
    """The council whose service this person runs (their first council with the grant)."""
    s = scope(request.user, area, action)
    qs = Organisation.objects.filter(kind=Organisation.Kind.COUNCIL)
    if not s.everything:
        qs = qs.filter(pk__in=s.organisation_ids)
    return qs.order_by("name").first()


def no_council_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "edgeofcare/no_council.html",
        {"title": "Edge of Care is run by councils"},
        status=403,
    )


def visible_referrals(request: HttpRequest, area: Area = Area.EDGE_OF_CARE) -> QuerySet[Referral]:
    return visible_to(request.user, Referral.objects.all(), area)


def visible_referral(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Referral:
    return get_visible_or_404(request, Referral.objects.all(), Area.EDGE_OF_CARE, action, pk=pk)


def posted_data(request: HttpRequest) -> Any:
    """The POST data to bind a form to (even when empty, so a blank submission shows errors)."""
    return request.POST if request.method == "POST" else None


def error_summary(*forms_: Any) -> list[dict[str, str]]:
    """One error summary for a page with several forms (formsets included)."""
    items = []
    for form in forms_:
        if form is None:
            continue
        subforms = list(form) if hasattr(form, "management_form") else [form]
        if hasattr(form, "non_form_errors"):
            items += [{"text": e, "href": "#children"} for e in form.non_form_errors()]
        for sub in subforms:
            for e in sub.non_field_errors():
                items.append({"text": e, "href": "#main-content"})
            for bf in sub:
                for e in bf.errors:
                    items.append({"text": e, "href": "#" + bf.auto_id})
    return items


def record_listed(request: HttpRequest, what: str, referrals: list[Any], **detail: Any) -> None:
    """A list of families (references, postcodes, urgency) is a view of their data: one audit
    row naming the cases shown."""
    audit.record(
        request,
        audit.Action.QUERY,
        object_type="edgeofcare.Referral",
        object_repr=what,
        detail={"shown": [r.pk for r in referrals], **detail},
    )
