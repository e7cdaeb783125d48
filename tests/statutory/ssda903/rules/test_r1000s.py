"""Rules 1000-1016: rows that pass and rows that fail (2024/25 unless stated)."""

from __future__ import annotations

from builders import flagged_rows, run_rule


def ep(child: str, decom: str, **items: str | None) -> dict[str, str | None]:
    return {"CHILD": child, "DECOM": decom, **items}


LEAVER = {"IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"}


def test_1000_died_in_care() -> None:
    episodes = [ep("1", "01/01/2024", DEC="01/06/2024", REC="E2"), ep("2", "01/01/2024")]
    previous = {"Episodes": [ep("3", "01/01/2023", DEC="01/02/2024", REC="E2")]}
    oc3 = [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}]
    assert flagged_rows("1000", Episodes=episodes, OC3=oc3) == [1]
    assert flagged_rows("1000", Episodes=episodes, OC3=oc3, previous=previous) == [1, 3]


def test_1001_relevant_or_former_relevant() -> None:
    header = [
        {"CHILD": "1", "DOB": "01/01/2007"},
        {"CHILD": "2", "DOB": "01/01/2007"},
        {"CHILD": "3", "DOB": "01/01/2007"},
    ]
    episodes = [
        ep("1", "01/06/2023", LS="C2", DEC="01/06/2024", REC="E8"),  # a year after 16: fine
        ep("2", "01/03/2024", LS="C2", DEC="01/04/2024", REC="E8"),  # 31 days: fails
        ep("3", "01/06/2023", LS="C2", DEC="01/06/2024", REC="E11"),  # adopted: fails
    ]
    previous = {"Episodes": [ep("1", "01/06/2023", LS="C2")]}
    oc3 = [{"CHILD": c, **LEAVER} for c in ("1", "2", "3")]
    found = flagged_rows("1001", Header=header, Episodes=episodes, OC3=oc3, previous=previous)
    assert found == [2, 3]
    assert flagged_rows("1001", Header=header, Episodes=episodes, OC3=oc3) == []


def test_1002_leaver_without_episodes() -> None:
    oc3 = [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}]
    previous = {"Episodes": [ep("2", "01/01/2023")]}
    found = flagged_rows("1002", Episodes=[ep("1", "01/01/2024")], OC3=oc3, previous=previous)
    assert found == [3]


def test_1003_placed_decision_before_care() -> None:
    episodes = [ep("1", "01/01/2024", RNE="S"), ep("2", "01/01/2024", RNE="S")]
    placed = [
        {"CHILD": "1", "DATE_PLACED": "01/02/2024"},
        {"CHILD": "2", "DATE_PLACED": "31/12/2023"},
    ]
    found = run_rule("1003", Episodes=episodes, PlacedAdoption=placed)
    assert sorted(zip(found["table"], found["row_number"], strict=True)) == [
        ("Episodes", 2),
        ("PlacedAdoption", 2),
    ]


def test_1004_1005_1006_missing_episodes() -> None:
    rows = [
        {"CHILD": "1", "MISSING": "M", "MIS_START": "01/05/2024", "MIS_END": "02/05/2024"},
        {"CHILD": "1", "MISSING": "X", "MIS_START": "10/24/2024", "MIS_END": "02/05/24"},
        {"CHILD": "1", "MISSING": "A"},
    ]
    assert flagged_rows("1004", Missing=rows) == [2, 3]
    assert flagged_rows("1005", Missing=rows) == [2]
    assert flagged_rows("1006", Missing=rows) == [2]


def test_1007_in_care_on_birthday() -> None:
    oc3 = [
        {"CHILD": "1", "DOB": "01/06/2007", **LEAVER},
        {"CHILD": "2", "DOB": "01/06/2007", **LEAVER},
    ]
    episodes = [
        ep("1", "01/01/2024", DEC="01/07/2024", REC="E8"),  # in care on 17th birthday
        ep("2", "01/01/2024", DEC="01/05/2024", REC="E8"),
    ]
    assert flagged_rows("1007", Episodes=episodes, OC3=oc3) == [1]


def test_1009_reason_place_change_code() -> None:
    rows = [
        ep("1", "01/01/2024", REASON_PLACE_CHANGE="CARPL"),
        ep("1", "02/01/2024", REASON_PLACE_CHANGE="OTHR"),
        ep("1", "03/01/2024"),
    ]
    assert flagged_rows("1009", Episodes=rows) == [2]


