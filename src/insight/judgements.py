"""Every council's Ofsted judgement history, read from the published files (no database).

Three sources under `<shared data>/reference/`, reconciled as the national picture's loader
(alliance.nationalpicture.loaders) does, so the two can share this module later:

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

import csv
import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from statutory.reference import shared_data_dir

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

_GRADE_WORDS = {
    "outstanding": OUTSTANDING,
    "good": GOOD,
    "requires improvement to be good": REQUIRES_IMPROVEMENT,
    "requires improvement": REQUIRES_IMPROVEMENT,
    "inadequate": INADEQUATE,
}
# The scrape writes "inspection_pre_dates_judgement" for care leavers before that judgement existed.
_BLANK = {
    "",
    "nan",
    "none",
    "n/a",
    "-",
    "not applicable",
    "not judged",
    "inspection_pre_dates_judgement",
}
_ILACS_TYPES = {
    "ilacs standard inspection": ILACS_STANDARD,
    "ilacs short inspection": ILACS_SHORT,
    "standard": ILACS_STANDARD,
    "short": ILACS_SHORT,
}
SOURCE_OFFICIAL, SOURCE_2023, SOURCE_SCRAPE = "ofsted-outcomes-2025", "ofsted-2023", "scrape"


class InsightDataError(Exception):
    """A published file is missing or not in the shape expected; the message is one line."""

    def __init__(
        self, path: Path, message: str, *, row: int | None = None, column: str = ""
    ) -> None:
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


# ---------------------------------------------------------------------------------------------
# Reading cells


def _read_sheet(path: Path, sheet: str, header_row: int | None) -> list[tuple[Any, ...]]:
    """All rows of a sheet as tuples, the header first (or every row when header_row is None)."""
    if not path.exists():
        raise InsightDataError(path, f"file not found ({path})")
    try:
        if header_row is None:
            frame = pl.read_excel(
                path, sheet_name=sheet, engine="calamine", has_header=False, infer_schema_length=0
            )
            return frame.rows()
        frame = pl.read_excel(
            path,
            sheet_name=sheet,
            engine="calamine",
            read_options={"header_row": header_row},
            infer_schema_length=0,
        )
        return [tuple(frame.columns), *frame.rows()]
    except Exception as exc:  # calamine raises its own errors for a broken file or missing sheet
        raise InsightDataError(
            path, f"could not read sheet {sheet!r}: {exc}".splitlines()[0]
        ) from None


def _normal(text: object) -> str:
    return re.sub(r"\s+", " ", str(text or "")).strip().lower()


def _columns(
    path: Path, header: tuple[Any, ...], wanted: dict[str, str], row: int
) -> dict[str, int]:
    names = [_normal(h) for h in header]
    found: dict[str, int] = {}
    for key, title in wanted.items():
        if _normal(title) not in names:
            raise InsightDataError(path, f"missing column {title!r}", row=row)
        found[key] = names.index(_normal(title))
    return found


def _cell(row: tuple[Any, ...], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def _date(
    path: Path, row: int, column: str, raw: str, *, day_first: bool = False
) -> dt.date | None:
    if raw.lower() in _BLANK:
        return None
    try:
        if day_first:
            day, month, year = raw.split("/")
            return dt.date(int(year) + (2000 if len(year) == 2 else 0), int(month), int(day))
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise InsightDataError(path, f"{raw!r} is not a date", row=row, column=column) from None


def _grade(path: Path, row: int, column: str, raw: str) -> str:
    text = _normal(raw)
    if text in _BLANK:
        return ""
    if text not in _GRADE_WORDS:
        raise InsightDataError(path, f"{raw!r} is not an Ofsted grade", row=row, column=column)
    return _GRADE_WORDS[text]


def _grade_in(
    path: Path,
    number: int,
    row: tuple[Any, ...],
    index: dict[str, int],
    titles: dict[str, str],
    key: str,
) -> str:
    """The grade in column `key` of a row (titles name the columns for messages)."""
    return _grade(path, number, titles[key], _cell(row, index[key]))


def _name_key(name: str) -> str:
    key = _normal(name.replace("&", "and"))
    return NAME_ALIASES.get(key, key)


# ---------------------------------------------------------------------------------------------
# Councils


def read_councils(data_dir: Path) -> dict[str, Council]:
    """The 153 current councils and the five former ones, by ONS code."""
    path = data_dir / COUNCILS
    if not path.exists():
        raise InsightDataError(path, f"file not found ({path})")
    councils: dict[str, Council] = {}
    by_dfe: dict[str, Council] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        wanted = ("old_la_code", "new_la_code", "ofsted_la_name", "ofsted_region")
        missing = [c for c in wanted if c not in (reader.fieldnames or [])]
        if missing:
            raise InsightDataError(path, f"missing column {missing[0]!r}", row=1)
        for number, row in enumerate(reader, start=2):
            if not row["new_la_code"] or not row["old_la_code"]:
                raise InsightDataError(path, "council code is missing", row=number)
            council = Council(
                code=row["new_la_code"],
                dfe_code=row["old_la_code"],
                name=row["ofsted_la_name"],
                region=row["ofsted_region"],
                started=COUNCIL_STARTED.get(row["old_la_code"]),
            )
            councils[council.code] = council
            by_dfe[council.dfe_code] = council
    for name, (code, ended, successor) in FORMER_COUNCILS.items():
        if successor not in by_dfe:
            raise InsightDataError(path, f"no council with DfE code {successor} (succeeds {name})")
        councils[code] = Council(
            code=code, dfe_code="", name=name, region=by_dfe[successor].region, ended=ended
        )
    return councils


# ---------------------------------------------------------------------------------------------
# The three sources

_OFFICIAL_COLUMNS = {
    "code": "Local authority area code",
    "name": "Local authority name",
    "inspected": "Inspection date",
    "published": "Publication date",
    "overall": "Overall effectiveness",
    "leaders": "The impact of leaders on social work practice with children and families",
    "help": "The experiences and progress of children who need help and protection",
    "care": "The experiences and progress of children in care",
    "leavers": "The experiences and progress of care leavers",
}


def read_official(
    data_dir: Path, councils: dict[str, Council], notes: list[str]
) -> list[Judgement]:
    """(a) Ofsted's official ILACS outcomes to 31 March 2025."""
    path = data_dir / OUTCOMES_2025
    found: dict[tuple[str, dt.date], Judgement] = {}
    sheets = [
        ("ILACS_inspection_history", {**_OFFICIAL_COLUMNS, "type": "Inspection type"}),
        ("Inspections_as_at_31_March", dict(_OFFICIAL_COLUMNS)),
        (
            "In-year_inspections",
            {
                **_OFFICIAL_COLUMNS,
                "inspected": "Inspection/Visit date",
                "type": "Inspection/Visit type",
            },
        ),
    ]
    for sheet, wanted in sheets:
        rows = _read_sheet(path, sheet, header_row=2)
        index = _columns(path, rows[0], wanted, row=3)
        for offset, row in enumerate(rows[1:]):
            number = offset + 4  # the header is row 3 of the sheet
            code = _cell(row, index["code"])
            if not code:
                continue
            kind = _cell(row, index["type"]).lower() if "type" in index else "standard"
            if kind not in _ILACS_TYPES:
                continue  # focused and monitoring visits make no judgement
            inspected = _date(path, number, wanted["inspected"], _cell(row, index["inspected"]))
            if inspected is None:
                raise InsightDataError(
                    path, "inspection date is missing", row=number, column=wanted["inspected"]
                )
            if (code, inspected) in found:
                continue  # the later sheets repeat the history, which carries the type
            if code not in councils:
                raise InsightDataError(
                    path, f"unknown council code {code!r}", row=number, column=wanted["code"]
                )
            if sheet != "ILACS_inspection_history":
                notes.append(
                    f"{sheet} row {number}: {code} inspected {inspected} is not in the history sheet; added"
                )
            published = _date(path, number, wanted["published"], _cell(row, index["published"]))
            if published is None:
                raise InsightDataError(
                    path, "publication date is missing", row=number, column=wanted["published"]
                )

            def grade(key: str) -> str:
                return _grade_in(path, number, row, index, wanted, key)  # noqa: B023 - used at once

            found[(code, inspected)] = Judgement(
                council=code,
                framework=_ILACS_TYPES[kind],
                published=published,
                inspected=inspected,
                overall=grade("overall"),
                leaders=grade("leaders"),
                help_and_protection=grade("help"),
                children_in_care=grade("care"),
                care_leavers=grade("leavers"),
                source=SOURCE_OFFICIAL,
            )
    return list(found.values())


