"""Whose forecast a person may see: their own council's (council analysts and leaders), their
alliance's pooled one (alliance leads), and every council's from the published figures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse

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


def alliance_or_404(request: HttpRequest, slug: str, action: Action = Action.VIEW) -> Organisation:
    """The alliance with this slug if the person may see its pooled forecast (`action`), else
    404 (the attempt audited by the access policy)."""
    return get_visible_or_404(
        request,
        Organisation.objects.filter(kind=Organisation.Kind.ALLIANCE),
        Area.POOLED_FORECAST,
        action,
        via="pk",
        slug=slug,
    )


@dataclass(frozen=True)
class Subject:
    """Whose forecast from returns a page is about: one council's own, or an alliance's pooled
    forecast. The pages, downloads and saved scenarios of both are the same but for this."""

    organisation: Organisation
    council: Council | None = None  # None: an alliance's pooled forecast

    @property
    def name(self) -> str:
        return self.council.name if self.council else self.organisation.name

    @property
    def pooled(self) -> bool:
        return self.council is None

    @property
    def area(self) -> Area:
        return Area.POOLED_FORECAST if self.pooled else Area.FORECAST

    @property
    def title(self) -> str:
        return (
            f"Pooled forecast for {self.name}"
            if self.pooled
            else f"Forecast from {self.name}'s returns"
        )

    @property
    def described(self) -> str:
        """What the audit log calls it."""
        return (
            f"Pooled forecast, {self.name}"
            if self.pooled
            else f"Forecast from returns, {self.name}"
        )

    @property
    def file_name(self) -> str:
        code = self.organisation.slug if self.council is None else self.council.dfe_code
        return f"forecast-{code}"

    def url(self, page: str = "", *args: Any) -> str:
        """The subject's page, or `page` under it ("excel", "save-scenario"…): for a council
        forecasts:returns-excel, for an alliance forecasts:pooled-excel; `args` after its own."""
        suffix = f"-{page}" if page else ""
        if self.council is None:
            return reverse(f"forecasts:pooled{suffix}", args=[self.organisation.slug, *args])
        return reverse(f"forecasts:returns{suffix}", args=[self.council.dfe_code, *args])


def council_subject(request: HttpRequest, dfe_code: str, action: Action = Action.VIEW) -> Subject:
    council = council_or_404(request, dfe_code, action)
    return Subject(council.organisation, council)


def pooled_subject(request: HttpRequest, slug: str, action: Action = Action.VIEW) -> Subject:
    return Subject(alliance_or_404(request, slug, action))
