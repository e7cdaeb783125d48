"""Indicators carry stable codes (statutory.measures): unique, given for every row computed, and
untouched by rewording a label; labels stored before codes came in map to the same codes."""

from __future__ import annotations

import dataclasses

import pytest
from builders import make_return

from statutory.cin import indicator_codes as cin_codes
from statutory.measures import Breakdown, Measure, catalogue
from statutory.ssda903 import indicator_codes as ssda903_codes
from statutory.ssda903 import indicators
from statutory.ssda903.indicators import compute

CATALOGUES = {"ssda903": ssda903_codes, "cin": cin_codes}


def a_return():  # type: ignore[no-untyped-def]
    return make_return(
        Episodes=[
            {"CHILD": "1", "DECOM": "01/05/2024", "RNE": "S", "LS": "C2", "CIN": "N1"},
            {"CHILD": "2", "DECOM": "01/06/2024", "RNE": "S", "LS": "C2"},
            {
                "CHILD": "3",
                "DECOM": "01/05/2024",
                "RNE": "S",
                "LS": "C2",
                "CIN": "N2",
                "DEC": "01/02/2025",
                "REC": "E11",
            },
        ]
    )


def test_a_code_given_twice_is_refused() -> None:
    with pytest.raises(ValueError, match="given twice"):
        catalogue([Measure("same", "One"), Measure("same", "Another")])


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_every_indicator_has_a_unique_short_code(kind: str) -> None:
    codes = CATALOGUES[kind]
    assert len(codes.MEASURES) == len({m.label for m in codes.MEASURES.values()})
    for code, measure in codes.MEASURES.items():
        assert code == measure.code
        assert code.replace("_", "").isalnum(), code
        assert code == code.lower(), code
        assert len(code) <= 45, code
    breakdown_codes = {b.code for b in codes.BREAKDOWNS}
    assert len(breakdown_codes) == len(codes.BREAKDOWNS)
    assert not breakdown_codes & set(codes.MEASURES)


def test_every_row_computed_has_a_code_unique_in_the_return_and_known() -> None:
    frame = compute(a_return())
    codes = frame["code"].to_list()
    assert len(codes) == len(set(codes)) == frame.height
    for code in codes:
        assert code in ssda903_codes.MEASURES or any(
            b.category(code) is not None for b in ssda903_codes.BREAKDOWNS
        ), code
    assert "cla_starts_by_need:N1" in codes
    assert "cla_starts_by_need:not_recorded" in codes
    assert "cla_ceased_by_reason:E11" in codes
    published = dict(zip(frame["code"], frame["published"], strict=True))
    assert published["care_leavers_19_21_eet"] == "ees-care-leavers-eet-19-21"
    assert published["cla_at_31_march"] == ""


@pytest.mark.parametrize("kind", sorted(CATALOGUES))
def test_labels_stored_before_codes_map_to_their_codes(kind: str) -> None:
    codes = CATALOGUES[kind]
    assert set(codes.FIRST_LABELS.values()) == set(codes.MEASURES)
    for label, code in codes.FIRST_LABELS.items():
        assert codes.code_for(label) == code
    for measure in codes.MEASURES.values():
        assert codes.code_for(measure.label) == measure.code


def test_old_labels_of_breakdowns_and_rates_map_to_codes() -> None:
    assert ssda903_codes.code_for("Rate per 10,000 children aged 0-17 (ONS mid-2024)") == (
        "cla_rate_per_10000"
    )
    assert ssda903_codes.code_for("Starts by category of need: not recorded") == (
        "cla_starts_by_need:not_recorded"
    )
    assert ssda903_codes.code_for("Ceased by reason: E11") == "cla_ceased_by_reason:E11"
    assert cin_codes.code_for("Children in need at 31 March: N1 Abuse or neglect") == (
        "cin_by_need:N1"
    )
    assert cin_codes.code_for("Children in need at 31 March: primary need not recorded") == (
        "cin_by_need:not_recorded"
    )
    assert cin_codes.code_for("Assessment factor 1A") == "assessment_factor:1A"
    assert cin_codes.code_for("Children in need at 31 March") == "cin_at_31_march"
    # a label no version of the library gave still gets a code, so the figure is still shown
    assert ssda903_codes.code_for("Placed in the council's area (%)") == (
        "placed_in_the_council_s_area"
    )


def test_rewording_a_label_keeps_the_code_and_old_stored_labels(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    code = "care_leavers_19_21_eet"
    reworded = dataclasses.replace(
        ssda903_codes.MEASURES[code], label="Young people 19 to 21 in work or learning (%)"
    )
    monkeypatch.setitem(ssda903_codes.MEASURES, code, reworded)
    monkeypatch.setattr(
        indicators,
        "STARTS_BY_NEED",
        Breakdown("cla_starts_by_need", "Children who started care, by need: "),
    )
    frame = compute(a_return())
    row = frame.filter(frame["code"] == code).row(0, named=True)
    assert row["indicator"] == reworded.label
    assert row["published"] == "ees-care-leavers-eet-19-21"
    starts = frame.filter(frame["code"] == "cla_starts_by_need:N1").row(0, named=True)
    assert starts["indicator"] == "Children who started care, by need: N1"
    # what was stored under the old wording still reads as the same indicator
    assert (
        ssda903_codes.code_for("Care leavers 19-21 in education, employment or training (%)")
        == code
    )
    assert ssda903_codes.code_for(reworded.label) == code
