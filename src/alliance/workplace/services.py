"""WorkPlace's domain logic: leaving-care duties, matching young people with opportunities, the
referral pipeline and outcomes. No request objects here; views call these."""

from __future__ import annotations

import datetime as dt
import importlib
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from alliance.organisations.models import Organisation
from alliance.workplace import codes, postcodes
from alliance.workplace.models import (
    INTERESTS,
    SKILLS,
    SUPPORT,
    CareLeaverInfo,
    Hours,
    Opportunity,
    Referral,
    StatusLetter,
    YoungPerson,
)

INTEREST_LABELS = dict(INTERESTS)
SKILL_LABELS = dict(SKILLS)
SUPPORT_LABELS = dict(SUPPORT)

# ---------------------------------------------------------------------------------------------
# Leaving-care duties

REVIEW_MONTHS = 6  # a pathway plan is reviewed at least every six months
UPCOMING_DAYS = 28  # "coming up" means within four weeks
INFO_AGES = range(17, 22)  # care-leaver information is due around each birthday from 17 to 21
# The SSDA903 guidance counts information recorded from 3 months before to 1 month after the
# birthday as "around" it.
INFO_WINDOW_BEFORE = 92
INFO_WINDOW_AFTER = 31


def add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year = day.year + month // 12
    month = month % 12 + 1
    last = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30]
    last += [31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(day.day, last[month - 1]))


def birthday(date_of_birth: dt.date, age: int) -> dt.date:
    try:
        return date_of_birth.replace(year=date_of_birth.year + age)
    except ValueError:  # 29 February in a year that has none: the DfE counts 1 March
        return dt.date(date_of_birth.year + age, 3, 1)


@dataclass(frozen=True)
class Duty:
    young_person_id: int
    young_person: str
    what: str
    due: dt.date
    status: str  # "overdue", "due", "upcoming"
    birthday_age: int | None = None

    @property
    def status_label(self) -> str:
        return {"overdue": "Overdue", "due": "Due now", "upcoming": "Coming up"}[self.status]

    @property
    def tag_colour(self) -> str:
        return {"overdue": "red", "due": "orange", "upcoming": "blue"}[self.status]


def review_due(started: dt.date | None, reviewed: dt.date | None, today: dt.date) -> dt.date | None:
    last = reviewed or started
    return add_months(last, REVIEW_MONTHS) if last else None


def duties_for(
    people: Iterable[YoungPerson],
    recorded: dict[int, set[int]],
    today: dt.date | None = None,
) -> list[Duty]:
    """The leaving-care duties overdue, due now or coming up for these young people.
    `recorded` maps a young person's id to the birthdays whose information is recorded."""
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    found: list[Duty] = []
    for person in people:
        if person.pathway_plan_started is None and person.age_on(today) >= 16:
            found.append(
                Duty(
                    person.pk,
                    person.name,
                    "Pathway plan: write the first plan",
                    today,
                    "overdue",
                )
            )
        due = review_due(person.pathway_plan_started, person.pathway_plan_reviewed, today)
        if due is not None and due <= horizon:
            status = "overdue" if due < today else "upcoming"
            found.append(Duty(person.pk, person.name, "Pathway plan review", due, status))
        done = recorded.get(person.pk, set())
        for age in INFO_AGES:
            if age in done:
                continue
            day = birthday(person.date_of_birth, age)
            opens = day - dt.timedelta(days=INFO_WINDOW_BEFORE)
            closes = day + dt.timedelta(days=INFO_WINDOW_AFTER)
            if today > closes:
                # Only the most recent missed birthday is still worth chasing for the return.
                if age == max(a for a in INFO_AGES if birthday(person.date_of_birth, a) <= today):
                    found.append(
                        Duty(
                            person.pk,
                            person.name,
                            f"Care leaver information for {age}th birthday",
                            closes,
                            "overdue",
                            age,
                        )
                    )
            elif opens <= today:
                found.append(
                    Duty(
                        person.pk,
                        person.name,
                        f"Care leaver information for {age}th birthday",
                        day,
                        "due",
                        age,
                    )
                )
            elif opens <= horizon:
                found.append(
                    Duty(
                        person.pk,
                        person.name,
                        f"Care leaver information for {age}th birthday",
                        day,
                        "upcoming",
                        age,
                    )
                )
    order = {"overdue": 0, "due": 1, "upcoming": 2}
    return sorted(found, key=lambda d: (order[d.status], d.due, d.young_person))


