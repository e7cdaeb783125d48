"""What other apps may read from the returns app: the one module they import (an import-linter
contract enforces it).

For the council's own work (Edge of Care matching its own children, WorkPlace showing its own
council's figures): `latest_tables`, `pseudonymise_id` and `own_indicator_history`, exact, since
the council's own staff may see them.

For everyone else, figures already safe to show:

A council's own return indicators are shown outside the returns app (the programme's need page,
which DfE analysts and administrators reach for every council). Shown exactly, they would undo
the small-number suppression of the aggregates: a category count the aggregates hide, or the
total or a share that fixes it, could be read off or subtracted. So other apps get the figures
through `suppressed_indicators`, which hides, for a council the viewer is not entitled to:

- every count the aggregates hide in that council's row, primary (`<5`) or secondary (`[c]`),
  worked out with the same `suppression.suppress` over the same table a DfE analyst sees (every
  council's latest accepted return of that year);
- any other count from 1 to 4, and any share or rate whose numerator, or denominator minus
  numerator, is from 1 to 4 (`<5`);
- the totals, rates and shares built from a breakdown (`LINKED`) when any count in that
  council's row of the breakdown is hidden (`[c]`), since they would fix the hidden count.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from alliance.organisations.models import Organisation
from alliance.returns.services import pooled_figures, stored_returns
from statutory import suppression
from statutory.suppression import PRIMARY, SECONDARY, THRESHOLD

# The breakdowns the aggregates page shows (returns.views), by return: (caption, indicator label
# prefix).
BREAKDOWNS: dict[str, list[tuple[str, str]]] = {
    "ssda903": [
        (
            "Children starting to be looked after, by category of need",
            "Starts by category of need: ",
        ),
        ("Children who stopped being looked after, by reason", "Ceased by reason: "),
    ],
    "cin": [
        ("Children in need at 31 March, by primary need", "Children in need at 31 March: "),
        ("Assessment factors recorded", "Assessment factor "),
    ],
}

# Indicators (by the start of their label) whose figure is a total, rate or share of a
# breakdown's counts: hidden when any count in the council's row of that breakdown is hidden.
LINKED: dict[str, tuple[str, ...]] = {
    "Starts by category of need: ": (
        "Children starting to be looked after",
        "Rate of children starting to be looked after",
    ),
    "Ceased by reason: ": (
        "Children ceasing to be looked after",
        "Rate of children ceasing to be looked after",
        "Adopted (% of children ceasing to be looked after)",
        "Children adopted in the year",
    ),
    "Children in need at 31 March: ": (
        "Children in need at 31 March",
        "Children in need per 10,000 children",
    ),
    "Assessment factor ": ("Episodes with assessment factors recorded in the year",),
}


def _small(number: Any) -> bool:
    return number is not None and 0 < number < THRESHOLD


def _hidden_in_aggregates(organisation_id: int, kind: str, year: int) -> dict[str, str]:
    """Label → PRIMARY or SECONDARY for the council's counts the DfE's aggregates hide."""
    uploads = stored_returns.latest_uploads_for(None, kind, year)
    hidden: dict[str, str] = {}
    for _caption, prefix in BREAKDOWNS[kind]:
        columns, rows = pooled_figures.aggregate_breakdown(uploads, prefix)
        if not columns:
            continue
        grid = suppression.suppress(
            suppression.with_totals([counts for _, counts in rows]), THRESHOLD
        )
        for upload, cells in zip(uploads, grid, strict=False):
            if upload.organisation_id != organisation_id:
                continue
            for column, cell in zip([*columns, ""], cells, strict=True):
                if cell.value is None:
                    hidden[prefix + column] = cell.shown
    return hidden


def suppressed_indicators(
    organisation: Organisation | int, kind: str, *, exact: bool = False
) -> list[dict[str, Any]]:
    """The council's return indicators for its latest accepted year of `kind`, as
    `stored_returns.indicator_history` rows plus `shown` (the text to show) and `suppressed` ("",
    PRIMARY or SECONDARY). Hidden rows have `value`, `numerator` and `denominator` set to None.
    `exact` is for a person entitled to the council's own figures: nothing is hidden."""
    history = stored_returns.indicator_history(organisation, kind)
    if not history:
        return []
    year = max(r["year"] for r in history)
    rows = [r for r in history if r["year"] == year]
    organisation_id = organisation if isinstance(organisation, int) else organisation.pk
    hidden = {} if exact else _hidden_in_aggregates(organisation_id, kind, year)
    prefixes = [prefix for _caption, prefix in BREAKDOWNS[kind]]
    # breakdowns with a hidden count (or total) in this council's row
    broken = {p for p in prefixes if any(label.startswith(p) for label in hidden)}
    result = []
    for row in rows:
        mark = "" if exact else _mark(row, hidden, prefixes, broken)
        if mark:
            result.append(
                {
                    **row,
                    "value": None,
                    "numerator": None,
                    "denominator": None,
                    "shown": mark,
                    "suppressed": "primary" if mark == PRIMARY else "secondary",
                }
            )
        else:
            result.append({**row, "shown": _number(row["value"], row["unit"]), "suppressed": ""})
    return result


def _mark(
    row: dict[str, Any], hidden: dict[str, str], prefixes: list[str], broken: set[str]
) -> str:
    label = row["label"]
    if any(label.startswith(p) for p in prefixes):  # a count of a breakdown: as the aggregates
        return hidden.get(label, "")
    if any(label.startswith(linked) for p in broken for linked in LINKED.get(p, ())):
        return SECONDARY
    numerator, denominator = row["numerator"], row["denominator"]
    if numerator is not None and denominator is not None:
        return PRIMARY if _small(numerator) or _small(denominator - numerator) else ""
    if row["unit"] in ("", "count") and _small(row["value"]):
        return PRIMARY
    return ""


def _number(value: Any, unit: str) -> str:
    if value is None:
        return ""
    text = f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{text}%" if unit == "%" else text


def latest_tables(
    organisation: Organisation | int, kind: str, year: int | None = None
) -> dict[str, pl.DataFrame]:
    """The council's latest accepted, pseudonymised tables of `kind` ("ssda903" or "cin"), every
    year stacked (or one `year`); {} when nothing is uploaded. For the council's own services."""
    return stored_returns.latest_tables(organisation, kind, year)


def pseudonymise_id(organisation: Organisation | int, child_id: str, kind: str = "ssda903") -> str:
    """The council's keyed pseudonym of one of its children's ids, as its stored tables hold it."""
    return stored_returns.pseudonymise_id(organisation, child_id, kind)


def own_indicator_history(organisation: Organisation | int, kind: str) -> list[dict[str, Any]]:
    """The council's own return indicators by year ({year, indicator, label, value, numerator,
    denominator, unit}), exact: for pages only the council's own staff reach."""
    return stored_returns.indicator_history(organisation, kind)
