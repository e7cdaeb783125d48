"""Reading the three published files of Ofsted's judgements, and the councils, into the
history's types; a file not in the expected shape raises `InsightDataError` naming the file,
row and column."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl

from insight.history import (
    COUNCIL_STARTED,
    COUNCILS,
    CPI,
    CPRI,
    DATA_2023,
    FORMER_COUNCILS,
    GOOD,
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
    InsightDataError,
    Judgement,
)

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
                link=_cell(row, index["link"]),
            )
        )
    return found
