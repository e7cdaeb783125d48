"""WorkPlace's domain logic: leaving-care duties, matching young people with opportunities, the
referral pipeline and outcomes. No request objects here; views call these."""

from __future__ import annotations

import datetime as dt
import math
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import QuerySet

from alliance.organisations.models import Organisation
from alliance.workplace import codes, postcodes, returns_data
from alliance.workplace.models import (
    BARRIERS,
    INTERESTS,
    SKILLS,
    SUPPORT,
    CareLeaverInfo,
    Hours,
    Opportunity,
    Referral,
    StatusLetter,
    YoungPerson,
    bits,
    words,
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


@dataclass(frozen=True, slots=True)
class DutyPerson:
    """The few facts about a young person the duty rules read."""

    pk: int
    name: str
    date_of_birth: dt.date
    pathway_plan_started: dt.date | None
    pathway_plan_reviewed: dt.date | None


WINDOW_BEFORE = dt.timedelta(days=INFO_WINDOW_BEFORE)
WINDOW_AFTER = dt.timedelta(days=INFO_WINDOW_AFTER)


def duties_for(
    people: Iterable[YoungPerson | DutyPerson],
    recorded: dict[int, set[int]],
    today: dt.date | None = None,
) -> list[Duty]:
    """The leaving-care duties overdue, due now or coming up for these young people.
    `recorded` maps a young person's id to the birthdays whose information is recorded."""
    today = today or dt.date.today()
    horizon = today + dt.timedelta(days=UPCOMING_DAYS)
    sixteenth = birthday(today, -16)  # born on or before this: 16 or over today
    found: list[Duty] = []
    nothing: set[int] = set()
    for person in people:
        pk, name, born = person.pk, person.name, person.date_of_birth
        if person.pathway_plan_started is None and born <= sixteenth:
            found.append(Duty(pk, name, "Pathway plan: write the first plan", today, "overdue"))
        due = review_due(person.pathway_plan_started, person.pathway_plan_reviewed, today)
        if due is not None and due <= horizon:
            status = "overdue" if due < today else "upcoming"
            found.append(Duty(pk, name, "Pathway plan review", due, status))
        done = recorded.get(pk, nothing)
        days = [(age, birthday(born, age)) for age in INFO_AGES]
        passed = [age for age, day in days if day <= today]
        latest = passed[-1] if passed else None
        for age, day in days:
            if age in done:
                continue
            opens, closes = day - WINDOW_BEFORE, day + WINDOW_AFTER
            what = f"Care leaver information for {age}th birthday"
            if today > closes:
                # Only the most recent missed birthday is still worth chasing for the return.
                if age == latest:
                    found.append(Duty(pk, name, what, closes, "overdue", age))
            elif opens <= today:
                found.append(Duty(pk, name, what, day, "due", age))
            elif opens <= horizon:
                found.append(Duty(pk, name, what, day, "upcoming", age))
    order = {"overdue": 0, "due": 1, "upcoming": 2}
    return sorted(found, key=lambda d: (order[d.status], d.due, d.young_person))


def duties(people: QuerySet[YoungPerson], today: dt.date | None = None) -> list[Duty]:
    rows = people.values_list(
        "id",
        "first_name",
        "last_name",
        "date_of_birth",
        "pathway_plan_started",
        "pathway_plan_reviewed",
    )
    recorded: dict[int, set[int]] = defaultdict(set)
    for person_id, age in CareLeaverInfo.objects.filter(
        young_person__in=people.values("id")
    ).values_list("young_person_id", "birthday"):
        recorded[person_id].add(age)
    return duties_for(
        (DutyPerson(pk, f"{first} {last}", born, started, reviewed)
         for pk, first, last, born, started, reviewed in rows),
        recorded,
        today,
    )  # fmt: skip


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


def points_for(
    interests: int,
    skills: int,
    barriers: int,
    home: tuple[int, int] | None,
    max_miles: int,
    hours_wanted: str,
    opp_interests: int,
    opp_skills: int,
    opp_support: int,
    where: tuple[int, int] | None,
    hours_per_week: int,
) -> tuple[int, float | None] | None:
    """The fit score and the distance in miles, or None when the opportunity is more than twice
    as far as the young person will travel. The one place the score is worked out: `score` adds
    the reasons for the same number."""
    if home is None or where is None:
        miles = None
    else:
        miles = math.hypot(home[0] - where[0], home[1] - where[1]) / postcodes.METRES_PER_MILE
        if miles > 2 * max_miles:
            return None
    points = 10  # eligible and open
    shared = opp_interests & interests
    if shared:
        points += min(40, 25 * shared.bit_count())
    has = opp_skills & skills
    if has:
        points += min(20, 10 * has.bit_count())
    lacks = opp_skills & ~skills
    if lacks:
        points -= 5 * lacks.bit_count()
    if miles is not None:
        if miles <= max_miles:
            points += round(20 * (1 - miles / max_miles)) if max_miles else 20
        else:
            points -= 10
    if hours_wanted == Hours.EITHER or (hours_wanted == Hours.FULL_TIME) == (hours_per_week >= 30):
        points += 10
    if barriers & TRANSPORT_BIT and opp_support & TRAVEL_BIT:
        points += 5
    if opp_support & INTERVIEW_BIT:
        points += 5
    return points, miles


def score(  # noqa: PLR0912 - one branch per reason
    *,
    age: int,
    interests: int,
    skills: int,
    barriers: int,
    home: tuple[int, int] | None,
    max_miles: int,
    hours_wanted: str,
    opp_interests: int,
    opp_skills: int,
    opp_support: int,
    where: tuple[int, int] | None,
    hours_per_week: int,
    min_age: int,
    max_age: int,
    closing: dt.date,
    today: dt.date,
) -> Match | None:
    """How well one opportunity fits one young person, with the reasons in plain words; None when
    it cannot fit (not eligible by age, closed, or more than twice as far as they will travel).
    Interests, skills, barriers and support are bit sets (`models.bits`)."""
    if closing < today or not (min_age <= age <= max_age):
        return None
    found = points_for(
        interests, skills, barriers, home, max_miles, hours_wanted,
        opp_interests, opp_skills, opp_support, where, hours_per_week,
    )  # fmt: skip
    if found is None:
        return None
    points, miles = found
    reasons = [f"Eligible at {age} (ages {min_age} to {max_age})"]
    cautions: list[str] = []
    shared, has, lacks = opp_interests & interests, opp_skills & skills, opp_skills & ~skills
    if shared:
        reasons.append(
            "Matches interest in " + ", ".join(w.lower() for w in words(shared, INTERESTS))
        )
    if has:
        reasons.append("Has " + ", ".join(w.lower() for w in words(has, SKILLS)))
    if lacks:
        cautions.append("Asks for " + ", ".join(w.lower() for w in words(lacks, SKILLS)))
    if miles is None:
        cautions.append("Travel distance not known (postcode not found)")
    elif miles <= max_miles:
        reasons.append(f"{miles:.1f} miles from home (will travel {max_miles})")
    else:
        cautions.append(
            f"{miles:.1f} miles from home, further than the {max_miles} they will travel"
        )
    if _hours_fit(hours_wanted, hours_per_week):
        reasons.append(f"{hours_per_week} hours a week suits them")
    else:
        cautions.append(f"{hours_per_week} hours a week is not what they asked for")
    if barriers & TRANSPORT_BIT and opp_support & TRAVEL_BIT:
        reasons.append("Travel costs paid (transport is a barrier)")
    if opp_support & INTERVIEW_BIT:
        reasons.append("Guaranteed interview")
    days_left = (closing - today).days
    if days_left <= 14:
        cautions.append(f"Closes in {days_left} days" if days_left else "Closes today")
    return Match(points, reasons, cautions, None if miles is None else round(miles, 1))


TRANSPORT_BIT = bits(["transport"], BARRIERS)
TRAVEL_BIT = bits(["travel"], SUPPORT)
INTERVIEW_BIT = bits(["interview"], SUPPORT)
SHOWN = 30  # matches explained and shown on a page


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


def _grid(easting: int | None, northing: int | None) -> tuple[int, int] | None:
    return None if easting is None or northing is None else (easting, northing)


def _top(scored: list[tuple[int, float, str, int]], limit: int | None) -> list[int]:
    """Ids of the best `limit`: highest score, then nearest, then by name."""
    scored.sort(key=lambda r: (-r[0], r[1], r[2]))
    return [r[3] for r in (scored if limit is None else scored[:limit])]


def matches_for_young_person(
    person: YoungPerson,
    opportunities: QuerySet[Opportunity],
    today: dt.date | None = None,
    limit: int | None = SHOWN,
) -> tuple[list[Match], int]:
    """Open opportunities ranked by fit for this young person, best first, with the reasons for
    the best `limit`; and how many fit in all. Every one in reach is scored from a few numeric
    columns; only those shown are read in full and explained (the same score)."""
    today = today or dt.date.today()
    age = person.age_on(today)
    home = (
        (person.easting, person.northing)
        if person.easting is not None and person.northing is not None
        else None
    )
    person.set_bits()
    mine = (person.interest_bits, person.skill_bits, person.barrier_bits, home,
            person.max_travel_miles, person.hours)  # fmt: skip
    candidates = opportunities.filter(
        closing_date__gte=today,
        min_age__lte=age,
        max_age__gte=age,
        **_box(home, person.max_travel_miles),
    )
    rows = candidates.values_list(
        "id", "interest_bits", "skill_bits", "support_bits", "easting", "northing",
        "hours_per_week", "title",
    )  # fmt: skip
    scored: list[tuple[int, float, str, int]] = []
    for pk, o_int, o_sk, o_sup, e, n, hours, title in rows:
        where = (e, n) if e is not None and n is not None else None
        found = points_for(*mine, o_int, o_sk, o_sup, where, hours)
        if found is not None:
            scored.append((found[0], 9e9 if found[1] is None else found[1], title, pk))
    best = _top(scored, limit)
    chosen = Opportunity.objects.select_related("employer").in_bulk(best)
    explained = []
    for pk in best:
        item = chosen[pk]
        match = score(
            age=age, interests=mine[0], skills=mine[1], barriers=mine[2], home=home,
            max_miles=mine[4], hours_wanted=mine[5], opp_interests=item.interest_bits,
            opp_skills=item.skill_bits, opp_support=item.support_bits,
            where=_grid(item.easting, item.northing),
            hours_per_week=item.hours_per_week, min_age=item.min_age, max_age=item.max_age,
            closing=item.closing_date, today=today,
        )  # fmt: skip
        if match is None:  # changed since the first read
            continue
        match.opportunity_id, match.title = pk, item.title
        match.extra = {
            "kind": item.get_kind_display(),
            "employer": item.employer.name,
            "closing": item.closing_date,
        }
        explained.append(match)
    return explained, len(scored)


def matches_for_opportunity(
    opportunity: Opportunity,
    people: QuerySet[YoungPerson],
    today: dt.date | None = None,
    limit: int | None = SHOWN,
) -> tuple[list[Match], int]:
    """Young people this opportunity suits, best first (reasons for the best `limit`), for an
    adviser to approach; and how many fit in all."""
    today = today or dt.date.today()
    if opportunity.closing_date < today:
        return [], 0
    where = (
        (opportunity.easting, opportunity.northing)
        if opportunity.easting is not None and opportunity.northing is not None
        else None
    )
    opportunity.set_bits()
    theirs = (opportunity.interest_bits, opportunity.skill_bits, opportunity.support_bits, where,
              opportunity.hours_per_week)  # fmt: skip
    # Old enough today and not too old (born after the day they would turn max_age + 1).
    oldest = birthday(today, -(opportunity.max_age + 1))
    youngest = birthday(today, -opportunity.min_age)
    rows = people.filter(date_of_birth__gt=oldest, date_of_birth__lte=youngest).values_list(
        "id", "interest_bits", "skill_bits", "barrier_bits", "easting", "northing",
        "max_travel_miles", "hours", "last_name",
    )  # fmt: skip
    scored: list[tuple[int, float, str, int]] = []
    for pk, interests, skills, barriers, e, n, max_miles, hours, last in rows:
        home = (e, n) if e is not None and n is not None else None
        found = points_for(interests, skills, barriers, home, max_miles, hours, *theirs[:3],
                           theirs[3], theirs[4])  # fmt: skip
        if found is not None:
            scored.append((found[0], 9e9 if found[1] is None else found[1], last, pk))
    best = _top(scored, limit)
    chosen = YoungPerson.objects.in_bulk(best)
    explained = []
    for pk in best:
        person = chosen[pk]
        age = person.age_on(today)
        match = score(
            age=age, interests=person.interest_bits, skills=person.skill_bits,
            barriers=person.barrier_bits,
            home=_grid(person.easting, person.northing),
            max_miles=person.max_travel_miles, hours_wanted=person.hours,
            opp_interests=theirs[0], opp_skills=theirs[1], opp_support=theirs[2], where=where,
            hours_per_week=opportunity.hours_per_week, min_age=opportunity.min_age,
            max_age=opportunity.max_age, closing=opportunity.closing_date, today=today,
        )  # fmt: skip
        if match is None:
            continue
        match.young_person_id, match.title = pk, person.name
        match.extra = {"age": age, "activity": codes.activity_label(person.activity)}
        explained.append(match)
    return explained, len(scored)


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


# The stages an employer records for their own applicants ("ended" reads "not taken forward").
EMPLOYER_MOVES = (Referral.Stage.INTERVIEW, Referral.Stage.OFFER, Referral.Stage.ENDED)


def employer_next_stages(referral: Referral) -> list[str]:
    """Where an employer may move an applicant: on to interview or offer, or not taken
    forward; what happens after an offer is the adviser's to record."""
    if referral.stage not in (Referral.Stage.APPLIED, Referral.Stage.INTERVIEW):
        return []
    return [s for s in next_stages(referral) if s in EMPLOYER_MOVES]


@transaction.atomic
def close_early(opportunity: Opportunity, today: dt.date | None = None) -> Opportunity:
    """Close an open opportunity now. The closing date becomes yesterday (so it leaves every
    list and match at once) and the advertised date is kept, so it can be reopened."""
    today = today or dt.date.today()
    if opportunity.closing_date < today:
        raise StageError("This opportunity has already closed")
    opportunity.advertised_closing_date = opportunity.closing_date
    opportunity.closing_date = today - dt.timedelta(days=1)
    opportunity.closed_early_on = today
    opportunity.save(update_fields=["advertised_closing_date", "closing_date", "closed_early_on"])
    return opportunity


@transaction.atomic
def reopen(opportunity: Opportunity, today: dt.date | None = None) -> Opportunity:
    """Reopen an opportunity closed early, up to its advertised closing date."""
    today = today or dt.date.today()
    advertised = opportunity.advertised_closing_date
    if opportunity.closed_early_on is None or advertised is None:
        raise StageError("Only an opportunity closed early can be reopened")
    if advertised < today:
        raise StageError(
            f"The advertised closing date, {advertised.day} {advertised:%B %Y}, has passed: "
            "post it again with a new closing date"
        )
    opportunity.closing_date = advertised
    opportunity.advertised_closing_date = opportunity.closed_early_on = None
    opportunity.save(update_fields=["advertised_closing_date", "closing_date", "closed_early_on"])
    return opportunity


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
    from alliance.nationalpicture import interface as national

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
