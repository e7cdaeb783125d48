"""Loads Ofsted's judgements of every council and the published indicators, from
../shared/data/reference/ (see reference/SOURCES.md for every file's columns and glitches).

Judgements, three sources, deduplicated (the official statistics win):
(a) dfe-csc-outcomes-enablers/LA_Inspection_Outcomes_as_at_31_March_2025.ods — Ofsted's official
    outcomes: every ILACS inspection from 2018 to 31 March 2025 (sheet ILACS_inspection_history),
    checked against the latest-per-council and in-year sheets (header on row 3).
(b) dfe-csc-outcomes-enablers/Childrens_social_care_in_England_2023_underlying_data.ods, sheet
    LA_inspections_2009-2023 — the earlier frameworks (SLAC, CPI, TLAC, SIF, SIF re-inspection).
    No codes: joined by name in Ofsted's spelling. Two tables on one sheet; the second holds four
    councils from before the 2019/2021 reorganisations, kept as former councils; Cumbria (in the
    first table) ended in 2023. Only publication dates are given.
(c) ofsted-ilacs-scrape-tool/ofsted_csc_ilacs_overview.xlsx — each council's latest ILACS report,
    scraped; used only for inspections (a) does not have (those after 31 March 2025).

Indicators: the DfE LAIT long table (dfe-lait/bds_long_0.parquet, 434 measures, polarity from
lait_data_dictionary.csv) and the key measures from the official tables (EES CSVs), with older
releases filling years the newest release does not cover.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import polars as pl
from django.db import connection

from alliance.nationalpicture.models import (
    Framework,
    Grade,
    Indicator,
    IndicatorValue,
    Judgement,
    Source,
)
from alliance.organisations.models import Council
from alliance.organisations.reference import (
    SUPPRESSION_MARKERS,
    LoadReport,
    ReferenceFileError,
    read_csv_rows,
)

OUTCOMES_2025 = "reference/dfe-csc-outcomes-enablers/LA_Inspection_Outcomes_as_at_31_March_2025.ods"
DATA_2023 = (
    "reference/dfe-csc-outcomes-enablers/Childrens_social_care_in_England_2023_underlying_data.ods"
)
SCRAPE = "reference/ofsted-ilacs-scrape-tool/ofsted_csc_ilacs_overview.xlsx"
LAIT = "reference/dfe-lait/bds_long_0.parquet"
LAIT_DICTIONARY = "reference/dfe-lait/lait_data_dictionary.csv"
EES = "reference/dfe-csc-outcomes-enablers/"
OLDER = "reference/dfe-older-releases/cla_release_2022_years_2018_to_2022/"

ENGLAND = "E92000001"

# Councils that no longer exist: name in Ofsted's spelling → (ONS code, the day they ended).
FORMER_COUNCILS: dict[str, tuple[str, dt.date]] = {
    "Bournemouth": ("E06000028", dt.date(2019, 4, 1)),
    "Poole": ("E06000029", dt.date(2019, 4, 1)),
    "Dorset": ("E10000009", dt.date(2019, 4, 1)),
    "Northamptonshire": ("E10000021", dt.date(2021, 4, 1)),
    "Cumbria": ("E10000006", dt.date(2023, 4, 1)),
}
# Their successors, which exist from these dates (their DfE codes).
COUNCIL_STARTED: dict[str, dt.date] = {
    "838": dt.date(2019, 4, 1),  # Dorset (the unitary council)
    "839": dt.date(2019, 4, 1),  # Bournemouth, Christchurch and Poole
    "940": dt.date(2021, 4, 1),  # North Northamptonshire
    "941": dt.date(2021, 4, 1),  # West Northamptonshire
    "942": dt.date(2023, 4, 1),  # Cumberland
    "943": dt.date(2023, 4, 1),  # Westmorland and Furness
}
# Names in the 2023 data that differ from Council.ofsted_name beyond case and '&'/'and'.
NAME_ALIASES = {"bedford borough": "bedford"}

_GRADES = {
    "outstanding": Grade.OUTSTANDING,
    "good": Grade.GOOD,
    "requires improvement to be good": Grade.REQUIRES_IMPROVEMENT,
    "requires improvement": Grade.REQUIRES_IMPROVEMENT,
    "inadequate": Grade.INADEQUATE,
}
# The scrape writes "inspection_pre_dates_judgement" for care leavers before that judgement existed (2023).
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
    "ilacs standard inspection": Framework.ILACS_STANDARD,
    "ilacs short inspection": Framework.ILACS_SHORT,
    "standard": Framework.ILACS_STANDARD,
    "short": Framework.ILACS_SHORT,
}


def load(data_dir: Path) -> list[LoadReport]:
    return [load_judgements(data_dir), *load_indicators(data_dir)]


# ---------------------------------------------------------------------------------------------
# Reading spreadsheets


def _read_sheet(path: Path, sheet: str, header_row: int | None) -> list[tuple[Any, ...]]:
    """All rows of a sheet as tuples (header included when header_row is None)."""
    if not path.exists():
        raise ReferenceFileError(path, "file not found")
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
    except Exception as exc:  # calamine raises its own errors for a broken or missing sheet
        raise ReferenceFileError(
            path, f"could not read sheet {sheet!r}: {exc}".splitlines()[0]
        ) from None


def _header_index(
    path: Path, header: tuple[Any, ...], wanted: dict[str, str], row: int
) -> dict[str, int]:
    """Map our names to column positions, by header text (whitespace-insensitive)."""
    norm = [re.sub(r"\s+", " ", str(h or "")).strip().lower() for h in header]
    index: dict[str, int] = {}
    for key, title in wanted.items():
        title_n = re.sub(r"\s+", " ", title).strip().lower()
        if title_n not in norm:
            raise ReferenceFileError(path, f"missing column {title!r}", row=row, column=title)
        index[key] = norm.index(title_n)
    return index


def _cell(row: tuple[Any, ...], index: int) -> str:
    value = row[index] if index < len(row) else None
    return "" if value is None else str(value).strip()


def _date(
    path: Path, row: int, column: str, raw: str, *, day_first: bool = False
) -> dt.date | None:
    if not raw or raw.lower() in _BLANK:
        return None
    try:
        if day_first:
            day, month, year = raw.split("/")
            year_n = int(year) + (2000 if len(year) == 2 else 0)
            return dt.date(year_n, int(month), int(day))
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        raise ReferenceFileError(path, f"{raw!r} is not a date", row=row, column=column) from None


def _grade(path: Path, row: int, column: str, raw: str) -> str:
    text = re.sub(r"\s+", " ", raw).strip().lower()
    if text in _BLANK:
        return ""
    if text not in _GRADES:
        raise ReferenceFileError(path, f"{raw!r} is not an Ofsted grade", row=row, column=column)
    return _GRADES[text].value


def _name_key(name: str) -> str:
    key = re.sub(r"\s+", " ", name.replace("&", "and")).strip().lower()
    return NAME_ALIASES.get(key, key)


# ---------------------------------------------------------------------------------------------
# Judgements


@dataclass
class _Found:
    council_id: int | None
    area_name: str
    area_code: str
    ended: dt.date | None
    framework: str
    inspection_date: dt.date | None
    published: dt.date
    overall: str = ""
    leaders: str = ""
    help_and_protection: str = ""
    children_in_care: str = ""
    care_leavers: str = ""
    adoption: str = ""
    source: str = ""
    link: str = ""

    def key(self) -> tuple[str, str, dt.date]:
        return (self.area_name, self.framework, self.published)

    def values(self) -> dict[str, Any]:
        fields = [
            "council_id",
            "area_code",
            "ended",
            "inspection_date",
            "overall",
            "leaders",
            "help_and_protection",
            "children_in_care",
            "care_leavers",
            "adoption",
            "source",
            "link",
        ]
        return {f: getattr(self, f) for f in fields}


_OFFICIAL_COLUMNS = {
    "link": "Web link",
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


def _official(
    data_dir: Path, councils_by_ons: dict[str, Council], report: LoadReport
) -> list[_Found]:
    path = data_dir / OUTCOMES_2025
    found: dict[tuple[str, dt.date], _Found] = {}
    sheets = [
        (
            "ILACS_inspection_history",
            {**_OFFICIAL_COLUMNS, "type": "Inspection type", "status": "Local authority status"},
        ),
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
    for sheet, columns in sheets:
        rows = _read_sheet(path, sheet, header_row=2)
        index = _header_index(path, rows[0], columns, row=3)
        for offset, row in enumerate(rows[1:]):
            number = offset + 4  # the header is on row 3 of the sheet
            code = _cell(row, index["code"])
            if not code:
                continue
            kind = (
                _cell(row, index["type"]).lower()
                if "type" in index
                else "ilacs standard inspection"
            )
            if kind not in _ILACS_TYPES:
                continue  # focused and monitoring visits make no judgement
            inspected = _date(path, number, columns["inspected"], _cell(row, index["inspected"]))
            if inspected is None:
                raise ReferenceFileError(
                    path, "inspection date is missing", row=number, column=columns["inspected"]
                )
            if (code, inspected) in found:
                # The latest-per-council and in-year sheets repeat the history; the history's row
                # carries the inspection type, so the first one read is kept.
                continue
            if sheet != "ILACS_inspection_history":
                report.notes.append(
                    f"{sheet} row {number}: {code} inspected {inspected} is not in the history sheet; added"
                )
            published = _date(path, number, columns["published"], _cell(row, index["published"]))
            if published is None:
                raise ReferenceFileError(
                    path, "publication date is missing", row=number, column=columns["published"]
                )
            name = _cell(row, index["name"])
            council = councils_by_ons.get(code)
            ended = None
            if council is None:
                former = FORMER_COUNCILS.get(name)
                if former is None:
                    raise ReferenceFileError(
                        path, f"unknown council code {code!r}", row=number, column=columns["code"]
                    )
                ended = former[1]
                name = f"{name} (former council)"
            found[(code, inspected)] = _Found(
                council_id=council.pk if council else None,
                area_name=council.ofsted_name if council else name,
                area_code=code,
                ended=ended,
                framework=_ILACS_TYPES[kind].value,
                inspection_date=inspected,
                published=published,
                overall=_grade(path, number, columns["overall"], _cell(row, index["overall"])),
                leaders=_grade(path, number, columns["leaders"], _cell(row, index["leaders"])),
                help_and_protection=_grade(
                    path, number, columns["help"], _cell(row, index["help"])
                ),
                children_in_care=_grade(path, number, columns["care"], _cell(row, index["care"])),
                care_leavers=_grade(path, number, columns["leavers"], _cell(row, index["leavers"])),
                source=Source.OFFICIAL_2025.value,
            )
    return list(found.values())


# (framework, date column, overall, sub-judgement columns) in the 2023 sheet's wording.
_SHEET_2023: list[tuple[Framework, str, str | None, dict[str, str]]] = [
    (
        Framework.SLAC,
        "Safeguarding & Looked After Children (SLAC) Inspection publication date",
        None,
        {
            "help_and_protection": "SLAC Safeguarding Overall effectiveness (OE)",
            "children_in_care": "SLAC Looked After Children Overall Effectiveness (OE)",
        },
    ),
    (
        Framework.SLAC_REINSPECTION,
        "SLAC re-inspection of Safeguarding publication date",
        None,
        {"help_and_protection": "SLAC re-inspection Safeguarding OE"},
    ),
    (
        Framework.CPI,
        "Child Protection Inspections (CPI) publication date",
        None,
        {"help_and_protection": "CPI Overall Effectiveness (OE)"},
    ),
    (
        Framework.CPRI,
        "Child Protection Re-Inspection (CPRI) publication date",
        None,
        {"help_and_protection": "CPRI Overall Effectiveness (OE)"},
    ),
    (
        Framework.TLAC,
        "Targeted Looked After Children (TLAC) inspection publication date",
        None,
        {"children_in_care": "TLAC Overall Effectiveness (OE)"},
    ),
    (
        Framework.SIF,
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
        Framework.SIF_REINSPECTION,
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
# The SLAC re-inspection of looked-after services has its own date: read as a separate report.
_SLAC_CLA_REINSPECTION = (
    "SLAC re-inspection of services for Children Looked After publication date",
    "SLAC re-inspection of services Children Looked After OE",
)


def _earlier(  # noqa: PLR0912, PLR0915 - one pass over a sheet holding two tables
    data_dir: Path, councils_by_name: dict[str, Council], report: LoadReport
) -> list[_Found]:
    path = data_dir / DATA_2023
    rows = _read_sheet(path, "LA_inspections_2009-2023", header_row=None)
    headers = [i for i, row in enumerate(rows) if _cell(row, 0) == "Web link"]
    if len(headers) != 2:
        raise ReferenceFileError(
            path,
            f"expected two tables (header rows starting 'Web link'), found {len(headers)}",
            column="A",
        )
    found: list[_Found] = []
    unmatched: list[str] = []
    for table, start in enumerate(headers):
        end = headers[1] - 1 if table == 0 else len(rows)
        header = rows[start]
        columns: dict[str, str] = {"name": "Local authority name"}
        for framework, date_col, overall_col, subs in _SHEET_2023:
            columns[f"{framework}:date"] = date_col
            if overall_col:
                columns[f"{framework}:overall"] = overall_col
            for field, col in subs.items():
                columns[f"{framework}:{field}"] = col
        columns["slac-cla:date"], columns["slac-cla:grade"] = _SLAC_CLA_REINSPECTION
        index = _header_index(path, header, columns, row=start + 1)
        for position in range(start + 1, end):
            row = rows[position]
            number = position + 1
            name = _cell(row, index["name"])
            if not name or name.lower().startswith("table "):
                continue
            council = None if table == 1 else councils_by_name.get(_name_key(name))
            ended = None
            area_name = council.ofsted_name if council else name
            area_code = council.ons_code if council else ""
            if council is None:
                if name not in FORMER_COUNCILS:
                    unmatched.append(name)
                    report.rejected += 1
                    continue
                area_code, ended = FORMER_COUNCILS[name]
                area_name = f"{name} (former council)"
            reports: list[tuple[Framework, str, str | None, dict[str, str]]] = [*_SHEET_2023]
            for framework, date_col, overall_col, subs in reports:
                published = _date(path, number, date_col, _cell(row, index[f"{framework}:date"]))
                if published is None:
                    continue
                item = _Found(
                    council_id=council.pk if council else None,
                    area_name=area_name,
                    area_code=area_code,
                    ended=ended,
                    framework=framework.value,
                    inspection_date=None,
                    published=published,
                    source=Source.OFSTED_2023.value,
                )
                if overall_col:
                    item.overall = _grade(
                        path, number, overall_col, _cell(row, index[f"{framework}:overall"])
                    )
                for field, col in subs.items():
                    setattr(
                        item,
                        field,
                        _grade(path, number, col, _cell(row, index[f"{framework}:{field}"])),
                    )
                found.append(item)
            published = _date(
                path, number, _SLAC_CLA_REINSPECTION[0], _cell(row, index["slac-cla:date"])
            )
            if published is not None:
                found.append(
                    _Found(
                        council_id=council.pk if council else None,
                        area_name=area_name,
                        area_code=area_code,
                        ended=ended,
                        framework=Framework.SLAC_REINSPECTION.value,
                        inspection_date=None,
                        published=published,
                        children_in_care=_grade(
                            path,
                            number,
                            _SLAC_CLA_REINSPECTION[1],
                            _cell(row, index["slac-cla:grade"]),
                        ),
                        source=Source.OFSTED_2023.value,
                    )
                )
    if unmatched:
        report.notes.append(
            f"{DATA_2023.rsplit('/', 1)[1]}: no council named {', '.join(sorted(unmatched))} (skipped)"
        )
    # A SLAC re-inspection of safeguarding and one of looked-after services can share a date.
    merged: dict[tuple[str, str, dt.date], _Found] = {}
    for item in found:
        existing = merged.get(item.key())
        if existing is None:
            merged[item.key()] = item
        else:
            existing.help_and_protection = existing.help_and_protection or item.help_and_protection
            existing.children_in_care = existing.children_in_care or item.children_in_care
    return list(merged.values())


def _scraped(data_dir: Path, councils_by_code: dict[str, Council]) -> list[_Found]:
    path = data_dir / SCRAPE
    rows = _read_sheet(path, "ofsted_cs_inspections_overview", header_row=0)
    columns = {
        "code": "la_code",
        "link": "inspection_link",
        "overall": "overall_effectiveness_grade",
        "framework": "inspection_framework",
        "start": "inspection_start_date",
        "published": "publication_date",
        "leaders": "impact_of_leaders_grade",
        "help": "help_and_protection_grade",
        "care": "in_care_grade",
        "leavers": "care_leavers_grade",
    }
    index = _header_index(path, rows[0], columns, row=1)
    found: list[_Found] = []
    for offset, row in enumerate(rows[1:]):
        number = offset + 2
        code = _cell(row, index["code"])
        council = councils_by_code.get(code)
        if council is None:
            raise ReferenceFileError(
                path, f"unknown council code {code!r}", row=number, column="la_code"
            )
        overall = _grade(path, number, "overall_effectiveness_grade", _cell(row, index["overall"]))
        framework = _cell(row, index["framework"]).lower()
        if not overall or framework not in _ILACS_TYPES:
            continue  # no judgement scraped for this council
        published = _date(
            path, number, "publication_date", _cell(row, index["published"]), day_first=True
        )
        if published is None:
            raise ReferenceFileError(
                path, "publication date is missing", row=number, column="publication_date"
            )
        found.append(
            _Found(
                council_id=council.pk,
                area_name=council.ofsted_name,
                area_code=council.ons_code,
                ended=None,
                framework=_ILACS_TYPES[framework].value,
                inspection_date=_date(
                    path,
                    number,
                    "inspection_start_date",
                    _cell(row, index["start"]),
                    day_first=True,
                ),
                published=published,
                overall=overall,
                leaders=_grade(
                    path, number, "impact_of_leaders_grade", _cell(row, index["leaders"])
                ),
                help_and_protection=_grade(
                    path, number, "help_and_protection_grade", _cell(row, index["help"])
                ),
                children_in_care=_grade(path, number, "in_care_grade", _cell(row, index["care"])),
                care_leavers=_grade(
                    path, number, "care_leavers_grade", _cell(row, index["leavers"])
                ),
                source=Source.SCRAPE.value,
                link=_cell(row, index["link"])[:300],
            )
        )
    return found


def load_judgements(data_dir: Path) -> LoadReport:  # noqa: PLR0912, PLR0915
    report = LoadReport("Ofsted judgements")
    councils = list(Council.objects.all())
    by_ons = {c.ons_code: c for c in councils}
    by_code = {c.dfe_code: c for c in councils}
    by_name: dict[str, Council] = {}
    for c in councils:
        by_name[_name_key(c.ofsted_name)] = c
        by_name.setdefault(_name_key(c.name), c)
    official = _official(data_dir, by_ons, report)
    earlier = _earlier(data_dir, by_name, report)
    scraped = _scraped(data_dir, by_code)

    wanted: dict[tuple[str, str, dt.date], _Found] = {}
    ilacs = {Framework.ILACS_STANDARD.value, Framework.ILACS_SHORT.value}
    # Same inspection in two sources: same council, and the same inspection or publication date
    # (give or take a week: the scrape's dates are typed by hand upstream).
    seen: dict[str, list[_Found]] = {}
    for item in official:
        wanted[item.key()] = item
        seen.setdefault(item.area_name, []).append(item)

    def duplicate(item: _Found) -> bool:
        for other in seen.get(item.area_name, []):
            if other.framework not in ilacs or item.framework not in ilacs:
                continue
            if abs((other.published - item.published).days) <= 7:
                return True
            if (
                item.inspection_date
                and other.inspection_date
                and abs((other.inspection_date - item.inspection_date).days) <= 7
            ):
                return True
        return False

    skipped = {Source.OFSTED_2023.value: 0, Source.SCRAPE.value: 0}
    for item in [*earlier, *scraped]:
        if duplicate(item) or item.key() in wanted:
            skipped[item.source] += 1
            continue
        if item.council_id is not None:
            code = next(c.dfe_code for c in councils if c.pk == item.council_id)
            started = COUNCIL_STARTED.get(code)
            if started and item.published < started:
                skipped[item.source] += 1
                report.notes.append(
                    f"{item.area_name}: {item.framework} published {item.published} predates the council ({started}); skipped"
                )
                continue
        wanted[item.key()] = item
        seen.setdefault(item.area_name, []).append(item)
    report.notes.append(
        f"{len(official)} from the official outcomes, "
        f"{sum(1 for w in wanted.values() if w.source == Source.OFSTED_2023)} earlier reports from the 2023 data "
        f"({skipped[Source.OFSTED_2023.value]} already in the official outcomes), "
        f"{sum(1 for w in wanted.values() if w.source == Source.SCRAPE)} later ones from the scrape "
        f"({skipped[Source.SCRAPE.value]} already in the official outcomes)"
    )
    formers = sorted({w.area_name for w in wanted.values() if w.council_id is None})
    report.notes.append(f"former councils kept with their judgements: {', '.join(formers)}")

    existing = {(j.area_name, j.framework, j.published): j for j in Judgement.objects.all()}
    to_create: list[Judgement] = []
    to_update: list[Judgement] = []
    fields = list(next(iter(wanted.values())).values()) if wanted else []
    for key, item in wanted.items():
        values = item.values()
        current = existing.pop(key, None)
        if current is None:
            to_create.append(
                Judgement(area_name=key[0], framework=key[1], published=key[2], **values)
            )
            report.loaded += 1
        elif any(getattr(current, f) != v for f, v in values.items()):
            for f, v in values.items():
                setattr(current, f, v)
            to_update.append(current)
            report.changed += 1
        else:
            report.unchanged += 1
    Judgement.objects.bulk_create(to_create, batch_size=500)
    if to_update:
        Judgement.objects.bulk_update(to_update, fields, batch_size=500)
    if existing:
        Judgement.objects.filter(pk__in=[j.pk for j in existing.values()]).delete()
        report.changed += len(existing)
        report.notes.append(f"{len(existing)} judgements no longer in the sources were removed")
    return report


# ---------------------------------------------------------------------------------------------
# Indicators

# LAIT's codes for regions and England → ONS codes (as the official tables use them).
LAIT_AREAS = {
    "970": ENGLAND,
    "980": "E12000001",
    "981": "E12000002",
    "982": "E12000003",
    "983": "E12000004",
    "984": "E12000005",
    "985": "E12000006",
    "986": "E12000007",
    "987": "E13000001",
    "988": "E13000002",
    "989": "E12000008",
    "990": "E12000009",
}

_PERIOD = re.compile(
    r"^(\d{4})(?:([-/])(\d{2,4}))?(?:-(\d{2})/(\d{2}))?(?: \((?:OT|Rev|Final|prov)\))?$"
)


def period_sort(label: str) -> int | None:
    """A sortable key for a published period label: first year × 10 + its kind (0 a year,
    1 a financial year '2016-17', 2 an academic year '2016/17', 3 a range '2014-16', 4 a range of
    academic years '2013/14-15/16'). None for a label that is not a period (LAIT's '0')."""
    match = _PERIOD.match(label.strip())
    if match is None:
        return None
    year = int(match.group(1))
    if year < 1990:
        return None
    sep, second, range_end = match.group(2), match.group(3), match.group(4)
    if range_end is not None:
        kind = 4
    elif sep is None:
        kind = 0
    elif sep == "/":
        kind = 2
    else:
        end = int(second) if len(second) == 4 else (year // 100) * 100 + int(second)
        kind = 1 if end == year + 1 else 3
    return year * 10 + kind


@dataclass(frozen=True)
class _Spec:
    """A key indicator built from an official table."""

    code: str
    name: str
    topic: str
    polarity: str
    unit: str
    description: str
    year_type: str
    files: tuple[
        tuple[str, dict[str, str], str], ...
    ]  # (path, filters, value column), newest first
    # A LAIT measure republishing the same official figures, for years the tables here lack.
    lait_fill: str = ""


_EES_SPECS = (
    _Spec(
        "ees-cla-rate",
        "Children looked after at 31 March, rate per 10,000 children",
        "Children looked after",
        "",
        "per 10,000",
        "Children looked after on 31 March per 10,000 children aged 0 to 17 (DfE, children looked after in England).",
        "At 31 March",
        (
            (
                EES + "cla_number_and_rate_per_10k_children.csv",
                {"population_type": "Children looked after on 31 March each year"},
                "rate_per_10000",
            ),
        ),
        lait_fill="LAC",  # the same DfE rates (identical where they overlap), from 2016
    ),
    _Spec(
        "ees-rereferrals",
        "Re-referrals within 12 months of a previous referral (%)",
        "Children in need",
        "low",
        "%",
        "Referrals in the year that were within 12 months of a previous referral (DfE, characteristics of children in need).",
        "Year ending 31 March",
        (
            (
                EES + "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv",
                {},
                "rereferral_percent",
            ),
        ),
    ),
    _Spec(
        "ees-repeat-cp-plans",
        "Child protection plans that were a second or subsequent plan (%)",
        "Child protection",
        "low",
        "%",
        "Child protection plans starting in the year that were a second or subsequent plan (DfE, characteristics of children in need).",
        "Year ending 31 March",
        ((EES + "d3_cpps_subsequent_plan_2013_to_2025.csv", {}, "CPP_subsequent_percent"),),
    ),
    _Spec(
        "ees-placements-3plus",
        "Children looked after with 3 or more placements during the year (%)",
        "Placement stability",
        "low",
        "%",
        "Short-term placement stability: children looked after at 31 March who had three or more placements in the year.",
        "Year ending 31 March",
        (
            (
                EES + "la_cla_placement_stability.csv",
                {
                    "cla_group": "CLA on 31 March",
                    "placement_stability": "With 3 or more placements during the year",
                },
                "children_percent",
            ),
            (
                OLDER + "la_cla_at_31_march_placement_stability_indicator.csv",
                {
                    "cla_group": "Children looked after at 31 March",
                    "characteristic": "With 3 or more placements during the year",
                },
                "percentage",
            ),
        ),
    ),
    _Spec(
        "ees-placement-long-term",
        "Children looked after for 2.5 years or more, aged under 16, living with the same carer for at least 2 years (%)",
        "Placement stability",
        "high",
        "%",
        "Long-term placement stability: children under 16 looked after continuously for at least 2.5 years who have lived with the same carer (or in the same placement) for at least 2 years.",
        "At 31 March",
        (
            (
                EES + "la_cla_placement_stability.csv",
                {
                    "cla_group": "Children looked after continuously for at least 2.5 years on 31 March aged under 16 years",
                    "placement_stability": "Living with the same carer for at least 2 years",
                },
                "children_percent",
            ),
            (
                OLDER + "la_cla_at_31_march_placement_stability_indicator.csv",
                {
                    "cla_group": "Children looked after continuously for at least 2.5 years at 31 March aged under 16 years",
                    "characteristic": "~Living in the same placement",
                },
                "percentage",
            ),
        ),
    ),
    *(
        _Spec(
            f"ees-care-leavers-eet-{band}",
            f"Care leavers aged {label} in education, employment or training (%)",
            "Care leavers",
            "high",
            "%",
            f"Care leavers aged {label} in education, employment or training around their birthday (DfE, children looked after in England).",
            "Year ending 31 March",
            (
                (
                    EES + "la_care_leavers_activity.csv",
                    {
                        "care_leaver_age": f"{label} years",
                        "breakdown": "Total in education, employment or training",
                    },
                    "care_leaver_percent",
                ),
                (
                    OLDER + "la_care_leavers_activity.csv",
                    {
                        "age": f"Aged {label}",
                        "activity": "Total in education, employment or training",
                    },
                    "percentage",
                ),
            ),
        )
        for band, label in (("17-18", "17 to 18"), ("19-21", "19 to 21"))
    ),
    *(
        _Spec(
            f"ees-care-leavers-suitable-{band}",
            f"Care leavers aged {label} in suitable accommodation (%)",
            "Care leavers",
            "high",
            "%",
            f"Care leavers aged {label} whose accommodation was considered suitable (DfE, children looked after in England).",
            "Year ending 31 March",
            (
                (
                    EES + "la_care_leavers_accommodation_suitability.csv",
                    {
                        "care_leaver_age": f"{label} years",
                        "breakdown": "Accommodation considered suitable",
                    },
                    "care_leaver_percent",
                ),
                (
                    OLDER + "la_care_leavers_accommodation_suitability.csv",
                    {
                        "age": f"{label} years",
                        "accommodation_suitability": "Accommodation considered suitable",
                    },
                    "percentage",
                ),
            ),
        )
        for band, label in (("17-18", "17 to 18"), ("19-21", "19 to 21"))
    ),
    _Spec(
        "ees-sw-turnover",
        "Children and family social worker turnover rate (FTE, %)",
        "Workforce",
        "low",
        "%",
        "Full-time-equivalent children and family social workers who left in the year, as a share of those in post at 30 September (DfE, children's social work workforce).",
        "At 30 September",
        ((EES + "csww_indicators_2017_to_2025.csv", {}, "turnover_rate_fte"),),
    ),
)

# The key indicators a council's profile shows, in order.
KEY_INDICATORS = tuple(spec.code for spec in _EES_SPECS)

_Row = tuple[str, str, int, float | None, str]  # area, period, sort, value, marker


def _parse_value(path: Path, row: int, column: str, raw: str) -> tuple[float | None, str]:
    text = raw.strip()
    if text in SUPPRESSION_MARKERS:
        return None, text or "-"
    try:
        return float(text.replace(",", "")), ""
    except ValueError:
        raise ReferenceFileError(
            path, f"{raw!r} is neither a number nor a suppression marker", row=row, column=column
        ) from None


def _ees_rows(data_dir: Path, spec: _Spec, report: LoadReport) -> list[_Row]:
    rows: dict[tuple[str, int], _Row] = {}
    for relative, filters, column in spec.files:
        path = data_dir / relative
        older = bool(rows)
        for number, data in read_csv_rows(
            path,
            ["time_period", "geographic_level", "region_code", "old_la_code", column, *filters],
        ):
            if any(
                data[k] != v and not (v.startswith("~") and data[k].startswith(v[1:]))
                for k, v in filters.items()
            ):
                continue
            level = data["geographic_level"]
            if level == "National":
                area = ENGLAND
            elif level == "Regional":
                area = data["region_code"]
            elif level == "Local authority":
                area = data["old_la_code"]
            else:
                continue
            if not area:
                raise ReferenceFileError(
                    path,
                    "area code is missing",
                    row=number,
                    column="old_la_code" if level == "Local authority" else "region_code",
                )
            label = data["time_period"]
            sort = period_sort(label)
            if sort is None:
                raise ReferenceFileError(
                    path, f"{label!r} is not a period", row=number, column="time_period"
                )
            if (area, sort) in rows:
                if older:
                    continue  # the newest release wins for overlapping years
                raise ReferenceFileError(
                    path, f"a second value for {area} in {label}", row=number, column=column
                )
            value, marker = _parse_value(path, number, column, data[column])
            rows[(area, sort)] = (area, label, sort, value, marker)
    return list(rows.values())


def _lait_rows(data_dir: Path, report: LoadReport) -> tuple[dict[str, list[_Row]], dict[str, str]]:
    path = data_dir / LAIT
    if not path.exists():
        raise ReferenceFileError(path, "file not found")
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:
        raise ReferenceFileError(path, f"could not read: {exc}".splitlines()[0]) from None
    wanted = ["Short Desc", "Data item", "Years", "Values", "LA Number"]
    missing = [c for c in wanted if c not in frame.columns]
    if missing:
        raise ReferenceFileError(
            path, f"missing column(s) {', '.join(missing)}", row=1, column=missing[0]
        )
    frame = frame.with_columns(
        pl.col("LA Number").cast(pl.Int64, strict=False).cast(pl.String).str.zfill(3).alias("area"),
        pl.col("Values").cast(pl.String).str.strip_chars().alias("raw"),
        pl.col("Values")
        .cast(pl.String)
        .str.strip_chars()
        .cast(pl.Float64, strict=False)
        .alias("number"),
    )
    # Values that are neither a number nor a marker: the file is not what we expect.
    bad = frame.with_row_index("row", offset=2).filter(
        pl.col("number").is_null()
        & ~pl.col("raw").is_in(list(SUPPRESSION_MARKERS))
        & pl.col("raw").is_not_null()
    )
    if bad.height:
        first = bad.row(0, named=True)
        raise ReferenceFileError(
            path,
            f"{first['raw']!r} is neither a number nor a suppression marker",
            row=first["row"],
            column="Values",
        )
    no_area = frame.with_row_index("row", offset=2).filter(pl.col("area").is_null())
    if no_area.height:
        raise ReferenceFileError(
            path,
            "area code is missing or not a number",
            row=no_area.row(0, named=True)["row"],
            column="LA Number",
        )
    labels = {
        label: period_sort(label)
        for label in frame["Years"].unique().to_list()
        if label is not None
    }
    bad_labels = sorted(label for label, key in labels.items() if key is None)
    by_indicator: dict[str, list[_Row]] = {}
    names: dict[str, str] = {}
    # '-' means not published: nothing is stored (the pages say 'not available' for a missing row).
    rejected = frame.filter(pl.col("Years").is_in(bad_labels)).height
    kept = frame.filter(pl.col("raw") != "-")
    for code, item, label, lait_area, raw, number in kept.select(
        "Short Desc", "Data item", "Years", "area", "raw", "number"
    ).iter_rows():
        sort = labels.get(label)
        if sort is None:
            continue
        area = LAIT_AREAS.get(lait_area, lait_area)
        marker = "" if number is not None else raw
        by_indicator.setdefault(code, []).append((area, label, sort, number, marker))
        names.setdefault(code, item)
    if bad_labels:
        report.notes.append(
            f"{path.name}: {rejected} rows with period labels {', '.join(map(repr, bad_labels))} are not periods (upstream bug); skipped"
        )
    report.rejected += rejected
    return by_indicator, names


def _digest(rows: Iterable[_Row]) -> str:
    digest = hashlib.sha256()
    for row in sorted(rows, key=lambda r: (r[0], r[2])):
        digest.update(repr(row).encode())
    return digest.hexdigest()


def _store(indicator: Indicator, rows: list[_Row], report: LoadReport) -> None:
    digest = _digest(rows)
    if indicator.digest == digest:
        report.unchanged += len(rows)
        return
    old = {
        (v.area_code, v.period_sort): (v.period, v.value, v.marker)
        for v in IndicatorValue.objects.filter(indicator=indicator)
    }
    for area, label, sort, value, marker in rows:
        before = old.pop((area, sort), None)
        if before is None:
            report.loaded += 1
        elif before != (label, value, marker):
            report.changed += 1
        else:
            report.unchanged += 1
    report.changed += len(old)  # values no longer published
    IndicatorValue.objects.filter(indicator=indicator).delete()
    # Plain executemany (COPY on PostgreSQL): half a million rows on a first load in seconds,
    # where building model instances for bulk_create takes a minute.
    table = connection.ops.quote_name(IndicatorValue._meta.db_table)
    columns = "(indicator_id, area_code, period, period_sort, value, marker)"
    values = [(indicator.pk, a, p, s, v, m) for a, p, s, v, m in rows]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} {columns} FROM STDIN") as copy:
                for row in values:
                    copy.write_row(row)
        else:
            sql = f"INSERT INTO {table} {columns} VALUES (%s, %s, %s, %s, %s, %s)"  # noqa: S608 - our own table name
            cursor.executemany(sql, values)
    indicator.digest = digest
    indicator.save(update_fields=["digest"])


def _dictionary(data_dir: Path) -> dict[str, dict[str, str]]:
    path = data_dir / LAIT_DICTIONARY
    entries: dict[str, dict[str, str]] = {}
    for number, row in read_csv_rows(
        path,
        [
            "Measure_short",
            "Measure",
            "Topic",
            "Polarity",
            "Description",
            "Year_Type",
            "y_axis_name",
        ],
    ):
        code = row["Measure_short"]
        if not code:
            raise ReferenceFileError(path, "value is missing", row=number, column="Measure_short")
        polarity = row["Polarity"].lower()
        if polarity not in {"high", "low", "-", "na", ""}:
            raise ReferenceFileError(
                path,
                f"{row['Polarity']!r} is not a polarity (High, Low, - or NA)",
                row=number,
                column="Polarity",
            )
        entries.setdefault(code, row)
    return entries


def _upsert_indicator(
    code: str, values: dict[str, str], existing: dict[str, Indicator]
) -> Indicator:
    indicator = existing.get(code)
    if indicator is None:
        return Indicator.objects.create(code=code, **values)
    changed = [k for k, v in values.items() if getattr(indicator, k) != v]
    if changed:
        for k in changed:
            setattr(indicator, k, values[k])
        indicator.save(update_fields=changed)
    return indicator


def load_indicators(data_dir: Path) -> Iterator[LoadReport]:
    existing = {i.code: i for i in Indicator.objects.all()}

    official = LoadReport("Published indicators: official statistics tables (values)")
    prepared = [(spec, _ees_rows(data_dir, spec, official)) for spec in _EES_SPECS]
    lait = LoadReport("Published indicators: DfE LAIT (values)")
    dictionary = _dictionary(data_dir)
    lait_rows, lait_names = _lait_rows(data_dir, lait)
    for spec, rows in prepared:
        if spec.lait_fill:
            have = {(r[0], r[2]) for r in rows}
            extra = [r for r in lait_rows.get(spec.lait_fill, []) if (r[0], r[2]) not in have]
            rows.extend(extra)
            official.notes.append(
                f"{spec.code}: {len(extra)} earlier values from LAIT's {spec.lait_fill}"
            )
    # Everything is read and checked before anything is written.
    for spec, rows in prepared:
        indicator = _upsert_indicator(
            spec.code,
            {
                "name": spec.name,
                "topic": spec.topic,
                "source": "ees",
                "polarity": spec.polarity,
                "unit": spec.unit,
                "description": spec.description,
                "year_type": spec.year_type,
            },
            existing,
        )
        _store(indicator, rows, official)
    official.notes.append(
        f"{len(prepared)} indicators; suppressed figures kept with their marker (c, x, z, low), never as 0"
    )
    yield official

    unknown = sorted(set(lait_rows) - set(dictionary))
    if unknown:
        lait.notes.append(
            f"{len(unknown)} measures not in the data dictionary (no polarity): {', '.join(unknown[:5])}"
        )
    for code, rows in sorted(lait_rows.items()):
        entry = dictionary.get(code, {})
        polarity = entry.get("Polarity", "").lower()
        indicator = _upsert_indicator(
            code,
            {
                "name": (entry.get("Measure") or lait_names.get(code, code))[:300],
                "topic": entry.get("Topic", "")[:100],
                "source": "lait",
                "polarity": polarity if polarity in ("high", "low") else "",
                "unit": "%"
                if "%" in (entry.get("y_axis_name") or "")
                or "percent" in (entry.get("y_axis_name") or "").lower()
                else "",
                "description": entry.get("Description", ""),
                "year_type": entry.get("Year_Type", "")[:40],
            },
            existing,
        )
        _store(indicator, rows, lait)
    lait.notes.append(f"{len(lait_rows)} measures")
    yield lait
