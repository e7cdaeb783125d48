"""A statutory code on a page comes with its meaning (issue #16: "E4A" alone means nothing to a
reader)."""

from __future__ import annotations

from alliance.common.statutory_codes import key_for, meaning, with_meaning
from statutory.ssda903.rules.r100s import REC_CODES


def test_labels_ending_in_a_code_get_its_meaning():
    assert with_meaning("Ceased by reason: E4A") == (
        "Ceased by reason: E4A (returned home to parents or others with parental responsibility, "
        "as planned)"
    )
    assert with_meaning("Starts by category of need: N1") == (
        "Starts by category of need: N1 (abuse or neglect)"
    )
    assert with_meaning("Children looked after at 31 March") == "Children looked after at 31 March"
    assert with_meaning("Ceased by reason: X9") == "Ceased by reason: X9"


def test_a_tables_key_lists_the_known_codes_in_order():
    assert key_for(["E8", "Total", "N2"]) == [
        ("E8", "care ended for another reason"),
        ("N2", "child's disability or illness"),
    ]
    assert meaning("E99") == ""


def test_every_reason_the_validation_rules_accept_has_a_meaning():
    """The rules' list of valid reasons (X1 is an episode that goes on, not an ending)."""
    assert [code for code in REC_CODES if code != "X1" and not meaning(code)] == []
