"""The dashboard's counts as they are written for the person looking.

The council's own staff (its leaders, analysts and the practitioners who run the service) see
every count: they run the service with them. Anyone else who may see the dashboard (the
alliance's lead, for its member councils; DfE analysts, for every council) sees small numbers
hidden as official statistics hide them (`statutory.suppression`): a count from 1 to 4 is shown
as "<5", and where that one hidden count could be worked out from what is shown, another is
hidden too ("[c]"). Zeros are shown.

- Referrals each month and cases closed by reason: one column each; when exactly one count in
  it is hidden the next smallest is hidden too, since the column's total may be known (the
  referrals "in all" for a service younger than a year).
- Response times: on time and late are hidden on their own; the share on time is hidden with
  either (it and one of them give the other).
- Families with each service and waiting: each count on its own (no total is shown).
- Outcomes: the counts in a row are parts of one another (checked, at home, in care), so a row
  with any count hidden is hidden whole.
- The charts draw the same counts, so only the council's own staff see them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from statutory.suppression import PRIMARY, SECONDARY, THRESHOLD

OUTCOME_COUNTS = ("checked", "at_home", "same_school", "in_care", "re_referred")


def _small(n: int) -> bool:
    return 0 < n < THRESHOLD


def _plain(n: int) -> str:
    return f"{n:,}"


def column(values: Sequence[int], hide: bool) -> list[str]:
    """One column of counts, with primary suppression and, when only one count would be
    hidden, the smallest other non-zero count too."""
    if not hide:
        return [_plain(n) for n in values]
    shown = [PRIMARY if _small(n) else _plain(n) for n in values]
    hidden = [i for i, n in enumerate(values) if _small(n)]
    if len(hidden) == 1:
        others = [i for i, n in enumerate(values) if n >= THRESHOLD]
        if others:
            shown[min(others, key=lambda i: values[i])] = SECONDARY
    return shown


def one(n: int, hide: bool) -> str:
    return PRIMARY if hide and _small(n) else _plain(n)


@dataclass(frozen=True)
class Shown:
    """Every count of the dashboard as text for the page and the CSV."""

    hidden: bool  # small numbers hidden: the person is not one of the council's own staff
    monthly: list[tuple[str, str]]
    targets: list[dict[str, Any]]
    in_use: list[dict[str, Any]]
    outcomes: list[dict[str, Any]]
    closures: list[tuple[str, str]]


def shown(
    *,
    hide: bool,
    monthly: list[tuple[str, int]],
    targets: list[dict[str, Any]],
    in_use: list[dict[str, Any]],
    outcomes: list[dict[str, Any]],
    closures: list[tuple[str, int]],
) -> Shown:
    months = column([n for _, n in monthly], hide)
    reasons = column([n for _, n in closures], hide)
    target_rows = []
    for t in targets:
        met, missed = one(t["met"], hide), one(t["missed"], hide)
        share_hidden = PRIMARY in (met, missed)
        target_rows.append(
            {
                **t,
                "met": met,
                "missed": missed,
                "percent_met": None if share_hidden else t["percent_met"],
                "percent_hidden": share_hidden,
                "waiting_overdue": one(t["waiting_overdue"], hide),
            }
        )
    outcome_rows = []
    for o in outcomes:
        whole = hide and any(_small(o[k]) for k in OUTCOME_COUNTS)
        outcome_rows.append(
            {
                **o,
                **{
                    k: (PRIMARY if _small(o[k]) else SECONDARY) if whole else _plain(o[k])
                    for k in OUTCOME_COUNTS
                },
            }
        )
    return Shown(
        hidden=hide,
        monthly=[(label, text) for (label, _), text in zip(monthly, months, strict=True)],
        targets=target_rows,
        in_use=[
            {**row, "active": one(row["active"], hide), "waiting": one(row["waiting"], hide)}
            for row in in_use
        ],
        outcomes=outcome_rows,
        closures=[(label, text) for (label, _), text in zip(closures, reasons, strict=True)],
    )
