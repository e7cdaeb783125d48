"""Quarters of a programme: three-month periods counted from the programme's start (a programme
that starts on 1 April has quarters that match the financial year's). Spend profiles, forecasts
and spend reports are all by these quarters."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dateutil.relativedelta import relativedelta


@dataclass(frozen=True)
class Quarter:
    number: int  # from 1
    starts: dt.date
    ends: dt.date  # inclusive

    @property
    def days(self) -> int:
        return (self.ends - self.starts).days + 1

    @property
    def label(self) -> str:
        return f"Quarter {self.number}"

    @property
    def period(self) -> str:
        """'1 April to 30 June 2018', or across a year '1 January 2019 to 31 March 2019'."""
        if self.starts.year == self.ends.year:
            return f"{self.starts.day} {self.starts:%B} to {self.ends.day} {self.ends:%B %Y}"
        return f"{self.starts.day} {self.starts:%B %Y} to {self.ends.day} {self.ends:%B %Y}"

    def elapsed_days(self, day: dt.date) -> int:
        """How many of the quarter's days have passed by the end of `day` (0 to all)."""
        return min(max((day - self.starts).days + 1, 0), self.days)


def quarters(starts: dt.date, ends: dt.date) -> list[Quarter]:
    """The programme's quarters; the last is cut short at the programme's end. Each starts a whole
    number of months after the programme's start, on the same day of the month or, when that month
    has no such day, its last day (a programme starting on 31 January has a quarter starting on
    30 April)."""
    found: list[Quarter] = []
    number = 1
    begin = starts
    while begin <= ends:
        nxt = starts + relativedelta(months=3 * number)
        found.append(Quarter(number, begin, min(nxt - dt.timedelta(days=1), ends)))
        begin = nxt
        number += 1
    return found


def quarter_of(all_quarters: list[Quarter], day: dt.date) -> Quarter | None:
    for quarter in all_quarters:
        if quarter.starts <= day <= quarter.ends:
            return quarter
    return None
