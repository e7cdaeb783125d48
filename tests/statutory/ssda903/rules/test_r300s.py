"""Rules 301-304 and 3001: rows that pass and rows that fail (2024/25)."""

from __future__ import annotations

from builders import flagged_rows


def test_3001_no_former_foster_carers_at_17() -> None:
    header = [
        {"CHILD": "1", "DOB": "01/06/2007"},  # 17 in the year
        {"CHILD": "2", "DOB": "01/06/2006"},  # 18 in the year
        {"CHILD": "3", "DOB": "01/06/2007"},
    ]
    oc3 = [
        {"CHILD": "1", "ACCOM": "Z1"},
        {"CHILD": "2", "ACCOM": "Z1"},
        {"CHILD": "3", "ACCOM": "B1"},
    ]
    assert flagged_rows("3001", Header=header, OC3=oc3) == [1]


def test_301_born_after_year_end() -> None:
    header = [{"CHILD": "1", "DOB": "31/03/2025"}, {"CHILD": "2", "DOB": "01/04/2025"}]
    assert flagged_rows("301", Header=header) == [2]


def test_302_first_episode_before_birth() -> None:
    header = [{"CHILD": "1", "DOB": "01/06/2024"}, {"CHILD": "2", "DOB": "01/06/2024"}]
    episodes = [
        {"CHILD": "1", "DECOM": "01/06/2024"},
        {"CHILD": "2", "DECOM": "31/05/2024"},
        {"CHILD": "2", "DECOM": "01/07/2024"},
    ]
    assert flagged_rows("302", "Header", Header=header, Episodes=episodes) == [2]
    assert flagged_rows("302", "Episodes", Header=header, Episodes=episodes) == [2]


def test_303_duc_needs_uasc_status() -> None:
    header = [{"CHILD": "1", "UASC": "1"}, {"CHILD": "2", "UASC": "0"}]
    uasc = [{"CHILD": "1", "DUC": "01/06/2024"}, {"CHILD": "2", "DUC": "01/06/2024"}]
    found = flagged_rows("303", "UASC", source_format="xml", Header=header, UASC=uasc)
    assert found == [2]
    # CSV: a child with a UASC row is UASC, so nothing to contradict
    csv_header = [{"CHILD": "1"}, {"CHILD": "2"}]
    assert flagged_rows("303", Header=csv_header, UASC=uasc) == []


def test_304_duc_by_18th_birthday() -> None:
    uasc = [
        {"CHILD": "1", "DOB": "01/06/2006", "DUC": "01/06/2024"},
        {"CHILD": "2", "DOB": "01/06/2006", "DUC": "02/06/2024"},
        {"CHILD": "3", "DOB": "01/06/2006"},
    ]
    assert flagged_rows("304", UASC=uasc) == [2]
