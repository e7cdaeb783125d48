"""The library's figures, recomputed independently from the raw published files.

This test reads the three files itself, joins councils by name (not by code, as the library
does), builds each council's overall judgements, and runs a plain product-limit (Kaplan-Meier)
estimate written here by hand. It shares no code with the library except the data folder.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from functools import cache
from itertools import pairwise

import polars as pl
import pytest

from insight.improvement import Estimate, estimates
from insight.judgements import load_history
from insight.transitions import Transition, transitions
from statutory.reference import shared_path

REF = shared_path("reference")
GRADE = {
    "outstanding": "outstanding",
    "good": "good",
    "requires improvement to be good": "requires-improvement",
    "requires improvement": "requires-improvement",
    "inadequate": "inadequate",
}
# The day each council that no longer exists ended (published facts of the reorganisations).
ENDED = {
    "former:bournemouth": dt.date(2019, 4, 1),
    "former:poole": dt.date(2019, 4, 1),
    "former:dorset": dt.date(2019, 4, 1),
    "former:northamptonshire": dt.date(2021, 4, 1),
    "former:cumbria": dt.date(2023, 4, 1),
}


def key(name: str) -> str:
    text = re.sub(r"\s+", " ", name.replace("&", "and")).strip().lower()
    return {"bedford borough": "bedford"}.get(text, text)


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(str(text)[:10])


@cache
def raw_history() -> dict[str, list[tuple[dt.date, str, str]]]:
    """council key → [(published, family, grade)] from the raw files."""
    rows: dict[str, list[tuple[dt.date, str, str, dt.date | None]]] = {}

    # Ofsted's official ILACS history: the rows for councils that no longer exist are "former".
    official = pl.read_excel(
        REF / "dfe-csc-outcomes-enablers/LA_Inspection_Outcomes_as_at_31_March_2025.ods",
        sheet_name="ILACS_inspection_history",
        engine="calamine",
        read_options={"header_row": 2},
        infer_schema_length=0,
    )
    former_names = set()
    for r in official.iter_rows(named=True):
        name = key(r["Local authority name"])
        if r["Local authority status"] == "No longer exists":
            former_names.add(name)
            name = "former:" + name
        rows.setdefault(name, []).append(
            (
                day(r["Publication date"]),
                "ilacs",
                GRADE[r["Overall effectiveness"].lower()],
                day(r["Inspection date"]),
            )
        )

    # The 2023 data: first SIF and SIF re-inspection, in two tables on one sheet.
    sheet = pl.read_excel(
        REF / "dfe-csc-outcomes-enablers/Childrens_social_care_in_England_2023_underlying_data.ods",
        sheet_name="LA_inspections_2009-2023",
        engine="calamine",
        has_header=False,
        infer_schema_length=0,
    ).rows()
    starts = [i for i, r in enumerate(sheet) if r[0] == "Web link"]
    header = [re.sub(r"\s+", " ", str(h or "")).strip() for h in sheet[starts[0]]]
    columns = [
        (
            header.index(
                "Single Inspection of LA Children's Services (SIF) First SIF publication date"
            ),
            header.index("First SIF Overall Judgement (OE)"),
        ),
        (
            header.index(
                "Single Inspection of LA Children's Services (SIF) SIF Re-inspection publication date"
            ),
            header.index("SIF Re-inspection Overall Judgement (OE)"),
        ),
    ]
    for table, start in enumerate(starts):
        end = starts[1] - 1 if table == 0 else len(sheet)
        for line in sheet[start + 1 : end]:
            if not line[1]:
                continue
            name = key(line[1])
            if table == 1 or name in former_names:
                name = "former:" + name
            for date_col, grade_col in columns:
                if line[date_col] and line[grade_col]:
                    rows.setdefault(name, []).append(
                        (day(line[date_col]), "sif", GRADE[line[grade_col].strip().lower()], None)
                    )

    # The scrape: each council's latest ILACS, kept when the official history lacks it.
    scrape = pl.read_excel(
        REF / "ofsted-ilacs-scrape-tool/ofsted_csc_ilacs_overview.xlsx",
        engine="calamine",
        infer_schema_length=0,
    )
    lookup = pl.read_csv(REF / "derived/la_reference_153_2024.csv", infer_schema_length=0)
    ofsted_name = dict(zip(lookup["old_la_code"], lookup["ofsted_la_name"], strict=True))

    def uk_date(text: str) -> dt.date:
        d, m, y = text.split("/")
        return dt.date(2000 + int(y) if len(y) == 2 else int(y), int(m), int(d))

    for r in scrape.iter_rows(named=True):
        grade = (r["overall_effectiveness_grade"] or "").lower()
        if grade not in GRADE or r["inspection_framework"] not in ("short", "standard"):
            continue
        name = key(ofsted_name[r["la_code"]])
        published, started = uk_date(r["publication_date"]), uk_date(r["inspection_start_date"])
        known = rows.setdefault(name, [])
        if any(
            family == "ilacs"
            and (
                abs((p - published).days) <= 7
                or (inspected and abs((inspected - started).days) <= 7)
            )
            for p, family, _, inspected in known
        ):
            continue
        known.append((published, "ilacs", GRADE[grade], started))
    return {n: sorted((p, f, g) for p, f, g, _ in items) for n, items in rows.items()}


def raw_spells(start_grade: str, framework: str = "all") -> list[tuple[float, bool]]:
    """(years, improved) of every spell starting at this grade (under this framework, "sif" or
    "ilacs", or either: "all"), by the issue's definition."""
    history = raw_history()
    cutoff = max(p for items in history.values() for p, _, _ in items)
    found: list[tuple[float, bool]] = []

    def counted(opened: tuple[dt.date, str, str] | None) -> bool:
        return opened is not None and opened[1] == start_grade and framework in ("all", opened[2])

    for name, items in history.items():
        opened: tuple[dt.date, str, str] | None = None
        for published, family, grade in items:
            if grade in ("good", "outstanding"):
                if opened and counted(opened):
                    found.append(((published - opened[0]).days / 365.25, True))
                opened = None
            elif opened is None:
                opened = (published, grade, family)
        if opened and counted(opened):
            end = min(cutoff, ENDED.get(name, cutoff))
            found.append(((end - opened[0]).days / 365.25, False))
    return found


