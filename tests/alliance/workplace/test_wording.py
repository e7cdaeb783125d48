"""Ordinals and times of day in WorkPlace's words."""

from __future__ import annotations

import datetime as dt

import pytest

from alliance.workplace import forms, leaving_care
from alliance.workplace.wording import TimeNotUnderstood, clock_time, ordinal, parse_time


@pytest.mark.parametrize(
    ("n", "text"),
    [
        (1, "1st"), (2, "2nd"), (3, "3rd"), (4, "4th"), (11, "11th"), (12, "12th"),
        (13, "13th"), (17, "17th"), (18, "18th"), (21, "21st"), (22, "22nd"), (23, "23rd"),
        (101, "101st"), (111, "111th"), (112, "112th"), (113, "113th"),
    ],
)  # fmt: skip
def test_ordinals(n, text):
    assert ordinal(n) == text


@pytest.mark.parametrize(
    ("typed", "time"),
    [
        ("2:30pm", dt.time(14, 30)),
        ("2.30pm", dt.time(14, 30)),
        ("2:30 PM", dt.time(14, 30)),
        ("2:30 p.m.", dt.time(14, 30)),
        ("2pm", dt.time(14)),
        ("14:30", dt.time(14, 30)),
        ("14.30", dt.time(14, 30)),
        ("9am", dt.time(9)),
        ("09:05", dt.time(9, 5)),
        ("12pm", dt.time(12)),
        ("12am", dt.time(0)),
        ("12:15am", dt.time(0, 15)),
        ("midday", dt.time(12)),
        (" 10:30 ", dt.time(10, 30)),
    ],
)
def test_times_typed_the_ways_people_write_them(typed, time):
    assert parse_time(typed) == time


@pytest.mark.parametrize("typed", ["", "2", "1430", "25:00", "13pm", "0am", "2:75pm", "soon"])
def test_times_that_are_not_times_are_refused(typed):
    with pytest.raises(TimeNotUnderstood):
        parse_time(typed)


def test_every_minute_shown_the_govuk_way_reads_back_as_the_same_time():
    for minute in range(24 * 60):
        time = dt.time(minute // 60, minute % 60)
        shown = clock_time(time)
        assert shown.endswith(("am", "pm"))
        assert parse_time(shown) == time
    assert clock_time(dt.time(14, 30)) == "2:30pm"
    assert clock_time(dt.time(9)) == "9am"


def test_birthday_duties_say_21st_22nd_and_the_form_offers_them():
    today = dt.date(2026, 6, 1)
    people = [
        leaving_care.DutyPerson(n, f"Person {n}", dt.date(2026 - age, 6, 20), today, None)
        for n, age in enumerate(range(17, 22), start=1)
    ]
    whats = {d.what for d in leaving_care.duties_for(people, {}, today)}
    assert {
        "Care leaver information for 17th birthday",
        "Care leaver information for 18th birthday",
        "Care leaver information for 19th birthday",
        "Care leaver information for 20th birthday",
        "Care leaver information for 21st birthday",
    } <= whats
    assert not any("21th" in w for w in whats)
    labels = [label for _age, label in forms.CareLeaverInfoForm.base_fields["birthday"].choices]
    assert labels[-1] == "21st birthday"
