"""The National Minimum Wage and National Living Wage an opportunity must pay, from the dated
table in `data/minimum_wage.csv` (GOV.UK's published rates, with each rate's effective date and
source). No request objects here."""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError

TABLE = Path(__file__).parent / "data" / "minimum_wage.csv"
APPRENTICE = "apprentice"
SOURCE_PAGE = "gov.uk/national-minimum-wage-rates"


@dataclass(frozen=True)
class Rate:
    effective_from: dt.date
    band: str
    min_age: int | None
    max_age: int | None
    pence: int
    source: str

    def covers(self, age: int) -> bool:
        return (self.min_age is None or age >= self.min_age) and (
            self.max_age is None or age <= self.max_age
        )


class PayBelowMinimum(ValidationError):
    """The pay is below the legal minimum for the ages and the date."""


class NoRateKnown(LookupError):
    """The table has no rate for that date (before its first row)."""


@cache
def rates() -> tuple[Rate, ...]:
    with TABLE.open(encoding="utf-8") as f:
        lines = (line for line in f if not line.startswith("#"))
        return tuple(
            Rate(
                dt.date.fromisoformat(row["effective_from"]),
                row["band"],
                int(row["min_age"]) if row["min_age"] else None,
                int(row["max_age"]) if row["max_age"] else None,
                int(row["pence"]),
                row["source"],
            )
            for row in csv.DictReader(lines)
        )


def rate_for(age: int, on: dt.date, *, apprentice: bool = False) -> Rate:
    """The rate in force on `on` for someone `age` (the apprentice rate for an apprentice, as a
    new apprentice is in the first year of their apprenticeship)."""
    in_force = [r for r in rates() if r.effective_from <= on]
    if not in_force:
        raise NoRateKnown(f"No minimum wage rate is recorded for {on.isoformat()}")
    latest = max(r.effective_from for r in in_force)
    current = [r for r in in_force if r.effective_from == latest]
    if apprentice:
        return next(r for r in current if r.band == APPRENTICE)
    return next(r for r in current if r.band != APPRENTICE and r.covers(age))


def _money(pence: int) -> str:
    pounds, rem = divmod(pence, 100)
    return f"£{pounds:,}" + (f".{rem:02d}" if rem else "")


def check_pay(
    pence: int, min_age: int, max_age: int, days: list[dt.date], *, apprentice: bool
) -> None:
    """Refuse pay below the minimum wage for any age the opportunity is open to, on any of
    `days` (say, today and the closing date, when a new rate may be in force)."""
    worst: tuple[int, Rate] | None = None
    for day in days:
        for age in range(min_age, max_age + 1):
            rate = rate_for(age, day, apprentice=apprentice)
            if worst is None or rate.pence > worst[1].pence:
                worst = (age, rate)
    if worst is None or pence >= worst[1].pence:
        return
    _age, rate = worst
    since = f"{rate.effective_from.day} {rate.effective_from:%B %Y}"
    if apprentice:
        what = "the minimum wage for an apprentice in their first year"
    elif rate.band == "21 and over":
        what = "the National Living Wage, for those aged 21 and over,"
    else:
        what = f"the minimum wage for those aged {rate.band}"
    ages = f"age {min_age}" if min_age == max_age else f"ages {min_age} to {max_age}"
    raise PayBelowMinimum(
        f"Pay must be at least {_money(rate.pence)} an hour: that is {what} from {since}, and "
        f"this opportunity is for {ages} ({SOURCE_PAGE})"
    )