def greenwood_log_log(spells: list[tuple[float, bool]], at: float) -> tuple[float, float]:
    """The pointwise 95% interval of S(at) by hand: Greenwood's variance, on the log(-log)
    scale (R's conf.type = "log-log"), as (lower, upper) of S."""
    survival = product_limit(spells, at)
    total = 0.0
    for t in sorted({years for years, improved in spells if improved and years <= at}):
        at_risk = sum(1 for years, _ in spells if years >= t)
        events = sum(1 for years, improved in spells if improved and years == t)
        total += events / (at_risk * (at_risk - events))
    spread = 1.959963984540054 * (total**0.5) / abs(math.log(survival))
    return survival ** math.exp(spread), survival ** math.exp(-spread)


def product_limit(spells: list[tuple[float, bool]], at: float) -> float:
    """S(at) = Π over event times t ≤ at of (1 - events at t / at risk just before t)."""
    survival = 1.0
    for t in sorted({years for years, improved in spells if improved and years <= at}):
        at_risk = sum(1 for years, _ in spells if years >= t)
        events = sum(1 for years, improved in spells if improved and years == t)
        survival *= 1 - events / at_risk
    return survival


Library = tuple[list[Estimate], list[Transition]]


@pytest.fixture(scope="module")
def library() -> Library:
    history = load_history()
    return estimates(history), transitions(history)


@pytest.mark.parametrize(
    ("start", "years"),
    [
        ("inadequate", 2.0),
        ("inadequate", 4.0),
        ("requires-improvement", 3.0),
        ("requires-improvement", 5.0),
    ],
)
def test_kaplan_meier_matches_a_hand_written_product_limit_over_the_raw_rows(
    library: Library, start: str, years: float
) -> None:
    by_hand = raw_spells(start)
    assert len(by_hand) > 20  # a real group, not an empty one
    (row,) = [
        e for e in library[0] if (e.start_judgement, e.framework, e.years) == (start, "all", years)
    ]
    assert row.share_good_or_better == pytest.approx(1 - product_limit(by_hand, years), abs=1e-9)
    assert row.at_risk == sum(1 for t, _ in by_hand if t >= years - 1e-9)
    assert row.lower95 <= row.share_good_or_better <= row.upper95


def test_the_transition_table_matches_counts_from_the_raw_rows(library: Library) -> None:
    by_hand: Counter[tuple[str, str, str, str]] = Counter()
    for items in raw_history().values():
        for (_, family_a, grade_a), (_, family_b, grade_b) in pairwise(items):
            by_hand[(family_a, family_b, grade_a, grade_b)] += 1
    table = {
        (t.from_framework, t.to_framework, t.from_judgement, t.to_judgement): t.count
        for t in library[1]
        if t.count
    }
    assert table == dict(by_hand)
    # A few counts, spelt out, so a reader can check them against the files.
    assert sum(by_hand.values()) > 300
    assert by_hand[("sif", "ilacs", "requires-improvement", "good")] > 0
