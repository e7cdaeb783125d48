"""WorkPlace's outcomes: care leavers in education, employment or training by collection year
and now, beside England's and the statistical neighbours' published shares and the council's
own returns, and each employer's results. No request objects here."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from alliance.nationalpicture import interface as national
from alliance.organisations.models import Organisation
from alliance.workplace import codes, pipeline, returns_data
from alliance.workplace.models import (
    CareLeaverInfo,
    Opportunity,
    Referral,
    YoungPerson,
)

AGE_BANDS = (("17-18", 17, 18), ("19-21", 19, 21))


def collection_year(day: dt.date) -> int:
    """The SSDA903 collection year (ending 31 March) a date falls in: 2025 = 2024/25."""
    return day.year + 1 if day.month >= 4 else day.year


def year_label(year: int) -> str:
    return f"{year - 1}/{str(year)[2:]}"


@dataclass
class Share:
    numerator: int
    denominator: int

    @property
    def percent(self) -> float | None:
        return round(100 * self.numerator / self.denominator, 1) if self.denominator else None


def eet_by_year(organisation: Organisation) -> dict[str, dict[int, Share]]:
    """The share of care leavers in education, employment or training by age band and
    collection year, from the information recorded around their birthdays (as SSDA903 OC3
    counts it: those who have died are left out)."""
    eet = codes.eet_codes()
    counts: dict[str, dict[int, list[int]]] = {
        band: defaultdict(lambda: [0, 0]) for band, *_ in AGE_BANDS
    }
    rows = CareLeaverInfo.objects.filter(organisation=organisation).exclude(in_touch="DIED")
    for age, day, activity in rows.values_list("birthday", "recorded_on", "activity"):
        for band, low, high in AGE_BANDS:
            if low <= age <= high:
                cell = counts[band][collection_year(day)]
                cell[1] += 1
                cell[0] += activity in eet
    return {
        band: {year: Share(n, d) for year, (n, d) in sorted(by_year.items())}
        for band, by_year in counts.items()
    }


def eet_now(people: QuerySet[YoungPerson], today: dt.date | None = None) -> dict[str, Share]:
    today = today or dt.date.today()
    eet = codes.eet_codes()
    shares = {band: Share(0, 0) for band, *_ in AGE_BANDS}
    for born, activity, in_touch in people.values_list("date_of_birth", "activity", "in_touch"):
        if in_touch == "DIED":
            continue
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        for band, low, high in AGE_BANDS:
            if low <= age <= high:
                shares[band].denominator += 1
                shares[band].numerator += activity in eet
    return shares


NATIONAL_CODES = {"17-18": "ees-care-leavers-eet-17-18", "19-21": "ees-care-leavers-eet-19-21"}


def national_comparison(organisation: Organisation) -> dict[str, Any]:
    """England's and the statistical neighbours' published shares (DfE), by age band."""
    council = getattr(organisation, "council", None)
    if council is None:
        return {}
    found = {c.indicator.code: c for c in national.compare(council, NATIONAL_CODES.values())}
    return {band: found.get(code) for band, code in NATIONAL_CODES.items()}


def returns_history(organisation: Organisation) -> tuple[bool, dict[str, dict[int, float | None]]]:
    """The council's own SSDA903 care-leaver EET figures by year, from its accepted uploads.
    (available, {band: {year: value}}); available is False when nothing is uploaded."""
    rows = returns_data.ssda903_indicator_history(organisation)
    found: dict[str, dict[int, float | None]] = {band: {} for band, *_ in AGE_BANDS}
    codes = {f"care_leavers_{band.replace('-', '_')}_eet": band for band, *_ in AGE_BANDS}
    for row in rows:
        if row.get("code") in codes:
            found[codes[row["code"]]][int(row["year"])] = row.get("value")
    return bool(rows), found


@dataclass
class EmployerOutcome:
    employer: str
    opportunities: int
    places: int
    started: int
    sustained_3: int
    sustained_6: int


def by_employer(opportunities: QuerySet[Opportunity]) -> list[EmployerOutcome]:
    places: Counter[str] = Counter()
    offered: Counter[str] = Counter()
    for name, n in opportunities.values_list("employer__name", "places"):
        offered[name] += 1
        places[name] += n
    reached: dict[str, Counter[str]] = defaultdict(Counter)
    rows = Referral.objects.filter(opportunity__in=opportunities).values_list(
        "opportunity__employer__name", "stage_dates"
    )
    for name, dates in rows:
        # counted by `pipeline.reached`, so sustained can never outnumber started
        reached[name].update(pipeline.reached(dates))
    return [
        EmployerOutcome(
            name,
            offered[name],
            places[name],
            reached[name][Referral.Stage.STARTED],
            reached[name][Referral.Stage.SUSTAINED_3],
            reached[name][Referral.Stage.SUSTAINED_6],
        )
        for name in sorted(offered)
    ]
