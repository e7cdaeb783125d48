"""Loads Ofsted's judgements of every council and the published indicators, from
../shared/data/reference/ (see reference/SOURCES.md for every file's columns and glitches).

Judgements (`judgement_loader`): every council's history as the Django-free `insight.judgements`
reads and reconciles it from three sources (the official statistics win):
(a) dfe-csc-outcomes-enablers/LA_Inspection_Outcomes_as_at_31_March_2025.ods — Ofsted's official
    outcomes: every ILACS inspection from 2018 to 31 March 2025.
(b) dfe-csc-outcomes-enablers/Childrens_social_care_in_England_2023_underlying_data.ods, sheet
    LA_inspections_2009-2023 — the earlier frameworks (SLAC, CPI, TLAC, SIF, SIF re-inspection),
    joined by name in Ofsted's spelling; councils from before the 2019/2021/2023
    reorganisations are kept as former councils.
(c) ofsted-ilacs-scrape-tool/ofsted_csc_ilacs_overview.xlsx — each council's latest ILACS report,
    scraped; used only for inspections (a) does not have (those after 31 March 2025).

Indicators (`indicator_loader`): the DfE LAIT long table and the key measures from the official
tables (EES CSVs), with older releases filling years the newest release does not cover.
"""

from __future__ import annotations

from pathlib import Path

from alliance.nationalpicture.indicator_loader import (
    EES,
    ENGLAND,
    KEY_INDICATORS,
    LAIT,
    LAIT_DICTIONARY,
    OLDER,
    load_indicators,
    period_sort,
)
from alliance.nationalpicture.judgement_loader import load_judgements
from alliance.organisations.reference import LoadReport
from insight.judgements import COUNCIL_STARTED, DATA_2023, OUTCOMES_2025, SCRAPE

__all__ = [
    "COUNCIL_STARTED",
    "DATA_2023",
    "EES",
    "ENGLAND",
    "KEY_INDICATORS",
    "LAIT",
    "LAIT_DICTIONARY",
    "OLDER",
    "OUTCOMES_2025",
    "SCRAPE",
    "load",
    "load_indicators",
    "load_judgements",
    "period_sort",
]


def load(data_dir: Path) -> list[LoadReport]:
    return [load_judgements(data_dir), *load_indicators(data_dir)]
