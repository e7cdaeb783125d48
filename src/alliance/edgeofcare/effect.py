"""Whether Edge of Care keeps children out of care, and the placement costs that avoids, for the
pages that show it: the evaluation (in full, for any year) and the dashboard (the default year's
headline, cached until the council's outcomes next change)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.cache import cache

from alliance.edgeofcare import comparison, placement_costs
from alliance.edgeofcare.models import CouncilSettings, Referral
from alliance.organisations.models import Organisation

# The dashboard's headline is recomputed at least this often, so a new upload of the council's
# returns shows within the hour even before any outcome is matched from it.
HEADLINE_SECONDS = 3600


@dataclass
class Estimate:
    year: int
    outcome: comparison.EvaluationOutcome
    costs: dict[str, Any] | None  # None when no effect could be estimated


def referral_years(council: Organisation) -> list[int]:
    """The years the council received referrals in, newest first."""
    dates = Referral.objects.filter(organisation=council).dates("received_at", "year")
    return sorted({d.year for d in dates}, reverse=True)


def default_year(years: list[int]) -> int | None:
    """The year before the latest: its children's 12 months have mostly passed."""
    return years[1] if len(years) > 1 else (years[0] if years else None)


def estimate(council: Organisation, year: int) -> Estimate:
    outcome = comparison.evaluate(council, year)
    costs = None
    if outcome.result is not None:
        kept_out = -outcome.result.difference * outcome.result.n_treated
        costs = placement_costs.costs_avoided(council, kept_out)
    return Estimate(year, outcome, costs)


def headline(council: Organisation) -> Estimate | None:
    """The default year's estimate for the dashboard (None: no referrals to evaluate)."""
    year = default_year(referral_years(council))
    if year is None:
        return None
    version = (
        CouncilSettings.objects.filter(organisation=council)
        .values_list("outcomes_version", flat=True)
        .first()
    )
    key = f"edgeofcare:effect:{council.pk}:{year}:{version}"
    found = cache.get(key)
    if found is None:
        found = estimate(council, year)
        cache.set(key, found, HEADLINE_SECONDS)
    return found
