"""The page filters write dates, money and labels inside sentences the GOV.UK way."""

from __future__ import annotations

import datetime as dt

import pytest

from alliance.common.jinja import dates_written_out, govuk_date, in_sentence, money, ordinal
from alliance.common.numbers import number, percent, signed


@pytest.mark.parametrize(
    ("label", "expected"),
    [
        ("Children looked after at 31 March", "children looked after at 31 March"),
        ("Year ending 31 March", "year ending 31 March"),
        ("KS4 non-SEN pupils", "KS4 non-SEN pupils"),
        ("CLA Unauthorised Absence", "CLA Unauthorised Absence"),
        ("March figures", "March figures"),
        ("", ""),
    ],
)
def test_a_label_inside_a_sentence_keeps_its_month_and_abbreviations(label, expected):
    assert in_sentence(label) == expected


def test_dates_and_money():
    assert govuk_date(dt.date(2025, 3, 31)) == "31 March 2025"
    assert govuk_date(dt.datetime(2026, 12, 4, 14, 5)) == "4 December 2026"
    assert (
        govuk_date(dt.datetime(2026, 12, 4, 14, 5), with_time=True) == "4 December 2026 at 2:05pm"
    )
    assert money(123456) == "£1,234.56"
    assert money(-100000) == "\u2212£1,000"


@pytest.mark.parametrize(
    ("value", "places", "as_number", "as_percent", "as_change"),
    [
        (-5, 0, "\u22125", "\u22125%", "\u22125"),
        (-1234.56, 1, "\u22121,234.6", "\u22121,234.6%", "\u22121,234.6"),
        (5, 1, "5.0", "5.0%", "+5.0"),
        (0, 1, "0.0", "0.0%", "0.0"),
        (-0.04, 1, "0.0", "0.0%", "0.0"),  # rounded to nothing: no sign at all
        (None, 1, "–", "–", "–"),
    ],
)
def test_negative_numbers_have_a_minus_sign_not_a_hyphen(
    value, places, as_number, as_percent, as_change
):
    assert number(value, places) == as_number
    assert percent(value, places) == as_percent
    assert signed(value, places) == as_change


def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 17, 21, 22, 23, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "17th", "21st", "22nd", "23rd",
        "101st", "111th",
    ]  # fmt: skip


def test_recorded_iso_dates_are_written_out():
    assert dates_written_out("Starts: 2025-06-28 Ends: 2027-03-31") == (
        "Starts: 28 June 2025 Ends: 31 March 2027"
    )
    assert dates_written_out("2025-02-30 is not a date") == "2025-02-30 is not a date"
    assert dates_written_out(None) == ""
