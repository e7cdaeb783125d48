"""What a judgement history is: Ofsted's grades and frameworks, the councils (with those that
no longer exist), one judgement, and a history of them (see `insight.judgements`)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

OUTCOMES_2025 = "reference/dfe-csc-outcomes-enablers/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
DATA_2023 = (
    "reference/dfe-csc-outcomes-enablers/Childrens_social_care_in_England_2023_underlying_data.ods"
)
SCRAPE = "reference/ofsted-ilacs-scrape-tool/ofsted_csc_ilacs_overview.xlsx"
COUNCILS = "reference/derived/la_reference_153_2024.csv"

OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE = (
    "outstanding",
    "good",
    "requires-improvement",
    "inadequate",
)
GRADES = (OUTSTANDING, GOOD, REQUIRES_IMPROVEMENT, INADEQUATE)
GOOD_OR_BETTER = frozenset({OUTSTANDING, GOOD})
GRADE_LABELS = {
    OUTSTANDING: "Outstanding",
    GOOD: "Good",
    REQUIRES_IMPROVEMENT: "Requires improvement to be good",
    INADEQUATE: "Inadequate",
}

# Frameworks, as the service's Framework values.
SLAC, SLAC_REINSPECTION, CPI, CPRI, TLAC = "slac", "slac-reinspection", "cpi", "cpri", "tlac"
SIF, SIF_REINSPECTION = "sif", "sif-reinspection"
ILACS_STANDARD, ILACS_SHORT = "ilacs-standard", "ilacs-short"
# The frameworks that judge the overall effectiveness of the whole service, and their family:
# SLAC, CPI and TLAC judged parts of it, so the analysis leaves them out.
FAMILY = {SIF: "sif", SIF_REINSPECTION: "sif", ILACS_STANDARD: "ilacs", ILACS_SHORT: "ilacs"}
FAMILY_LABELS = {"sif": "SIF", "ilacs": "ILACS"}

# Councils that no longer exist: name in Ofsted's spelling → (old ONS code, the day they ended,
# the DfE code of a successor, whose region they were in).
FORMER_COUNCILS: dict[str, tuple[str, dt.date, str]] = {
    "Bournemouth": ("E06000028", dt.date(2019, 4, 1), "839"),
    "Poole": ("E06000029", dt.date(2019, 4, 1), "839"),
    "Dorset": ("E10000009", dt.date(2019, 4, 1), "838"),
    "Northamptonshire": ("E10000021", dt.date(2021, 4, 1), "940"),
    "Cumbria": ("E10000006", dt.date(2023, 4, 1), "942"),
}
# Successor councils, which exist from these dates (DfE codes).
COUNCIL_STARTED: dict[str, dt.date] = {
    "838": dt.date(2019, 4, 1),  # Dorset (the unitary council)
    "839": dt.date(2019, 4, 1),  # Bournemouth, Christchurch and Poole
    "940": dt.date(2021, 4, 1),  # North Northamptonshire
    "941": dt.date(2021, 4, 1),  # West Northamptonshire
    "942": dt.date(2023, 4, 1),  # Cumberland
    "943": dt.date(2023, 4, 1),  # Westmorland and Furness
}
# Names in the 2023 data that differ from Ofsted's current spelling beyond case and '&'/'and'.
NAME_ALIASES = {"bedford borough": "bedford"}


SOURCE_OFFICIAL, SOURCE_2023, SOURCE_SCRAPE = "ofsted-outcomes-2025", "ofsted-2023", "scrape"


class InsightDataError(Exception):
    """A published file is missing or not in the shape expected; the message is one line."""

    def __init__(
        self, path: Path, message: str, *, row: int | None = None, column: str = ""
    ) -> None:
        self.path, self.message, self.row, self.column = path, message, row, column
        where = path.name
        if row is not None:
            where += f" row {row}"
        if column:
            where += f", column {column!r}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Council:
    code: str  # ONS code (the old one for a council that no longer exists)
    dfe_code: str  # "" for a council that no longer exists
    name: str  # Ofsted's spelling
    region: str  # Ofsted's region
    ended: dt.date | None = None
    started: dt.date | None = None


@dataclass
class Judgement:
    council: str  # ONS code, a key of History.councils
    framework: str
    published: dt.date
    inspected: dt.date | None = None
    overall: str = ""
    leaders: str = ""
    help_and_protection: str = ""
    children_in_care: str = ""
    care_leavers: str = ""
    adoption: str = ""
    source: str = ""
    link: str = ""  # the report on Ofsted's site (the scrape gives it)

    @property
    def family(self) -> str:
        """`sif` or `ilacs` for a judgement of the whole service, else ''."""
        return FAMILY.get(self.framework, "")


@dataclass
class History:
    councils: dict[str, Council]
    judgements: list[Judgement]  # sorted by council, publication date
    notes: list[str] = field(default_factory=list)

    def overall(self) -> list[Judgement]:
        """Judgements of the whole service (SIF and ILACS) that have an overall grade."""
        return [j for j in self.judgements if j.family and j.overall]

    def latest_publication(self) -> dt.date:
        """The latest publication date of an overall judgement in the data: the data's cut-off."""
        return max(j.published for j in self.overall())