def duties(people: QuerySet[YoungPerson], today: dt.date | None = None) -> list[Duty]:
    people = people.only(
        "id",
        "first_name",
        "last_name",
        "date_of_birth",
        "pathway_plan_started",
        "pathway_plan_reviewed",
    )
    recorded: dict[int, set[int]] = defaultdict(set)
    for person_id, age in CareLeaverInfo.objects.filter(young_person__in=people).values_list(
        "young_person_id", "birthday"
    ):
        recorded[person_id].add(age)
    return duties_for(people, recorded, today)


def info_birthday_for(person: YoungPerson, today: dt.date) -> int | None:
    """The birthday (17-21) whose information window contains today, or None."""
    for age in INFO_AGES:
        day = birthday(person.date_of_birth, age)
        if (
            day - dt.timedelta(days=INFO_WINDOW_BEFORE)
            <= today
            <= day + dt.timedelta(days=INFO_WINDOW_AFTER)
        ):
            return age
    return None


@transaction.atomic
def record_care_leaver_info(
    person: YoungPerson,
    *,
    age: int,
    recorded_on: dt.date,
    in_touch: str,
    activity: str,
    accommodation: str,
    user: Any,
) -> CareLeaverInfo:
    """Record the birthday information and make it the young person's current position."""
    info = CareLeaverInfo.objects.create(
        organisation=person.organisation,
        young_person=person,
        birthday=age,
        recorded_on=recorded_on,
        in_touch=in_touch,
        activity=activity,
        accommodation=accommodation,
        recorded_by=user,
    )
    person.in_touch, person.activity, person.accommodation = in_touch, activity, accommodation
    person.save(update_fields=["in_touch", "activity", "accommodation", "updated_at"])
    return info


# ---------------------------------------------------------------------------------------------
# Matching


@dataclass
class Match:
    score: int
    reasons: list[str]
    cautions: list[str]
    miles: float | None
    opportunity_id: int = 0
    young_person_id: int = 0
    title: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


def _hours_fit(wanted: str, hours_per_week: int) -> bool:
    offered = Hours.FULL_TIME if hours_per_week >= 30 else Hours.PART_TIME
    return wanted in (Hours.EITHER, offered)


def score(  # noqa: PLR0912 - one branch per reason, read top to bottom
    *,
    age: int,
    interests: Sequence[str],
    skills: Sequence[str],
    barriers: Sequence[str],
    home: tuple[int, int] | None,
    max_miles: int,
    hours_wanted: str,
    opp_interests: Sequence[str],
    opp_skills: Sequence[str],
    opp_support: Sequence[str],
    where: tuple[int, int] | None,
    hours_per_week: int,
    min_age: int,
    max_age: int,
    closing: dt.date,
    today: dt.date,
) -> Match | None:
    """How well one opportunity fits one young person, with the reasons in plain words; None when
    it cannot fit (not eligible by age, closed, or more than twice as far as they will travel)."""
    if closing < today or not (min_age <= age <= max_age):
        return None
    miles = postcodes.miles_between(home, where)
    if miles is not None and miles > 2 * max_miles:
        return None
    points = 10  # eligible and open
    reasons: list[str] = [f"Eligible at {age} (ages {min_age} to {max_age})"]
    cautions: list[str] = []
    shared = [i for i in opp_interests if i in interests]
    if shared:
        points += min(40, 25 * len(shared))
        reasons.append(
            "Matches interest in " + ", ".join(INTEREST_LABELS.get(i, i).lower() for i in shared)
        )
    has = [s for s in opp_skills if s in skills]
    lacks = [s for s in opp_skills if s not in skills]
    if has:
        points += min(20, 10 * len(has))
        reasons.append("Has " + ", ".join(SKILL_LABELS.get(s, s).lower() for s in has))
    if lacks:
        points -= 5 * len(lacks)
        cautions.append("Asks for " + ", ".join(SKILL_LABELS.get(s, s).lower() for s in lacks))
    if miles is None:
        cautions.append("Travel distance not known (postcode not found)")
    elif miles <= max_miles:
        points += round(20 * (1 - miles / max_miles)) if max_miles else 20
        reasons.append(f"{miles:.1f} miles from home (will travel {max_miles})")
    else:
        points -= 10
        cautions.append(
            f"{miles:.1f} miles from home, further than the {max_miles} they will travel"
        )
    if _hours_fit(hours_wanted, hours_per_week):
        points += 10
        reasons.append(f"{hours_per_week} hours a week suits them")
    else:
        cautions.append(f"{hours_per_week} hours a week is not what they asked for")
    if "transport" in barriers and "travel" in opp_support:
        points += 5
        reasons.append("Travel costs paid (transport is a barrier)")
    if "interview" in opp_support:
        points += 5
        reasons.append("Guaranteed interview")
    days_left = (closing - today).days
    if days_left <= 14:
        cautions.append(f"Closes in {days_left} days" if days_left else "Closes today")
    return Match(points, reasons, cautions, None if miles is None else round(miles, 1))


