"""A briefing for ministers: the national picture, improvement rates, the programme's portfolio
and spend, and the evidence of whether support worked, each figure dated and sourced. One set of
sections feeds both the printable page and the Excel download, so they always agree."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup

from alliance.common.charts import Series, line_chart
from alliance.common.jinja import money
from alliance.common.numbers import number, signed
from alliance.evidence import comparisons
from alliance.programme import interface as programme
from insight.precomputed import Figures

IMPROVEMENT_YEARS = (2.0, 4.0, 6.0)
STARTS = {
    "inadequate": "Inadequate",
    "requires-improvement": "Requires improvement to be good",
    "any": "Either",
}
OFSTED = "Ofsted's published judgements of councils' children's services"
PROGRAMME = (
    "The improvement programme's records in this service (grant, spend entries, spend reports)"
)


@dataclass
class Section:
    title: str
    source: str
    as_at: str
    header: list[str]
    rows: list[list[Any]]
    notes: list[str] = field(default_factory=list)
    chart: Markup | None = None  # shown on the page above the table (the workbook has the table)


def _date(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _pct(value: float) -> str:
    return f"{100 * value:.0f}%"


def sections(stored: Figures, today: dt.date, user: Any) -> list[Section]:
    found = [
        Section(
            "Councils judged requires improvement or inadequate",
            OFSTED,
            f"Judgements published up to {_date(stored.data_until)}",
            ["On", "Councils with a judgement", "Requires improvement or inadequate", "Share"],
            [[_date(n.day), n.judged, n.below_good, _pct(n.share)] for n in stored.national],
            [
                "Each council's latest overall judgement (SIF or ILACS) published before the day.",
            ],
            line_chart(
                "Share of councils judged requires improvement or inadequate",
                "Percentage of councils whose latest overall Ofsted judgement was requires "
                "improvement or inadequate, on each day in the table below.",
                [f"{n.day:%b %Y}" for n in stored.national],
                [
                    Series(
                        "Requires improvement or inadequate",
                        [100 * n.share for n in stored.national],
                    )
                ],
                unit="%",
                y_max=100,
            ),
        )
    ]
    wanted = {(e.start_judgement, e.framework, e.years): e for e in stored.by_framework}
    rows = []
    for start, label in STARTS.items():
        for years in IMPROVEMENT_YEARS:
            e = wanted.get((start, "all", years))
            if e is not None:
                rows.append(
                    [
                        label,
                        f"{years:g}",
                        _pct(e.share_good_or_better),
                        f"{_pct(e.lower95)} to {_pct(e.upper95)}",
                        e.at_risk,
                    ]
                )
    found.append(
        Section(
            "How soon councils are judged good or better",
            OFSTED + " (Kaplan-Meier estimates)",
            f"Judgements published up to {_date(stored.data_until)}; computed {_date(stored.computed_on)}",
            ["Starting judgement", "Years", "Judged good or better", "95% interval", "Still open"],
            rows,
            [
                "Both frameworks together. Ofsted decides when to inspect, so these show when "
                "councils were judged good, not when they became good."
            ],
        )
    )
    portfolio = programme.programme_totals(user)
    found.append(
        Section(
            "The improvement programme: portfolio and spend",
            PROGRAMME[0].upper() + PROGRAMME[1:],
            f"Records on {_date(today)}",
            [
                "Programme",
                "Runs",
                "Partners",
                "Engagements (active)",
                "Grant",
                "Spent",
                "Reported to the DfE",
            ],
            [
                [
                    p.name + (" (demo data: fictional)" if p.is_demo else ""),
                    f"{_date(p.starts)} to {_date(p.ends)}",
                    p.partners,
                    f"{p.engagements} ({p.active})",
                    money(p.grant_pence),
                    money(p.spent_pence),
                    f"{money(p.reported_pence)} to {_date(p.reported_to)}"
                    if p.reported_to
                    else "No spend report yet",
                ]
                for p in portfolio
            ],
        )
    )
    evidence_rows = []
    notes = []
    for item in comparisons.support_evidence(stored, user):
        for outcome in item.result.outcomes:
            if outcome.name not in ("good-within-4", "years-below-good") or not outcome.pairs:
                continue
            places = "%" if outcome.unit == "%" else " years"
            interval = (
                f"{number(outcome.lower95, 1)}{places} to {number(outcome.upper95, 1)}{places}"
                if comparisons.finite(outcome.lower95) is not None
                else "Too few councils for an interval"
            )
            evidence_rows.append(
                [
                    item.programme,
                    outcome.label,
                    outcome.pairs,
                    number(outcome.supported_mean, 1) + places,
                    number(outcome.comparison_mean, 1) + places,
                    signed(outcome.difference) + places,
                    interval,
                ]
            )
        if not item.result.matched:
            notes.append(
                f"{item.programme}: no supported council could be compared with a council that "
                "was never supported (the reasons are on the page Did support work?)."
            )
        if item.is_demo:
            notes.append(
                f"{item.programme}: the councils supported are the demo's matches, not the "
                "DfE's; their judgements and published figures are real."
            )
    notes.append(
        "Supported councils against matched councils that were not supported, from the same "
        "judgement at about the same time with similar published figures. An observational "
        "comparison: it cannot rule out differences the figures do not show."
    )
    found.append(
        Section(
            "Did support work?",
            OFSTED + "; the DfE's published statistics; " + PROGRAMME,
            comparisons.source_note(stored),
            [
                "Programme",
                "Outcome",
                "Matched pairs",
                "Supported",
                "Comparison",
                "Difference",
                "95% interval",
            ],
            evidence_rows,
            notes,
        )
    )
    return found
