"""Forecast spend: what each budget line planned to have spent by a day, from its spend profile
(an amount per quarter of the programme) or, for a line without one, its budget spread evenly over
the programme's days. All in whole pence; a quarter under way counts its planned amount pro rata
to the days gone, rounded down, so the forecast reaches the budget exactly at the end."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Sum

from alliance.programme.models import BudgetLine, PlannedSpend, Programme, SpendEntry
from alliance.programme.quarters import Quarter, quarters


def even_to(amount: int, programme: Programme, day: dt.date) -> int:
    """The budget spread evenly over the programme's days: what was planned by the end of `day`."""
    total_days = (programme.ends - programme.starts).days + 1
    elapsed = min(max((day - programme.starts).days + 1, 0), total_days)
    return amount * elapsed // total_days


def profiles(lines: Iterable[BudgetLine]) -> dict[int, dict[int, int]]:
    """Each line's spend profile: {line id: {quarter number: planned pence}} (lines without one are
    left out). One query."""
    found: dict[int, dict[int, int]] = defaultdict(dict)
    ids = [line.pk for line in lines]
    for line_id, quarter, amount in PlannedSpend.objects.filter(budget_line_id__in=ids).values_list(
        "budget_line_id", "quarter", "amount_pence"
    ):
        found[line_id][quarter] = amount
    return dict(found)


def planned_to(
    amount: int,
    profile: dict[int, int] | None,
    programme: Programme,
    day: dt.date,
    all_quarters: list[Quarter] | None = None,
) -> int:
    """What a line planned to have spent by the end of `day`."""
    if not profile:
        return even_to(amount, programme, day)
    total = 0
    for quarter in all_quarters or quarters(programme.starts, programme.ends):
        planned = profile.get(quarter.number, 0)
        total += planned * quarter.elapsed_days(day) // quarter.days
    return total


@dataclass
class QuarterRow:
    quarter: Quarter
    planned: int
    actual: int
    planned_to_date: int  # cumulative, to the quarter's end
    actual_to_date: int
    profiled: bool  # every line in the figures has a spend profile

    @property
    def variance(self) -> int:
        """Actual minus planned: positive means spending ahead of plan."""
        return self.actual - self.planned

    @property
    def variance_to_date(self) -> int:
        return self.actual_to_date - self.planned_to_date


def actual_by_day(lines: Iterable[BudgetLine]) -> list[tuple[dt.date, int]]:
    """Spend summed per day in SQL (a few hundred rows however many entries), for bucketing into
    months or quarters in Python: SQLite's date truncation runs a Python function per row."""
    return list(
        SpendEntry.objects.filter(budget_line__in=[line.pk for line in lines])
        .values("spent_on")
        .annotate(total=Sum("amount_pence"))
        .values_list("spent_on", "total")
    )


def quarter_table(
    programme: Programme,
    lines: list[BudgetLine],
    by_day: list[tuple[dt.date, int]] | None = None,
) -> list[QuarterRow]:
    """Planned and actual spend per quarter of the programme for these lines, with the running
    totals: the planned amount of a line without a profile is its even share of the quarter.
    `by_day` is `actual_by_day(lines)` when the caller already has it."""
    all_quarters = quarters(programme.starts, programme.ends)
    by_line = profiles(lines)
    actual: dict[int, int] = defaultdict(int)
    for day, total in actual_by_day(lines) if by_day is None else by_day:
        for quarter in all_quarters:
            if quarter.starts <= day <= quarter.ends:
                actual[quarter.number] += total
                break
    rows: list[QuarterRow] = []
    planned_total = actual_total = 0
    for quarter in all_quarters:
        planned = 0
        for line in lines:
            profile = by_line.get(line.pk)
            if profile:
                planned += profile.get(quarter.number, 0)
            else:
                planned += even_to(line.amount_pence, programme, quarter.ends) - even_to(
                    line.amount_pence, programme, quarter.starts - dt.timedelta(days=1)
                )
        planned_total += planned
        actual_total += actual[quarter.number]
        rows.append(
            QuarterRow(
                quarter,
                planned,
                actual[quarter.number],
                planned_total,
                actual_total,
                bool(lines) and all(line.pk in by_line for line in lines),
            )
        )
    return rows
