"""Numbers typed into an address: only 1 to 18 of the digits 0-9 are read as a number."""

from __future__ import annotations

import pytest

from alliance.common.query_values import whole_number


@pytest.mark.parametrize(
    ("text", "number"), [("0", 0), ("7", 7), ("2025", 2025), ("9" * 18, 10**18 - 1)]
)
def test_plain_digits_are_read(text, number):
    assert whole_number(text) == number


@pytest.mark.parametrize(
    "text",
    [
        "",
        "9" * 19,
        "9" * 40,
        "\u00b2",
        "\u0661\u0662",
        "-1",
        "+1",
        " 1",
        "1 ",
        "1e3",
        "1.0",
        "\x00",
        None,
        12,
    ],
    ids=repr,
)
def test_anything_else_is_not_a_number(text):
    assert whole_number(text) is None


def test_the_cases_that_gave_server_errors_are_true_of_isdigit():
    """Why the helper: str.isdigit() let these through to int() or the database."""
    assert "\u00b2".isdigit()
    with pytest.raises(ValueError, match="invalid literal"):
        int("\u00b2")
    assert ("9" * 40).isdigit()