def _box(home: tuple[int, int] | None, miles: int) -> dict[str, int]:
    """A bounding-box filter for the database, so only nearby opportunities are scored."""
    if home is None:
        return {}
    r = int(2 * miles * postcodes.METRES_PER_MILE) + 1
    return {
        "easting__gte": home[0] - r,
        "easting__lte": home[0] + r,
        "northing__gte": home[1] - r,
        "northing__lte": home[1] + r,
    }


def matches_for_young_person(
    person: YoungPerson, opportunities: QuerySet[Opportunity], today: dt.date | None = None
) -> list[Match]:
    """Open opportunities ranked by fit for this young person, best first, with reasons."""
    today = today or dt.date.today()
    age = person.age_on(today)
    home = (
        (person.easting, person.northing)
        if person.easting is not None and person.northing is not None
        else None
    )
    rows = opportunities.filter(
        closing_date__gte=today,
        min_age__lte=age,
        max_age__gte=age,
        **_box(home, person.max_travel_miles),
    ).values_list(
        "id",
        "title",
        "interests",
        "skills",
        "support",
        "easting",
        "northing",
        "hours_per_week",
        "min_age",
        "max_age",
        "closing_date",
        "kind",
        "employer__name",
    )
    found: list[Match] = []
    for pk, title, o_int, o_sk, o_sup, e, n, hours, lo, hi, closing, kind, employer in rows:
        match = score(
            age=age,
            interests=person.interests,
            skills=person.skills,
            barriers=person.barriers,
            home=home,
            max_miles=person.max_travel_miles,
            hours_wanted=person.hours,
            opp_interests=o_int,
            opp_skills=o_sk,
            opp_support=o_sup,
            where=(e, n) if e is not None and n is not None else None,
            hours_per_week=hours,
            min_age=lo,
            max_age=hi,
            closing=closing,
            today=today,
        )
        if match is not None:
            match.opportunity_id, match.title = pk, title
            match.extra = {
                "kind": Opportunity.Kind(kind).label,
                "employer": employer,
                "closing": closing,
            }
            found.append(match)
    found.sort(key=lambda m: (-m.score, m.miles if m.miles is not None else 9e9, m.title))
    return found


def matches_for_opportunity(
    opportunity: Opportunity, people: QuerySet[YoungPerson], today: dt.date | None = None
) -> list[Match]:
    """Young people this opportunity suits, best first, for an adviser to approach."""
    today = today or dt.date.today()
    where = (
        (opportunity.easting, opportunity.northing)
        if opportunity.easting is not None and opportunity.northing is not None
        else None
    )
    latest_born = dt.date(today.year - opportunity.min_age, today.month, min(today.day, 28))
    rows = people.filter(date_of_birth__lte=latest_born).values_list(
        "id",
        "first_name",
        "last_name",
        "date_of_birth",
        "interests",
        "skills",
        "barriers",
        "easting",
        "northing",
        "max_travel_miles",
        "hours",
        "activity",
    )
    found: list[Match] = []
    for (
        pk,
        first,
        last,
        born,
        interests,
        skills,
        barriers,
        e,
        n,
        max_miles,
        hours,
        activity,
    ) in rows:
        age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
        match = score(
            age=age,
            interests=interests,
            skills=skills,
            barriers=barriers,
            home=(e, n) if e is not None and n is not None else None,
            max_miles=max_miles,
            hours_wanted=hours,
            opp_interests=opportunity.interests,
            opp_skills=opportunity.skills,
            opp_support=opportunity.support,
            where=where,
            hours_per_week=opportunity.hours_per_week,
            min_age=opportunity.min_age,
            max_age=opportunity.max_age,
            closing=opportunity.closing_date,
            today=today,
        )
        if match is not None:
            match.young_person_id, match.title = pk, f"{first} {last}"
            match.extra = {"age": age, "activity": codes.activity_label(activity)}
            found.append(match)
    found.sort(key=lambda m: (-m.score, m.miles if m.miles is not None else 9e9, m.title))
    return found


# ---------------------------------------------------------------------------------------------
# The pipeline

