"""Every council's Ofsted judgement history, read from the published files (no database).

Three sources under `<shared data>/reference/`, reconciled here once for both users: the
analysis in this package and the national picture's loader
(alliance.nationalpicture.judgement_loader), which stores this history. The types are in
`insight.history`, the reading of each file in `insight.ofsted_files`; every name is importable
from this module too:

(a) `dfe-csc-outcomes-enablers/LA_Inspection_Outcomes_as_at_31_March_2025.ods`: Ofsted's official
    statistics, every ILACS inspection from 2018 to 31 March 2025 (sheet `ILACS_inspection_history`),
    with the latest-per-council and in-year sheets read too in case they hold an inspection the
    history does not. Focused and monitoring visits make no judgement and are left out. The
    header is on row 3.
(b) `dfe-csc-outcomes-enablers/Childrens_social_care_in_England_2023_underlying_data.ods`, sheet
    `LA_inspections_2009-2023`: the earlier frameworks (SLAC 2009-12, CPI, TLAC, the single
    inspection framework (SIF) 2014-17 and its re-inspections). It has no codes, so councils are
    joined by name in Ofsted's spelling. It holds two tables; the second is four councils from
    before the 2019 and 2021 reorganisations. Only publication dates are given. Its ILACS columns
    are not read: (a) is the official record of those.
(c) `ofsted-ilacs-scrape-tool/ofsted_csc_ilacs_overview.xlsx`: each council's latest ILACS report,
    scraped from Ofsted's site; used only for inspections that (a) does not have (published after
    31 March 2025).

Reconciliation:
- The same inspection in two sources is kept once, from the official statistics: the same
  council and framework family (ILACS) with publication or inspection dates within 7 days (the
  scrape's dates are typed by hand upstream), or the same council, framework and publication date.
- Councils are identified by their current ONS code, from `derived/la_reference_153_2024.csv`.
  Buckinghamshire (2020), North Yorkshire and Somerset (2023) became unitary councils with the
  same children's services and DfE code, so their history before and after is one history.
- Councils that no longer exist (Bournemouth, Poole and the Dorset county council in 2019,
  Northamptonshire in 2021, Cumbria in 2023) keep their own history under their old ONS code
  with the day they ended. Their successors' histories start on the day the successor began:
  a judgement of the old council printed under a successor's name is not the successor's.
- Grades are Ofsted's four-point scale, spelt `outstanding`, `good`, `requires-improvement`,
  `inadequate` (as the service's Grade values). SLAC's older grades use the same words.
- Dates are calendar dates; SIF and earlier give publication dates only.

A file that is missing or not in the expected shape raises `InsightDataError`, whose message
names the file, row and column.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from insight.history import (
    COUNCIL_STARTED,
    COUNCILS,
    CPI,
    CPRI,
    DATA_2023,
    FAMILY,
    FAMILY_LABELS,
    FORMER_COUNCILS,
    GOOD,
    GOOD_OR_BETTER,
    GRADE_LABELS,
    GRADES,
    ILACS_SHORT,
    ILACS_STANDARD,
    INADEQUATE,
    NAME_ALIASES,
    OUTCOMES_2025,
    OUTSTANDING,
    REQUIRES_IMPROVEMENT,
    SCRAPE,
    SIF,
    SIF_REINSPECTION,
    SLAC,
    SLAC_REINSPECTION,
    SOURCE_2023,
    SOURCE_OFFICIAL,
    SOURCE_SCRAPE,
    TLAC,
    Council,
    History,
    InsightDataError,
    Judgement,
)
from insight.ofsted_files import read_councils, read_earlier, read_official, read_scraped
from statutory.reference import shared_data_dir

# Every name stays importable from here (the readers and the types moved to their own modules).
__all__ = [
    "COUNCILS",
    "COUNCIL_STARTED",
    "CPI",
    "CPRI",
    "DATA_2023",
    "FAMILY",
    "FAMILY_LABELS",
    "FORMER_COUNCILS",
    "GOOD",
    "GOOD_OR_BETTER",
    "GRADES",
    "GRADE_LABELS",
    "ILACS_SHORT",
    "ILACS_STANDARD",
    "INADEQUATE",
    "NAME_ALIASES",
    "OUTCOMES_2025",
    "OUTSTANDING",
    "REQUIRES_IMPROVEMENT",
    "SCRAPE",
    "SIF",
    "SIF_REINSPECTION",
    "SLAC",
    "SLAC_REINSPECTION",
    "SOURCE_2023",
    "SOURCE_OFFICIAL",
    "SOURCE_SCRAPE",
    "TLAC",
    "Council",
    "History",
    "InsightDataError",
    "Judgement",
    "load_history",
    "read_councils",
    "read_earlier",
    "read_official",
    "read_scraped",
    "reconcile",
]


# ---------------------------------------------------------------------------------------------
# Reconciling


def _same_inspection(a: Judgement, b: Judgement) -> bool:
    if a.council != b.council:
        return False
    if a.framework == b.framework and a.published == b.published:
        return True
    if a.family != "ilacs" or b.family != "ilacs":
        return False
    if abs((a.published - b.published).days) <= 7:
        return True
    return bool(a.inspected and b.inspected and abs((a.inspected - b.inspected).days) <= 7)


def reconcile(
    councils: dict[str, Council],
    official: Iterable[Judgement],
    earlier: Iterable[Judgement],
    scraped: Iterable[Judgement],
    notes: list[str],
) -> list[Judgement]:
    """One list, each inspection once: the official statistics first, then what the others add."""
    kept: list[Judgement] = list(official)
    by_council: dict[str, list[Judgement]] = {}
    for judgement in kept:
        by_council.setdefault(judgement.council, []).append(judgement)
    counts = {SOURCE_2023: [0, 0], SOURCE_SCRAPE: [0, 0]}  # added, already there
    for judgement in [*earlier, *scraped]:
        council = councils[judgement.council]
        if any(_same_inspection(judgement, o) for o in by_council.get(judgement.council, [])):
            counts[judgement.source][1] += 1
            continue
        if council.started and judgement.published < council.started:
            counts[judgement.source][1] += 1
            notes.append(
                f"{council.name}: {judgement.framework} published {judgement.published} "
                f"predates the council ({council.started}); skipped"
            )
            continue
        counts[judgement.source][0] += 1
        kept.append(judgement)
        by_council.setdefault(judgement.council, []).append(judgement)
    notes.append(
        f"{len(kept) - counts[SOURCE_2023][0] - counts[SOURCE_SCRAPE][0]} from the official outcomes, "
        f"{counts[SOURCE_2023][0]} earlier reports from the 2023 data "
        f"({counts[SOURCE_2023][1]} already in the official outcomes), "
        f"{counts[SOURCE_SCRAPE][0]} later ones from the scrape "
        f"({counts[SOURCE_SCRAPE][1]} already in the official outcomes)"
    )
    kept.sort(key=lambda j: (j.council, j.published, j.framework))
    return kept


def load_history(data_dir: Path | None = None) -> History:
    """Every council's judgement history from the shared data folder (default: the project's)."""
    if data_dir is None:
        data_dir = shared_data_dir()
    councils = read_councils(data_dir)
    notes: list[str] = []
    official = read_official(data_dir, councils, notes)
    earlier = read_earlier(data_dir, councils, notes)
    scraped = read_scraped(data_dir, councils)
    judgements = reconcile(councils, official, earlier, scraped, notes)
    return History(councils=councils, judgements=judgements, notes=notes)
