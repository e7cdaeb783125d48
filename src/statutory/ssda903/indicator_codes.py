"""The SSDA903 indicators' stable codes, their labels and the published measures they match (see
statutory.measures and docs/statutory/ssda903-indicators.md)."""

from __future__ import annotations

from statutory.measures import Breakdown, Measure, catalogue, code_for_label

STARTS_BY_NEED = Breakdown("cla_starts_by_need", "Starts by category of need: ")
CEASED_BY_REASON = Breakdown("cla_ceased_by_reason", "Ceased by reason: ")
BREAKDOWNS = (STARTS_BY_NEED, CEASED_BY_REASON)


def _care_leavers(band: str) -> list[Measure]:
    ages = band.replace("_", "-")
    dfe = f"ees-care-leavers-{{}}-{ages}"
    return [
        Measure(
            f"care_leavers_{band}_eet",
            f"Care leavers {ages} in education, employment or training (%)",
            dfe.format("eet"),
        ),
        Measure(
            f"care_leavers_{band}_suitable_accommodation",
            f"Care leavers {ages} in suitable accommodation (%)",
            dfe.format("suitable"),
        ),
        Measure(
            f"care_leavers_{band}_in_touch", f"Care leavers {ages} in touch with the council (%)"
        ),
    ]


# Every indicator but the breakdowns' members: code (stable), label (free to reword), and the
# published measure it matches (see statutory.measures).
MEASURES = catalogue(
    [
        Measure("cla_at_31_march", "Children looked after at 31 March"),
        Measure("cla_rate_per_10000", "Rate per 10,000 children aged 0-17", "ees-cla-rate"),
        Measure("cla_during_year", "Children looked after during the year"),
        Measure("cla_starts", "Children starting to be looked after"),
        Measure(
            "cla_starts_rate_per_10000",
            "Rate of children starting to be looked after per 10,000 children aged 0-17",
        ),
        Measure("cla_ceased", "Children ceasing to be looked after"),
        Measure(
            "cla_ceased_rate_per_10000",
            "Rate of children ceasing to be looked after per 10,000 children aged 0-17",
        ),
        Measure("cla_ceased_adopted", "Adopted (% of children ceasing to be looked after)"),
        Measure(
            "placements_3_or_more",
            "Looked after at 31 March with 3 or more placements in the year (%)",
            "ees-placements-3plus",
        ),
        Measure(
            "placement_stability_long_term",
            "Long-term stability: under 16, looked after 2.5+ years, same placement 2+ years (%)",
            "ees-placement-long-term",
        ),
        Measure("missing_children", "Children looked after in the year who went missing (%)"),
        Measure("missing_incidents", "Missing incidents"),
        Measure(
            "missing_incidents_per_child", "Average missing incidents per child who went missing"
        ),
        Measure("away_children_count", "Children away from placement without authorisation"),
        Measure(
            "away_children",
            "Children looked after in the year who were away from placement without "
            "authorisation (%)",
        ),
        Measure("away_incidents", "Away-from-placement incidents"),
        *_care_leavers("17_18"),
        *_care_leavers("19_21"),
        Measure("adopted", "Children adopted in the year"),
        Measure(
            "adoption_a1_days",
            "A1: average days from entering care to moving in with the adoptive family",
        ),
        Measure(
            "adoption_a10_days",
            "A10: average days from entering care to moving in with the adoptive family, "
            "adjusted for foster carer adoptions",
        ),
        Measure("adoption_a2_days", "A2: average days from court authority to place to matching"),
    ]
)

# The labels as worded when indicators got codes, for figures stored before then (label only).
# Frozen: leave these as they are when a label above is reworded.
FIRST_LABELS: dict[str, str] = {
    "Children looked after at 31 March": "cla_at_31_march",
    "Rate per 10,000 children aged 0-17": "cla_rate_per_10000",
    "Children looked after during the year": "cla_during_year",
    "Children starting to be looked after": "cla_starts",
    "Rate of children starting to be looked after per 10,000 children aged 0-17": (
        "cla_starts_rate_per_10000"
    ),
    "Children ceasing to be looked after": "cla_ceased",
    "Rate of children ceasing to be looked after per 10,000 children aged 0-17": (
        "cla_ceased_rate_per_10000"
    ),
    "Adopted (% of children ceasing to be looked after)": "cla_ceased_adopted",
    "Looked after at 31 March with 3 or more placements in the year (%)": "placements_3_or_more",
    "Long-term stability: under 16, looked after 2.5+ years, same placement 2+ years (%)": (
        "placement_stability_long_term"
    ),
    "Children looked after in the year who went missing (%)": "missing_children",
    "Missing incidents": "missing_incidents",
    "Average missing incidents per child who went missing": "missing_incidents_per_child",
    "Children away from placement without authorisation": "away_children_count",
    "Children looked after in the year who were away from placement without authorisation (%)": (
        "away_children"
    ),
    "Away-from-placement incidents": "away_incidents",
    "Care leavers 17-18 in education, employment or training (%)": "care_leavers_17_18_eet",
    "Care leavers 17-18 in suitable accommodation (%)": "care_leavers_17_18_suitable_accommodation",
    "Care leavers 17-18 in touch with the council (%)": "care_leavers_17_18_in_touch",
    "Care leavers 19-21 in education, employment or training (%)": "care_leavers_19_21_eet",
    "Care leavers 19-21 in suitable accommodation (%)": "care_leavers_19_21_suitable_accommodation",
    "Care leavers 19-21 in touch with the council (%)": "care_leavers_19_21_in_touch",
    "Children adopted in the year": "adopted",
    "A1: average days from entering care to moving in with the adoptive family": (
        "adoption_a1_days"
    ),
    "A10: average days from entering care to moving in with the adoptive family, adjusted for "
    "foster carer adoptions": "adoption_a10_days",
    "A2: average days from court authority to place to matching": "adoption_a2_days",
}


def code_for(label: str) -> str:
    """The code of an SSDA903 indicator stored by its label only (see statutory.measures)."""
    return code_for_label(label, FIRST_LABELS, BREAKDOWNS, MEASURES)
