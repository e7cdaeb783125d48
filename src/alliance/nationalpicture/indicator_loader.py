"""Loads the published indicators: the DfE LAIT long table (dfe-lait/bds_long_0.parquet, 434
measures, polarity from lait_data_dictionary.csv) and the key measures from the official tables
(EES CSVs), with older releases filling years the newest release does not cover. See
reference/SOURCES.md for every file's columns and glitches.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from django.db import connection

from alliance.nationalpicture.models import (
    Indicator,
    IndicatorValue,
)
from alliance.organisations.reference import (
    SUPPRESSION_MARKERS,
    LoadReport,
    ReferenceFileError,
    read_csv_rows,
)

OUTCOMES_2025 = "reference/dfe-csc-outcomes-enablers/LA_Inspection_Outcomes_as_at_31_March_2025.ods"

LAIT = "reference/dfe-lait/bds_long_0.parquet"
LAIT_DICTIONARY = "reference/dfe-lait/lait_data_dictionary.csv"
EES = "reference/dfe-csc-outcomes-enablers/"
OLDER = "reference/dfe-older-releases/cla_release_2022_years_2018_to_2022/"

ENGLAND = "E92000001"


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
            "Chart_title",
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


_NON_SEN = re.compile(r"\bNone SEN\b")


def readable_name(entry: dict[str, str], fallback: str) -> str:
    """The dictionary's chart title ('Total authorised absence from Secondary Schools (%)') reads
    as a sentence; its short measure name ('Secondary Authorised') is a column label. The chart
    title, then the measure name, then the data sheet's own label."""
    for key in ("Chart_title", "Measure"):
        text = " ".join((entry.get(key) or "").split())
        if text and text.upper() not in ("NA", "N/A", "-"):
            return _NON_SEN.sub("non-SEN", text)  # the dictionary's typo, 'KS4 None SEN pupils'
    return fallback


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
                "name": readable_name(entry, lait_names.get(code, code))[:300],
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
