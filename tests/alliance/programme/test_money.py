from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from alliance.common.jinja import money
from alliance.programme.money import parse_pence, pence_as_text, split_pence


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


@given(
    total=st.integers(min_value=0, max_value=10**13),
    weights=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=12).filter(any),
)
def test_split_parts_sum_exactly_to_the_whole(total, weights):
    parts = split_pence(total, weights)
    assert sum(parts) == total
    whole = sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        # each part is its exact share rounded down or up, never further off
        assert total * weight // whole <= part <= -(-total * weight // whole)
        assert part >= 0
        if weight == 0:
            assert part == 0


@given(total=st.integers(min_value=0, max_value=10**13), n=st.integers(min_value=1, max_value=50))
def test_equal_split_differs_by_at_most_a_penny(total, n):
    parts = split_pence(total, [1] * n)
    assert sum(parts) == total
    assert max(parts) - min(parts) <= 1


def test_fifteen_million_split_three_ways_loses_no_pence():
    assert split_pence(1_500_000_000, [1, 1, 1]) == [500_000_000] * 3
    assert split_pence(100, [1, 1, 1]) == [34, 33, 33]
    assert sum(split_pence(1_500_000_000, [1] * 7)) == 1_500_000_000


def test_refuses_nothing_to_split_between():
    with pytest.raises(ValueError, match="at least one weight"):
        split_pence(100, [])
    with pytest.raises(ValueError, match="not all zero"):
        split_pence(100, [0, 0])
