"""Insight: improvement across the country, from Ofsted's published judgements (issue #18)."""

from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class EvidenceConfig(AppConfig):
    name = "alliance.evidence"
    label = "evidence"
    verbose_name = "Insight"
    # After the national picture's judgements: `alliance load-reference` (and so the demo, which
    # needs it first) computes and stores the figures the Insight pages read.
    reference_loaders = ("alliance.evidence.figures.store",)
    reference_order = 30
    sections = (
        Section(
            "Insight",
            "insight:improvement",
            "How councils' Ofsted judgements change, and how long councils take to be judged good or better.",
            order=15,
        ),
        Section(
            "Insight for the DfE",
            "insight:briefing",
            "Whether support worked, practice that worked, and a briefing for ministers to print or download.",
            area=Area.PROGRAMME_SETUP,
            order=16,
        ),
    )
