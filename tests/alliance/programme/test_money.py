from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from alliance.common.jinja import money
from alliance.programme.money import parse_pence, pence_as_text


@pytest.mark.parametrize(
    ("text", "pence"),
    [
        ("£1,234.56", 123456),
        ("1234.5", 123450),
        ("15,000,000", 1_500_000_000),
        ("0.01", 1),
        (" £7 ", 700),
        ("-3.20", -320),
    ],
)
def test_reads_what_people_type(text, pence):
    assert parse_pence(text) == pence


@pytest.mark.parametrize("text", ["", "abc", "1.234", "£1,23x", "1e5", "£", "1.2.3", "nan"])
def test_refuses_what_is_not_money(text):
    with pytest.raises(ValidationError):
        parse_pence(text)


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_round_trips_exactly_through_text(pence):
    assert parse_pence(pence_as_text(pence)) == pence
    assert parse_pence(money(pence)) == pence
