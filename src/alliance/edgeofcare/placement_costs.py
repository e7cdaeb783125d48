"""Costs avoided: the council's unit costs per placement type, the placement mix and what the
placements a service prevented would have cost."""

from __future__ import annotations

from collections import Counter
from typing import Any

import polars as pl
from django.db import transaction

from alliance.audit import services as audit
from alliance.edgeofcare.models import PlacementType, UnitCost
from alliance.edgeofcare.returns_data import returns_tables, table_named
from alliance.organisations.models import Organisation

# Placement mix when the council's SSDA903 returns are not uploaded: an assumption, shown as such.
ASSUMED_MIX = {
    PlacementType.FOSTER_IN_HOUSE: 0.40,
    PlacementType.FOSTER_AGENCY: 0.25,
    PlacementType.KINSHIP: 0.15,
    PlacementType.RESIDENTIAL: 0.12,
    PlacementType.SEMI_INDEPENDENT: 0.08,
}
# SSDA903 placement codes by the cost types above.
PLACE_TYPES = {
    "U1": PlacementType.KINSHIP,
    "U2": PlacementType.KINSHIP,
    "U3": PlacementType.KINSHIP,
    "U4": PlacementType.FOSTER_IN_HOUSE,
    "U5": PlacementType.FOSTER_IN_HOUSE,
    "U6": PlacementType.FOSTER_IN_HOUSE,
    "K2": PlacementType.RESIDENTIAL,
    "R1": PlacementType.RESIDENTIAL,
    "H5": PlacementType.SEMI_INDEPENDENT,
    "K1": PlacementType.SEMI_INDEPENDENT,
    "P2": PlacementType.SEMI_INDEPENDENT,
}
DEFAULT_WEEKLY_POUNDS = {
    PlacementType.FOSTER_IN_HOUSE: 450,
    PlacementType.FOSTER_AGENCY: 900,
    PlacementType.KINSHIP: 300,
    PlacementType.RESIDENTIAL: 5500,
    PlacementType.SEMI_INDEPENDENT: 1500,
}


def unit_costs(organisation: Organisation) -> dict[str, int]:
    costs = {str(k): v * 100 for k, v in DEFAULT_WEEKLY_POUNDS.items()}
    for t, pence in UnitCost.objects.filter(organisation=organisation).values_list(
        "placement_type", "weekly_pence"
    ):
        costs[t] = pence
    return costs


def set_unit_costs(organisation: Organisation, costs: dict[str, int], *, user: Any = None) -> None:
    """Change the council's weekly cost of each placement type, audited as made by `user`
    (None: the service itself)."""
    with transaction.atomic():
        for t, pence in costs.items():
            UnitCost.objects.update_or_create(
                organisation=organisation, placement_type=t, defaults={"weekly_pence": pence}
            )
        audit.record(
            None,
            audit.Action.CHANGE,
            user=user,
            object_type="edgeofcare.UnitCost",
            object_repr=f"Placement unit costs, {organisation}",
            organisation_id=organisation.pk,
        )


def placement_mix(organisation: Organisation) -> tuple[dict[str, float], bool]:
    """Share of placements of each type from the council's SSDA903 episodes, or the assumed mix
    (second value False) when none are uploaded."""
    episodes = table_named(returns_tables(organisation, "ssda903"), "Episodes")
    if episodes is None or "PLACE" not in episodes.columns:
        return {str(k): v for k, v in ASSUMED_MIX.items()}, False
    counts: Counter[str] = Counter()
    for place, provider in episodes.select(
        "PLACE", pl.col("PLACE_PROVIDER") if "PLACE_PROVIDER" in episodes.columns else pl.lit("")
    ).iter_rows():
        kind = PLACE_TYPES.get(place or "")
        if kind == PlacementType.FOSTER_IN_HOUSE and provider in ("PR4", "PR5"):
            kind = PlacementType.FOSTER_AGENCY
        if kind:
            counts[str(kind)] += 1
    total = sum(counts.values())
    if not total:
        return {str(k): v for k, v in ASSUMED_MIX.items()}, False
    return {str(k): counts.get(str(k), 0) / total for k in PlacementType}, True


def costs_avoided(
    organisation: Organisation, children_kept_out: float, weeks: int = 52
) -> dict[str, Any]:
    costs = unit_costs(organisation)
    mix, from_returns = placement_mix(organisation)
    weekly = sum(costs[t] * share for t, share in mix.items())
    return {
        "weekly_average_pence": round(weekly),
        "weeks": weeks,
        "children": children_kept_out,
        "total_pence": round(weekly * weeks * max(children_kept_out, 0)),
        "mix": [(PlacementType(t).label, share, costs[t]) for t, share in mix.items()],
        "mix_from_returns": from_returns,
    }