# (framework, date column, overall column, sub-judgement columns) in the 2023 sheet's words.
_SHEET_2023: list[tuple[str, str, str | None, dict[str, str]]] = [
    (
        SLAC,
        "Safeguarding & Looked After Children (SLAC) Inspection publication date",
        None,
        {
            "help_and_protection": "SLAC Safeguarding Overall effectiveness (OE)",
            "children_in_care": "SLAC Looked After Children Overall Effectiveness (OE)",
        },
    ),
    (
        SLAC_REINSPECTION,
        "SLAC re-inspection of Safeguarding publication date",
        None,
        {"help_and_protection": "SLAC re-inspection Safeguarding OE"},
    ),
    (
        SLAC_REINSPECTION,
        "SLAC re-inspection of services for Children Looked After publication date",
        None,
        {"children_in_care": "SLAC re-inspection of services Children Looked After OE"},
    ),
    (
        CPI,
        "Child Protection Inspections (CPI) publication date",
        None,
        {"help_and_protection": "CPI Overall Effectiveness (OE)"},
    ),
    (
        CPRI,
        "Child Protection Re-Inspection (CPRI) publication date",
        None,
        {"help_and_protection": "CPRI Overall Effectiveness (OE)"},
    ),
    (
        TLAC,
        "Targeted Looked After Children (TLAC) inspection publication date",
        None,
        {"children_in_care": "TLAC Overall Effectiveness (OE)"},
    ),
    (
        SIF,
        "Single Inspection of LA Children's Services (SIF) First SIF publication date",
        "First SIF Overall Judgement (OE)",
        {
            "help_and_protection": "First SIF children who need help and protection",
            "children_in_care": "First SIF children looked after and achieving permanence",
            "adoption": "First SIF CLA Sub: Adoption Performance",
            "care_leavers": "First SIF CLA Sub: Experiences and progress of care leavers",
            "leaders": "First SIF leadership, management and governance",
        },
    ),
    (
        SIF_REINSPECTION,
        "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date",
        "SIF Re-inspection Overall Judgement (OE)",
        {
            "help_and_protection": "SIF Re-inspection children who need help and protection",
            "children_in_care": "SIF Re-inspection children looked after and achieving permanence",
            "adoption": "SIF Re-inspection CLA Sub: Adoption Performance",
            "care_leavers": "SIF Re-inspection CLA Sub: Experiences and progress of care leavers",
            "leaders": "SIF Re-inspection leadership, management and governance",
        },
    ),
]


