"""Matching young people with opportunities: the points each match scores and why, and the best
matches for a young person or an opportunity. No request objects here."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet

from alliance.workplace import codes, postcodes
from alliance.workplace.leaving_care import birthday
from alliance.workplace.models import (
    BARRIERS,
    INTERESTS,
    SKILLS,
    SUPPORT,
    Hours,
    Opportunity,
    YoungPerson,
    bits,
    words,
)

INTEREST_LABELS = dict(INTERESTS)
SKILL_LABELS = dict(SKILLS)
SUPPORT_LABELS = dict(SUPPORT)


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
    to_young_person: bool = False,
) -> Match | None:
    """How well one opportunity fits one young person, with the reasons in plain words; None when
    it cannot fit (not eligible by age, closed, or more than twice as far as they will travel).
    Interests, skills, barriers and support are bit sets (`models.bits`). The reasons talk
    about the young person to an adviser, or `to_young_person` ("suits you")."""
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
    you = to_young_person
    if shared:
        reasons.append(
            ("Matches your interest in " if you else "Matches interest in ")
            + ", ".join(w.lower() for w in words(shared, INTERESTS))
        )
    if has:
        reasons.append(
            ("You have " if you else "Has ") + ", ".join(w.lower() for w in words(has, SKILLS))
        )
    if lacks:
        cautions.append("Asks for " + ", ".join(w.lower() for w in words(lacks, SKILLS)))
    home_words = "your home" if you else "home"
    if miles is None:
        cautions.append("Travel distance not known (postcode not found)")
    elif miles <= max_miles:
        travel = f"you will travel up to {max_miles}" if you else f"will travel {max_miles}"
        reasons.append(f"{miles:.1f} miles from {home_words} ({travel})")
    else:
        cautions.append(
            f"{miles:.1f} miles from {home_words}, further than the {max_miles} "
            f"{'you' if you else 'they'} will travel"
        )
    if _hours_fit(hours_wanted, hours_per_week):
        reasons.append(f"{hours_per_week} hours a week suits {'you' if you else 'them'}")
    else:
        cautions.append(
            f"{hours_per_week} hours a week is not what {'you' if you else 'they'} asked for"
        )
    if barriers & TRANSPORT_BIT and opp_support & TRAVEL_BIT:
        reasons.append(
            "Travel costs paid (you said transport is hard for you)"
            if you
            else "Travel costs paid (transport is a barrier)"
        )
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
    to_young_person: bool = False,
) -> tuple[list[Match], int]:
    """Open opportunities ranked by fit for this young person, best first, with the reasons for
    the best `limit` (said to the young person, `to_young_person`); and how many fit in all. Every one in reach is scored from a few numeric
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
            closing=item.closing_date, today=today, to_young_person=to_young_person,
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
