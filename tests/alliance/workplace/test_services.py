"""WorkPlace's domain logic: SSDA903 codes from the schema files, leaving-care duties, matching,
the pipeline and outcomes."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from alliance.audit.models import AuditEvent
from alliance.workplace import codes, figures, leaving_care, matching, pipeline, postcodes
from alliance.workplace.form_fields import checked_postcode
from alliance.workplace.models import (
    BARRIERS,
    INTERESTS,
    SKILLS,
    SUPPORT,
    CareLeaverInfo,
    Opportunity,
    Referral,
    YoungPerson,
    bits,
)
from statutory.ssda903.schemas import load_schema
from tests import factories
from tests.alliance.workplace import factories as wp

TODAY = dt.date(2026, 11, 23)


# --- codes --------------------------------------------------------------------------------------


def test_code_lists_are_the_statutory_schemas():
    schema = load_schema(codes.schema_year(TODAY))
    assert codes.activity_codes() == schema.codes["ACTIV"]
    assert codes.accommodation_codes() == schema.codes["ACCOM"]
    assert codes.in_touch_codes() == schema.codes["IN_TOUCH"]
    assert codes.eet_codes() == frozenset(schema.codes["ACTIV_EET"])
    assert "G5" not in codes.eet_codes()


def test_labels_say_what_a_code_means():
    assert codes.activity_label("F5") == "Full time in an apprenticeship (F5)"
    assert (
        codes.accommodation_label("Z1") == "With former foster carers (staying put), suitable (Z1)"
    )
    assert codes.accommodation_label("S2").endswith("not suitable (S2)")
    assert codes.activity_label("") == "Not recorded"


def test_collection_year_is_clamped_to_the_years_the_library_knows():
    assert codes.schema_year(dt.date(2024, 5, 1)) == 2025
    assert codes.schema_year(dt.date(2025, 3, 31)) == 2025
    assert codes.schema_year(dt.date(2040, 1, 1)) == 2027


# --- postcodes ----------------------------------------------------------------------------------


def test_postcodes_come_from_the_ons_directory():
    north_east = postcodes.NORTH_EAST
    assert north_east.grid_reference("ne33 2rl") == north_east.grid_reference("NE332RL")
    assert north_east.grid_reference("NE33 2RL") is not None
    assert north_east.grid_reference("SW1A 1AA") is None  # London: not in the North East table
    assert north_east.grid_reference("NE99 9ZZ") is None  # not a postcode
    assert north_east.council_code("ne332rl") == "E08000023"  # South Tyneside
    miles = postcodes.miles_between(
        north_east.grid_reference(wp.SOUTH_SHIELDS), north_east.grid_reference(wp.HEXHAM)
    )
    assert miles is not None
    assert 25 < miles < 29


@pytest.mark.parametrize(
    ("typed", "tidied"),
    [
        ("ne332rl", "NE33 2RL"),
        ("NE33 2RL", "NE33 2RL"),
        (" ne33  2rl ", "NE33 2RL"),
        ("sr13aa", "SR1 3AA"),
    ],
)
def test_a_postcode_typed_with_or_without_its_space_is_checked_the_same(typed, tidied):
    text, where = checked_postcode(typed)
    assert text == tidied
    assert where == postcodes.NORTH_EAST.grid_reference(tidied)


@pytest.mark.parametrize("typed", ["not a postcode", "NE33", "33 2RL", "NE33 2R", "NE332RLX"])
def test_a_string_not_shaped_like_a_postcode_is_refused(typed):
    with pytest.raises(ValidationError, match="Enter a real postcode"):
        checked_postcode(typed)


def test_a_real_postcode_outside_the_north_east_is_refused_with_why():
    with pytest.raises(ValidationError, match="Enter a postcode in the North East"):
        checked_postcode("sw1a1aa")


# --- duties -------------------------------------------------------------------------------------


def _person(**fields):  # an unsaved record is enough for the duty rules
    values = {
        "pk": 1,
        "first_name": "Sam",
        "last_name": "Test",
        "date_of_birth": dt.date(2008, 12, 1),
    }
    values.update(fields)
    return YoungPerson(**values)


def test_a_pathway_plan_review_is_due_six_months_after_the_last():
    person = _person(
        pathway_plan_started=dt.date(2025, 1, 10), pathway_plan_reviewed=dt.date(2026, 5, 1)
    )
    found = leaving_care.duties_for([person], {1: {17}}, TODAY)
    review = [d for d in found if d.what == "Pathway plan review"]
    assert review
    assert review[0].due == dt.date(2026, 11, 1)
    assert review[0].status == "overdue"
    recent = _person(
        pathway_plan_started=dt.date(2025, 1, 10), pathway_plan_reviewed=dt.date(2026, 10, 1)
    )
    assert not [
        d for d in leaving_care.duties_for([recent], {1: {17}}, TODAY) if "review" in d.what
    ]


def test_no_pathway_plan_at_16_is_overdue():
    found = leaving_care.duties_for([_person()], {}, TODAY)
    assert any(d.what == "Pathway plan: write the first plan" for d in found)


def test_birthday_information_is_due_from_three_months_before_to_one_after():
    # 18th birthday on 1 December 2026: the window opened on 31 August.
    person = _person(pathway_plan_started=TODAY, date_of_birth=dt.date(2008, 12, 1))
    found = leaving_care.duties_for([person], {1: {17}}, TODAY)
    info = [d for d in found if d.birthday_age == 18]
    assert info
    assert info[0].status == "due"
    assert info[0].due == dt.date(2026, 12, 1)
    # Recorded already: no duty.
    assert not [
        d for d in leaving_care.duties_for([person], {1: {17, 18}}, TODAY) if d.birthday_age
    ]


def test_missed_birthday_information_is_overdue_only_for_the_latest_birthday():
    person = _person(pathway_plan_started=TODAY, date_of_birth=dt.date(2006, 6, 1))  # 20 in June
    found = [d for d in leaving_care.duties_for([person], {}, TODAY) if d.birthday_age]
    assert [(d.birthday_age, d.status) for d in found] == [(20, "overdue")]


def test_birthday_information_coming_up_within_four_weeks():
    # 17th birthday on 15 March 2027: the window opens 13 December 2026, within 28 days.
    person = _person(pathway_plan_started=TODAY, date_of_birth=dt.date(2010, 3, 15))
    found = [d for d in leaving_care.duties_for([person], {}, TODAY) if d.birthday_age]
    assert [(d.birthday_age, d.status) for d in found] == [(17, "upcoming")]


def test_29_february_birthdays():
    assert leaving_care.birthday(dt.date(2008, 2, 29), 17) == dt.date(2025, 3, 1)
    assert leaving_care.add_months(dt.date(2026, 8, 31), 6) == dt.date(2027, 2, 28)


# --- matching -----------------------------------------------------------------------------------


def _score(**overrides):
    for name, vocabulary in (
        ("interests", INTERESTS),
        ("opp_interests", INTERESTS),
        ("skills", SKILLS),
        ("opp_skills", SKILLS),
        ("barriers", BARRIERS),
        ("opp_support", SUPPORT),
    ):
        if name in overrides:
            overrides[name] = bits(overrides[name], vocabulary)
    values = {
        "age": 18,
        "interests": bits(["logistics"], INTERESTS),
        "skills": bits(["teamwork"], SKILLS),
        "barriers": 0,
        "home": postcodes.NORTH_EAST.grid_reference(wp.SOUTH_SHIELDS),
        "max_miles": 10,
        "hours_wanted": "either",
        "opp_interests": bits(["logistics"], INTERESTS),
        "opp_skills": 0,
        "opp_support": 0,
        "where": postcodes.NORTH_EAST.grid_reference(wp.JARROW),
        "hours_per_week": 37,
        "min_age": 16,
        "max_age": 24,
        "closing": TODAY + dt.timedelta(days=30),
        "today": TODAY,
    }
    values.update(overrides)
    return matching.score(**values)


def test_a_match_gives_its_reasons():
    match = _score()
    assert match is not None
    assert match.miles == pytest.approx(3.0, abs=0.1)
    text = " ".join(match.reasons)
    assert "Matches interest in maritime, transport and logistics" in text
    assert "3.0 miles from home (will travel 10)" in text


def test_ineligible_closed_or_far_away_opportunities_do_not_match():
    assert _score(age=25) is None
    assert _score(closing=TODAY - dt.timedelta(days=1)) is None
    assert (
        _score(where=postcodes.NORTH_EAST.grid_reference(wp.HEXHAM)) is None
    )  # 27 miles, twice 10 is 20
    far = _score(where=postcodes.NORTH_EAST.grid_reference(wp.HEXHAM), max_miles=14)
    assert far is not None
    assert any("further than the 14" in c for c in far.cautions)


def test_a_better_fit_scores_higher():
    base = _score()
    assert _score(opp_interests=["care"]).score < base.score
    assert _score(opp_skills=["cscs"]).score < base.score
    assert _score(hours_wanted="part-time").score < base.score
    assert _score(barriers=["transport"], opp_support=["travel"]).score > base.score


@pytest.mark.django_db
def test_opportunities_for_a_young_person_are_ranked_and_filtered(reference_data):
    person = wp.young_person(interests=["logistics"])
    employer = wp.employer()
    best = wp.opportunity(employer, title="Near and matching")
    other = wp.opportunity(employer, title="Near, other trade", interests=["beauty"])
    wp.opportunity(employer, title="Closed", closing_date=dt.date.today() - dt.timedelta(days=1))
    wp.opportunity(employer, title="Too far", postcode=wp.HEXHAM)
    wp.opportunity(employer, title="Too old for it", max_age=17)
    found, total = matching.matches_for_young_person(person, Opportunity.objects.all())
    assert total == 2
    assert [m.title for m in found] == [best.title, other.title]
    assert found[0].score > found[1].score


@pytest.mark.django_db
def test_young_people_for_an_opportunity(reference_data):
    council = wp.south_tyneside()
    near = wp.young_person(first_name="Near")
    wp.young_person(first_name="Hexham", postcode=wp.HEXHAM, max_travel_miles=5)
    wp.young_person(first_name="Young", date_of_birth=wp.born_aged(14))
    item = wp.opportunity()
    found, _total = matching.matches_for_opportunity(
        item, YoungPerson.objects.filter(organisation=council)
    )
    assert [m.young_person_id for m in found] == [near.pk]


# --- pipeline -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_pipeline_moves_forward_with_dates(reference_data):
    person, item, adviser = wp.young_person(), wp.opportunity(), factories.user()
    referral = pipeline.suggest(person, item, None, user=adviser)
    assert referral.stage == Referral.Stage.SUGGESTED
    today = dt.date.today()
    pipeline.move(referral, Referral.Stage.APPLIED, today, user=adviser)
    assert referral.date_of("applied") == today
    with pytest.raises(pipeline.StageError):
        pipeline.move(referral, Referral.Stage.INTERESTED, today, user=adviser)  # backwards
    with pytest.raises(pipeline.StageError):
        pipeline.move(
            referral, Referral.Stage.OFFER, today - dt.timedelta(days=400), user=adviser
        )  # before
    with pytest.raises(pipeline.StageError):
        pipeline.move(
            referral, Referral.Stage.OFFER, today + dt.timedelta(days=1), user=adviser
        )  # future
    referral.refresh_from_db()
    assert referral.stage == Referral.Stage.APPLIED
    assert pipeline.suggest(person, item, None, user=adviser).pk == referral.pk  # never twice
    # each change is audited with the acting adviser; the refused moves left no audit row
    changes = AuditEvent.objects.filter(object_type="workplace.Referral", action="change")
    assert [(e.username, e.detail) for e in changes] == [(adviser.username, {"stage": "applied"})]


@pytest.mark.django_db
def test_saying_interested(reference_data):
    person, item = wp.young_person(), wp.opportunity()
    referral = pipeline.say_interested(person, item, user=factories.user())
    assert referral.stage == Referral.Stage.INTERESTED
    assert set(referral.stage_dates) == {"suggested", "interested"}


# --- outcomes -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_eet_share_by_age_band_and_collection_year(reference_data):
    council = wp.south_tyneside()
    user = wp.adviser(council)
    rows = [
        (17, dt.date(2024, 6, 1), "F5", "YES"),
        (18, dt.date(2024, 9, 1), "G5", "YES"),
        (18, dt.date(2025, 2, 1), "P2", "YES"),  # still 2024/25
        (19, dt.date(2025, 5, 1), "F4", "YES"),  # 2025/26
        (20, dt.date(2025, 6, 1), "G6", "DIED"),  # left out, as the DfE counts
    ]
    for age, day, activity, touch in rows:
        person = wp.young_person(council)
        CareLeaverInfo.objects.create(
            organisation=council,
            young_person=person,
            birthday=age,
            recorded_on=day,
            in_touch=touch,
            activity=activity,
            accommodation="U1",
            recorded_by=user,
        )
    found = figures.eet_by_year(council)
    assert found["17-18"][2025].numerator == 2
    assert found["17-18"][2025].denominator == 3
    assert found["17-18"][2025].percent == pytest.approx(66.7)
    assert found["19-21"][2026].percent == 100.0
    assert 2025 not in found["19-21"]


@pytest.mark.django_db
def test_returns_history_reads_the_returns_interface(reference_data, monkeypatch):
    council = wp.south_tyneside()
    # The real interface, with nothing uploaded: nothing to show, and the page says so.
    assert figures.returns_history(council) == (False, {"17-18": {}, "19-21": {}})
    rows = [
        {
            "year": 2025,
            "code": "care_leavers_17_18_eet",
            "indicator": "care_leavers_17_18_eet",
            "label": "Care leavers 17-18 in education, employment or training (%)",
            "value": 61.5,
            "numerator": 8,
            "denominator": 13,
        },
        {
            "year": 2025,
            "code": "care_leavers_19_21_suitable_accommodation",
            "indicator": "care_leavers_19_21_suitable_accommodation",
            "label": "Care leavers 19-21 in suitable accommodation (%)",
            "value": 90.0,
            "numerator": 9,
            "denominator": 10,
        },
    ]
    seen = []
    from alliance.returns import interface

    monkeypatch.setattr(
        interface, "own_indicator_history", lambda org, kind: seen.append(kind) or rows
    )
    available, history = figures.returns_history(council)
    assert available
    assert seen == ["ssda903"]
    assert history == {"17-18": {2025: 61.5}, "19-21": {}}


@pytest.mark.django_db
def test_by_employer_counts_places_and_sustained_jobs(reference_data):
    employer = wp.employer(name="Counting Ltd")
    item = wp.opportunity(employer, places=3)
    referral = pipeline.suggest(wp.young_person(), item, None, user=factories.user())
    referral.stage_dates = {
        "suggested": "2026-01-01",
        "started": "2026-02-01",
        "sustained-3": "2026-05-01",
    }
    referral.save()
    [row] = figures.by_employer(Opportunity.objects.filter(employer=employer))
    assert (row.opportunities, row.places, row.started, row.sustained_3, row.sustained_6) == (
        1,
        3,
        1,
        1,
        0,
    )


def test_the_quick_score_is_the_explained_score():
    """Ranking uses points_for on raw columns; the page explains the best with score(): both
    must give the same number, and agree on what does not fit."""
    import random

    rng = random.Random(5)
    keys = {n: [k for k, _ in v] for n, v in (("i", INTERESTS), ("s", SKILLS), ("u", SUPPORT))}
    home = postcodes.NORTH_EAST.grid_reference(wp.SOUTH_SHIELDS)
    places = [postcodes.NORTH_EAST.grid_reference(p) for p in (wp.JARROW, wp.SUNDERLAND, wp.HEXHAM)]
    for _ in range(300):
        kwargs = {
            "interests": rng.sample(keys["i"], 2),
            "opp_interests": rng.sample(keys["i"], rng.randint(0, 2)),
            "skills": rng.sample(keys["s"], rng.randint(0, 3)),
            "opp_skills": rng.sample(keys["s"], rng.randint(0, 2)),
            "barriers": rng.choice([[], ["transport"]]),
            "opp_support": rng.sample(keys["u"], rng.randint(0, 3)),
            "max_miles": rng.choice([1, 3, 10, 20]),
            "hours_wanted": rng.choice(["either", "full-time", "part-time"]),
            "hours_per_week": rng.choice([16, 37]),
            "where": rng.choice([*places, None]),
        }
        full = _score(**dict(kwargs))
        quick = matching.points_for(
            bits(kwargs["interests"], INTERESTS),
            bits(kwargs["skills"], SKILLS),
            bits(kwargs["barriers"], BARRIERS),
            home,
            kwargs["max_miles"],
            kwargs["hours_wanted"],
            bits(kwargs["opp_interests"], INTERESTS),
            bits(kwargs["opp_skills"], SKILLS),
            bits(kwargs["opp_support"], SUPPORT),
            kwargs["where"],
            kwargs["hours_per_week"],
        )
        assert (full is None) == (quick is None)
        if full is not None and quick is not None:
            assert full.score == quick[0]