def _earlier_row(
    path: Path,
    number: int,
    row: tuple[Any, ...],
    index: dict[str, int],
    council: Council,
    found: dict[tuple[str, str, dt.date], Judgement],
) -> None:
    """Each report one row of the 2023 sheet names, added to `found`."""
    for item, (framework, date_col, overall_col, subs) in enumerate(_SHEET_2023):
        published = _date(path, number, date_col, _cell(row, index[f"{item}:date"]))
        if published is None:
            continue
        key = (council.code, framework, published)
        # A SLAC re-inspection of safeguarding and one of looked-after services can
        # share a date: one report with both grades.
        judgement = found.setdefault(
            key,
            Judgement(
                council=council.code,
                framework=framework,
                published=published,
                source=SOURCE_2023,
            ),
        )
        if overall_col:
            judgement.overall = _grade(
                path, number, overall_col, _cell(row, index[f"{item}:overall"])
            )
        for attribute, column in subs.items():
            grade = _grade(path, number, column, _cell(row, index[f"{item}:{attribute}"]))
            if grade:
                setattr(judgement, attribute, grade)


def read_earlier(data_dir: Path, councils: dict[str, Council], notes: list[str]) -> list[Judgement]:
    """(b) The 2009-2023 frameworks from Ofsted's 2023 underlying data, joined by name."""
    path = data_dir / DATA_2023
    rows = _read_sheet(path, "LA_inspections_2009-2023", header_row=None)
    headers = [i for i, row in enumerate(rows) if _cell(row, 0) == "Web link"]
    if len(headers) != 2:
        raise InsightDataError(
            path, f"expected two tables (header rows starting 'Web link'), found {len(headers)}"
        )
    by_name: dict[str, Council] = {}
    for each in councils.values():
        if each.ended is None:
            by_name[_name_key(each.name)] = each
    formers = {c.name: c for c in councils.values() if c.ended is not None}
    wanted: dict[str, str] = {"name": "Local authority name"}
    for position, (_, date_col, overall_col, subs) in enumerate(_SHEET_2023):
        wanted[f"{position}:date"] = date_col
        if overall_col:
            wanted[f"{position}:overall"] = overall_col
        for key, column in subs.items():
            wanted[f"{position}:{key}"] = column
    found: dict[tuple[str, str, dt.date], Judgement] = {}
    unmatched: list[str] = []
    for table, start in enumerate(headers):
        end = headers[1] - 1 if table == 0 else len(rows)
        index = _columns(path, rows[start], wanted, row=start + 1)
        for position in range(start + 1, end):
            row, number = rows[position], position + 1
            name = _cell(row, index["name"])
            if not name or name.lower().startswith("table "):
                continue
            # The second table is the councils before reorganisation, whatever their name now.
            council: Council | None = None if table == 1 else by_name.get(_name_key(name))
            if council is None:
                council = formers.get(name)
            if council is None:
                unmatched.append(name)
                continue
            _earlier_row(path, number, row, index, council, found)
    if unmatched:
        notes.append(f"{path.name}: no council named {', '.join(sorted(unmatched))} (skipped)")
    return list(found.values())


