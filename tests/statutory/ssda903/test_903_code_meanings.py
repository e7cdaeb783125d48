"""Every SSDA903 code an Edge of Care page can show has a meaning to show with it."""

from __future__ import annotations

import pytest

from statutory.ssda903.code_meanings import meaning, with_meaning
from statutory.ssda903.schemas import load_schema


@pytest.mark.parametrize("column", ["REC", "PLACE", "LS", "RNE", "CIN"])
@pytest.mark.parametrize("year", [2024, 2025])
def test_every_code_of_the_years_schema_has_a_meaning(column, year):
    codes = load_schema(year).codes[column]
    assert codes
    assert [c for c in codes if meaning(column, c) is None] == []


def test_a_code_is_shown_with_its_meaning_and_an_unknown_one_as_it_is():
    assert with_meaning("REC", "E4A") == (
        "E4A Returned home to parents or others with parental responsibility, as planned"
    )
    assert with_meaning("place", "u4") == "u4 Foster care with other foster carers, long term"
    assert with_meaning("PLACE", "Q9") == "Q9"
    assert with_meaning("REC", None) == ""
