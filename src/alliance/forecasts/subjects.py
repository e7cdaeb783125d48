"""Whose forecast a person may see: their own council's (council analysts and leaders), their
alliance's pooled one (alliance leads), and every council's from the published figures."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from alliance.access.policy import Action, Area, get_visible_or_404, scope
from alliance.organisations.models import Council, Organisation


def own_councils(user: Any) -> list[Council]:
    """The councils whose forecast from their own returns the person may see."""
    reach = scope(user, Area.FORECAST)
    councils = Council.objects.select_related("organisation").order_by("name")
    if reach.everything:
        return list(councils)
    return list(councils.filter(organisation_id__in=reach.organisation_ids))


def pooled_alliances(user: Any) -> list[Organisation]:
    """The alliances whose pooled forecast the person may see (not their member councils: an
    alliance lead sees only what the councils agreed to share, pooled)."""
    reach = scope(user, Area.POOLED_FORECAST)
    alliances = Organisation.objects.filter(kind=Organisation.Kind.ALLIANCE).order_by("name")
    if reach.everything:
        return list(alliances)
    return list(alliances.filter(pk__in=reach.organisation_ids))


def council_or_404(request: HttpRequest, dfe_code: str, action: Action = Action.VIEW) -> Council:
    """The council with this DfE code if the person may see its own forecast (`action`), else
    404: another council's is refused, and the attempt audited, by the access policy."""
    organisation = get_visible_or_404(
        request,
        Organisation.objects.filter(kind=Organisation.Kind.COUNCIL),
        Area.FORECAST,
        action,
        via="pk",
        council__dfe_code=dfe_code,
    )
    return Council.objects.select_related("organisation").get(organisation=organisation)


def alliance_or_404(request: HttpRequest, slug: str) -> Organisation:
    """The alliance with this slug if the person may see its pooled forecast, else 404 (the
    attempt audited by the access policy)."""
    return get_visible_or_404(
        request,
        Organisation.objects.filter(kind=Organisation.Kind.ALLIANCE),
        Area.POOLED_FORECAST,
        via="pk",
        slug=slug,
    )