_SCRAPE_COLUMNS = {
    "code": "la_code",
    "overall": "overall_effectiveness_grade",
    "framework": "inspection_framework",
    "start": "inspection_start_date",
    "published": "publication_date",
    "leaders": "impact_of_leaders_grade",
    "help": "help_and_protection_grade",
    "care": "in_care_grade",
    "leavers": "care_leavers_grade",
}


def read_scraped(data_dir: Path, councils: dict[str, Council]) -> list[Judgement]:
    """(c) Each council's latest ILACS report, as scraped from Ofsted's site."""
    path = data_dir / SCRAPE
    rows = _read_sheet(path, "ofsted_cs_inspections_overview", header_row=0)
    index = _columns(path, rows[0], _SCRAPE_COLUMNS, row=1)
    by_dfe = {c.dfe_code: c for c in councils.values() if c.dfe_code}
    found: list[Judgement] = []
    for offset, row in enumerate(rows[1:]):
        number = offset + 2
        code = _cell(row, index["code"])
        council = by_dfe.get(code)
        if council is None:
            raise InsightDataError(
                path, f"unknown council code {code!r}", row=number, column="la_code"
            )

        def grade(key: str) -> str:
            return _grade_in(path, number, row, index, _SCRAPE_COLUMNS, key)  # noqa: B023 - used at once

        overall = grade("overall")
        framework = _cell(row, index["framework"]).lower()
        if not overall or framework not in _ILACS_TYPES:
            continue  # nothing scraped for this council
        published = _date(
            path, number, "publication_date", _cell(row, index["published"]), day_first=True
        )
        if published is None:
            raise InsightDataError(
                path, "publication date is missing", row=number, column="publication_date"
            )
        found.append(
            Judgement(
                council=council.code,
                framework=_ILACS_TYPES[framework],
                published=published,
                inspected=_date(
                    path,
                    number,
                    "inspection_start_date",
                    _cell(row, index["start"]),
                    day_first=True,
                ),
                overall=overall,
                leaders=grade("leaders"),
                help_and_protection=grade("help"),
                children_in_care=grade("care"),
                care_leavers=grade("leavers"),
                source=SOURCE_SCRAPE,
            )
        )
    return found


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
        f"{counts[SOURCE_2023][0]} earlier reports from the 2023 data, "
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