STAGES = [s.value for s in Referral.Stage if s != Referral.Stage.ENDED]
# Stages an employer sees a referral at (before "applied" the young person is only considering it).
EMPLOYER_STAGES = STAGES[STAGES.index(Referral.Stage.APPLIED) :]


class StageError(ValueError):
    pass


def next_stages(referral: Referral) -> list[str]:
    if referral.stage == Referral.Stage.ENDED:
        return []
    here = STAGES.index(referral.stage)
    return [*STAGES[here + 1 :], Referral.Stage.ENDED]


@transaction.atomic
def suggest(person: YoungPerson, opportunity: Opportunity, match: Match | None) -> Referral:
    referral, _made = Referral.objects.get_or_create(
        young_person=person,
        opportunity=opportunity,
        defaults={
            "organisation": person.organisation,
            "stage_dates": {Referral.Stage.SUGGESTED: dt.date.today().isoformat()},
            "reasons": match.reasons if match else [],
        },
    )
    return referral


@transaction.atomic
def move(referral: Referral, stage: str, on: dt.date) -> Referral:
    """Move a referral on to `stage`, dated `on`. Stages only go forward (or end)."""
    if stage not in next_stages(referral):
        raise StageError(
            f"A referral at “{referral.get_stage_display()}” cannot move to that stage"
        )
    previous = [referral.date_of(s) for s in STAGES if referral.date_of(s)]
    if previous and on < max(d for d in previous if d is not None):
        raise StageError("The date must be on or after the date of the stage before")
    if on > dt.date.today():
        raise StageError("The date must be today or in the past")
    dates = dict(referral.stage_dates)
    dates[stage] = on.isoformat()
    referral.stage, referral.stage_dates = stage, dates
    referral.save(update_fields=["stage", "stage_dates"])
    return referral


@transaction.atomic
def say_interested(person: YoungPerson, opportunity: Opportunity) -> Referral:
    """The young person says they are interested (from their own phone)."""
    referral = suggest(person, opportunity, None)
    if referral.stage == Referral.Stage.SUGGESTED:
        move(referral, Referral.Stage.INTERESTED, dt.date.today())
    return referral


# ---------------------------------------------------------------------------------------------
# The care leaver status letter


@transaction.atomic
def issue_status_letter(person: YoungPerson, addressed_to: str, user: Any) -> StatusLetter:
    reference = f"WP-{dt.date.today():%Y%m}-{secrets.token_hex(3).upper()}"
    return StatusLetter.objects.create(
        organisation=person.organisation,
        young_person=person,
        reference=reference,
        addressed_to=addressed_to,
        legal_status=person.legal_status,
        issued_by=user,
    )


# ---------------------------------------------------------------------------------------------
# Outcomes

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
    from alliance.nationalpicture import services as national

    council = getattr(organisation, "council", None)
    if council is None:
        return {}
    found = {c.indicator.code: c for c in national.compare(council, NATIONAL_CODES.values())}
    return {band: found.get(code) for band, code in NATIONAL_CODES.items()}


def returns_history(organisation: Organisation) -> tuple[bool, dict[str, dict[int, float | None]]]:
    """The council's own SSDA903 care-leaver EET figures by year, from its accepted uploads.
    (available, {band: {year: value}}); available is False when the returns service is not there
    yet or nothing is uploaded."""
    try:
        # Imported by name: the returns app provides this interface when its engineer lands it.
        returns = importlib.import_module("alliance.returns.services")
        rows = returns.indicator_history(organisation, "ssda903")
    except (ImportError, AttributeError):
        return False, {}
    found: dict[str, dict[int, float | None]] = {band: {} for band, *_ in AGE_BANDS}
    for row in rows:
        label = str(row.get("label") or row.get("indicator") or "")
        for band, *_ in AGE_BANDS:
            if f"Care leavers {band} in education, employment or training" in label:
                found[band][int(row["year"])] = row.get("value")
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
        for stage in (
            Referral.Stage.STARTED,
            Referral.Stage.SUSTAINED_3,
            Referral.Stage.SUSTAINED_6,
        ):
            if stage in dates:
                reached[name][stage] += 1
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


def pipeline_counts(referrals: QuerySet[Referral]) -> list[tuple[str, int]]:
    """How many referrals reached each stage (a referral that reached 'offer' also counts at every
    stage before it that it passed through)."""
    reached: Counter[str] = Counter()
    for dates in referrals.values_list("stage_dates", flat=True):
        for stage in dates:
            reached[stage] += 1
    return [(Referral.Stage(s).label, reached[s]) for s in STAGES]
