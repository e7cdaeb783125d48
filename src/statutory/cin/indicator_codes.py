"""The CIN census indicators' stable codes, their labels and the published measures they match
(see statutory.measures and docs/statutory/cin-indicators.md)."""

from __future__ import annotations

from statutory.measures import Breakdown, Measure, catalogue, code_for_label

CIN_BY_NEED = Breakdown("cin_by_need", "Children in need at 31 March: ")
ASSESSMENT_FACTORS = Breakdown("assessment_factor", "Assessment factor ")
BREAKDOWNS = (CIN_BY_NEED, ASSESSMENT_FACTORS)

# Every indicator but the breakdowns' members: code (stable), label (free to reword), and the
# published measure it matches (see statutory.measures).
MEASURES = catalogue(
    [
        Measure("referrals", "Referrals in the year"),
        # the DfE's rate of referrals per 10,000 children, as its LAIT republishes the
        # characteristics of children in need table (c1)
        Measure(
            "referrals_rate_per_10000",
            "Referrals per 10,000 children",
            "CPP_Total_Rateper10,000",
        ),
        Measure("children_referred", "Children referred in the year"),
        Measure("rereferrals", "Re-referrals within 12 months (% of referrals)", "ees-rereferrals"),
        Measure(
            "children_rereferred",
            "Children re-referred within 12 months of a previous referral (% of children referred)",
        ),
        Measure("assessments_completed", "Assessments completed in the year"),
        Measure(
            "assessments_within_45_days",
            "Assessments completed within 45 working days (%)",
            "Continue_Assess_Comp",  # LAIT: continuous assessments within 45 working days
        ),
        Measure("s47_started", "Section 47 enquiries started in the year"),
        Measure("s47_rate_per_10000", "Section 47 enquiries per 10,000 children", "Section_47"),
        Measure("children_with_s47", "Children with a section 47 enquiry started in the year"),
        Measure("icpcs", "Initial child protection conferences in the year"),
        Measure(
            "children_with_icpc", "Children with an initial child protection conference in the year"
        ),
        Measure("icpcs_within_15_days", "ICPCs within 15 working days of the section 47 start (%)"),
        Measure("cpp_at_31_march", "Children on a child protection plan at 31 March"),
        Measure(
            "cpp_rate_per_10000",
            "Children on a child protection plan per 10,000 children",
            "CPP_rate",
        ),
        Measure("cpp_starts", "Plans starting in the year"),
        Measure(
            "cpp_starts_repeat",
            "Plans starting in the year that are a second or subsequent plan (%)",
            "ees-repeat-cp-plans",
        ),
        Measure(
            "cpp_ended_2_years_or_more",
            "Plans ending in the year that lasted 2 years or more (%)",
            "CPPlans2yrs",
        ),
        Measure("cin_at_31_march", "Children in need at 31 March"),
        Measure("cin_rate_per_10000", "Children in need per 10,000 children", "CIN"),
        Measure("episodes_with_factors", "Episodes with assessment factors recorded in the year"),
    ]
)

# The labels as worded when indicators got codes, for figures stored before then (label only).
# Frozen: leave these as they are when a label above is reworded.
FIRST_LABELS: dict[str, str] = {
    "Referrals in the year": "referrals",
    "Referrals per 10,000 children": "referrals_rate_per_10000",
    "Children referred in the year": "children_referred",
    "Re-referrals within 12 months (% of referrals)": "rereferrals",
    "Children re-referred within 12 months of a previous referral (% of children referred)": "children_rereferred",
    "Assessments completed in the year": "assessments_completed",
    "Assessments completed within 45 working days (%)": "assessments_within_45_days",
    "Section 47 enquiries started in the year": "s47_started",
    "Section 47 enquiries per 10,000 children": "s47_rate_per_10000",
    "Children with a section 47 enquiry started in the year": "children_with_s47",
    "Initial child protection conferences in the year": "icpcs",
    "Children with an initial child protection conference in the year": "children_with_icpc",
    "ICPCs within 15 working days of the section 47 start (%)": "icpcs_within_15_days",
    "Children on a child protection plan at 31 March": "cpp_at_31_march",
    "Children on a child protection plan per 10,000 children": "cpp_rate_per_10000",
    "Plans starting in the year": "cpp_starts",
    "Plans starting in the year that are a second or subsequent plan (%)": "cpp_starts_repeat",
    "Plans ending in the year that lasted 2 years or more (%)": "cpp_ended_2_years_or_more",
    "Children in need at 31 March": "cin_at_31_march",
    "Children in need per 10,000 children": "cin_rate_per_10000",
    "Episodes with assessment factors recorded in the year": "episodes_with_factors",
}


def code_for(label: str) -> str:
    """The code of a CIN census indicator stored by its label only (see statutory.measures)."""
    return code_for_label(label, FIRST_LABELS, BREAKDOWNS, MEASURES)