def test_1010_open_last_year_needs_episodes() -> None:
    oc3 = [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}]
    previous = {
        "Episodes": [
            ep("1", "01/01/2023"),
            ep("2", "01/01/2023"),
            ep("3", "01/01/2023", DEC="01/02/2024", REC="E8"),
        ]
    }
    episodes = [ep("1", "01/01/2023")]
    assert flagged_rows("1010", Episodes=episodes, OC3=oc3, previous=previous) == [2]


def test_1011_transferred_to_another_authority() -> None:
    episodes = [
        ep("1", "01/01/2024", DEC="01/02/2024", REC="E3"),
        ep("2", "01/01/2024", DEC="01/02/2024", REC="E3"),
        ep("2", "01/02/2024", DEC="01/03/2024", REC="E8"),
    ]
    oc3 = [{"CHILD": "1", **LEAVER}, {"CHILD": "2", **LEAVER}]
    assert flagged_rows("1011", Episodes=episodes, OC3=oc3) == [1]


def test_1012_no_other_data_without_episodes() -> None:
    episodes = [ep("1", "01/01/2024")]
    reviews = [{"CHILD": "1", "REVIEW": "01/02/2024"}, {"CHILD": "2", "REVIEW": "01/02/2024"}]
    assert flagged_rows("1012", "Reviews", Episodes=episodes, Reviews=reviews) == [2]
    assert flagged_rows("1012", Reviews=reviews) == []  # no Episodes table: not checked


def test_1014_no_uasc_data_for_leavers() -> None:
    episodes = [
        ep("1", "01/01/2022", DEC="01/01/2023", REC="E8"),  # nothing in the year
        ep("2", "01/01/2024"),  # open in the year
    ]
    uasc = [{"CHILD": "1"}, {"CHILD": "2"}]
    oc3 = [{"CHILD": "1", **LEAVER}, {"CHILD": "2", **LEAVER}]
    assert flagged_rows("1014", "UASC", Episodes=episodes, UASC=uasc, OC3=oc3) == [1]
    assert flagged_rows("1014", "OC3", Episodes=episodes, UASC=uasc, OC3=oc3) == [1]


def test_1015_own_provision_in_own_area() -> None:
    leeds, birmingham = "LS1 1AA", "B1 1AA"
    rows = [
        ep("1", "01/01/2025", LS="C2", PLACE="K2", PLACE_PROVIDER="PR1", PL_POST=leeds),
        ep("2", "01/01/2025", LS="C2", PLACE="K2", PLACE_PROVIDER="PR1", PL_POST=birmingham),
        ep("3", "01/01/2025", LS="C2", PLACE="U1", PLACE_PROVIDER="PR1", PL_POST=birmingham),
        ep("4", "01/01/2025", LS="C2", PLACE="K2", PLACE_PROVIDER="PR2", PL_POST=birmingham),
    ]
    rows = [{**r, "HOME_POST": leeds} for r in rows]  # the council is Leeds
    assert flagged_rows("1015", Episodes=rows) == [2]


def test_1016_left_after_17th_birthday() -> None:
    oc3 = [
        {"CHILD": "1", "DOB": "01/06/2007", **LEAVER},
        {"CHILD": "2", "DOB": "01/06/2007", **LEAVER},
    ]
    episodes = [
        ep("1", "01/01/2024", DEC="02/06/2024", REC="E8"),
        ep("2", "01/01/2024", DEC="31/05/2024", REC="E8"),
    ]
    assert flagged_rows("1016", Episodes=episodes, OC3=oc3) == [1]


def test_1016_an_18_year_old_counts_from_the_18th_birthday() -> None:
    # 18 on 31 March 2025 (born 1 June 2006): 17th birthday 1 June 2023, 18th 1 June 2024
    oc3 = [{"CHILD": c, "DOB": "01/06/2006", **LEAVER} for c in ("1", "2", "3")]
    episodes = [
        ep("1", "01/01/2023", DEC="01/06/2024", REC="E8"),  # left on the 18th birthday
        ep("2", "01/01/2023", DEC="01/05/2024", REC="E8"),  # left at 17: a care leaver at 18
        ep("3", "01/01/2023", DEC="01/07/2023", REC="E8"),  # left at 17, earlier
    ]
    assert flagged_rows("1016", Episodes=episodes, OC3=oc3) == [1]
