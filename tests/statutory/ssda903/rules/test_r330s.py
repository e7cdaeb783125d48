"""Rules 331-399, 347, 348: hand-made cases that pass and fail each check.

Year 2025 (2024/25) unless a test says otherwise: the year runs 01/04/2024-31/03/2025.
"""

from __future__ import annotations

import polars as pl
import pytest
from builders import flagged_rows, run_rule

from statutory.engine.postcodes import Postcodes


def _tables(found: pl.DataFrame) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for table, row in found.select("table", "row_number").iter_rows():
        out.setdefault(table, []).append(row)
    return {t: sorted(rows) for t, rows in out.items()}


# -- adoption -------------------------------------------------------------------------------


def test_331_matched_after_placement_flags_both_tables():
    found = run_rule(
        "331",
        AD1=[
            {"CHILD": "1", "DATE_MATCH": "01/06/2024"},
            {"CHILD": "2", "DATE_MATCH": "02/06/2024"},
            {"CHILD": "3", "DATE_MATCH": None},
        ],
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "REC": "E12"},  # same day: fine
            {"CHILD": "2", "DECOM": "01/06/2024", "REC": "E11"},  # before matching
            {"CHILD": "2", "DECOM": "01/05/2024", "REC": "X1"},  # not an adoption ending
            {"CHILD": "3", "DECOM": "01/05/2024", "REC": "E11"},
        ],
    )
    assert _tables(found) == {"AD1": [2], "Episodes": [2]}


def test_333_should_be_placed_after_match_or_missing():
    assert flagged_rows(
        "333",
        AD1=[
            {"CHILD": "1", "DATE_INT": "01/06/2024", "DATE_MATCH": "05/06/2024"},
            {"CHILD": "2", "DATE_INT": "02/06/2024", "DATE_MATCH": None},
            {"CHILD": "3", "DATE_INT": "03/06/2024", "DATE_MATCH": "01/06/2024"},
            {"CHILD": "4", "DATE_INT": None, "DATE_MATCH": "05/06/2024"},
        ],
    ) == [3, 4]


def test_334_decision_before_latest_period_of_care():
    found = run_rule(
        "334",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/03/2020", "RNE": "S"},
            {"CHILD": "1", "DECOM": "01/01/2022", "RNE": "S"},  # latest start
            {"CHILD": "2", "DECOM": "01/01/2020", "RNE": "S"},
            {"CHILD": "3", "DECOM": "01/01/2020", "RNE": "P"},
        ],
        AD1=[
            {"CHILD": "1", "DATE_INT": "01/06/2021"},  # before the latest start
            {"CHILD": "2", "DATE_INT": "01/06/2021"},
            {"CHILD": "3", "DATE_INT": "01/06/2010"},  # no RNE S episode
        ],
    )
    assert _tables(found) == {"Episodes": [2], "AD1": [1]}


def test_335_foster_carer_value_contradicts_placement():
    found = run_rule(
        "335",
        Episodes=[
            {"CHILD": "1", "PLACE": "A5", "REC": "E11"},
            {"CHILD": "2", "PLACE": "A6", "REC": "E12"},
            {"CHILD": "3", "PLACE": "A5", "REC": "E11"},
            {"CHILD": "4", "PLACE": "A4", "REC": "X1"},
        ],
        AD1=[
            {"CHILD": "1", "FOSTER_CARE": "0"},  # A5 is with foster carer: should be 1
            {"CHILD": "2", "FOSTER_CARE": "1"},  # A6 is not: should be 0
            {"CHILD": "3", "FOSTER_CARE": "1"},
            {"CHILD": "4", "FOSTER_CARE": "1"},
        ],
    )
    assert _tables(found) == {"Episodes": [1, 2], "AD1": [1, 2]}


def test_336_placed_for_adoption_not_after_foster_placement():
    assert flagged_rows(
        "336",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/04/2024", "PLACE": "U1"},
            {"CHILD": "1", "DECOM": "22/04/2024", "PLACE": "A3"},  # after U1: fine
            {"CHILD": "2", "DECOM": "22/04/2024", "PLACE": "A4"},
            {"CHILD": "2", "DECOM": "01/04/2024", "PLACE": "K2"},  # K2 then A4: flagged
            {"CHILD": "3", "DECOM": "01/04/2024", "PLACE": "A3"},  # first episode
        ],
    ) == [3]


# -- care leavers ---------------------------------------------------------------------------


def test_344_died_or_home_with_activity():
    assert flagged_rows(
        "344",
        OC3=[
            {"CHILD": "1", "IN_TOUCH": "DIED", "ACTIV": "0", "ACCOM": "0"},
            {"CHILD": "2", "IN_TOUCH": "RHOM", "ACTIV": "F1", "ACCOM": "0"},
            {"CHILD": "3", "IN_TOUCH": "RHOM", "ACTIV": None, "ACCOM": "0"},
            {"CHILD": "4", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"},
        ],
    ) == [2, 3]


def test_345_in_touch_with_zero():
    assert flagged_rows(
        "345",
        OC3=[
            {"CHILD": "1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"},
            {"CHILD": "2", "IN_TOUCH": "YES", "ACTIV": "0", "ACCOM": "B1"},
            {"CHILD": "3", "IN_TOUCH": "NO", "ACTIV": "0", "ACCOM": "0"},
        ],
    ) == [2]


def test_347_foyer_under_18_at_start_of_year():
    assert flagged_rows(
        "347",
        OC3=[
            {"CHILD": "1", "DOB": "01/04/2006", "ACCOM": "T1"},  # 18 on 01/04/2024
            {"CHILD": "2", "DOB": "02/04/2006", "ACCOM": "T2"},  # 18 the day after
            {"CHILD": "3", "DOB": "02/04/2006", "ACCOM": "B1"},
        ],
    ) == [2]


def test_348_previously_died():
    assert flagged_rows(
        "348",
        year=2026,
        OC3=[
            {"CHILD": "1", "IN_TOUCH": "DIED"},
            {"CHILD": "2", "IN_TOUCH": "YES"},
            {"CHILD": "3", "IN_TOUCH": "YES"},
        ],
        previous={"OC3": [{"CHILD": "1", "IN_TOUCH": "DIED"}, {"CHILD": "2", "IN_TOUCH": "DIED"}]},
    ) == [2]


def test_351_over_25():
    assert flagged_rows(
        "351",
        Header=[
            {"CHILD": "1", "DOB": "01/04/1999"},  # 25 on 01/04/2024
            {"CHILD": "2", "DOB": "31/03/1999"},
            {"CHILD": "3", "DOB": None},
        ],
    ) == [2]


# -- episode dates --------------------------------------------------------------------------


def test_352_started_care_at_18():
    assert flagged_rows(
        "352",
        Header=[{"CHILD": "1", "DOB": "01/06/2006"}, {"CHILD": "2", "DOB": "01/06/2007"}],
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "RNE": "S"},  # 18th birthday
            {"CHILD": "1", "DECOM": "02/06/2024", "RNE": "P"},
            {"CHILD": "2", "DECOM": "01/06/2024", "RNE": "S"},
        ],
    ) == [1]


def test_353_354_355_356_385_episode_dates():
    eps = [
        {"CHILD": "1", "DECOM": "13/10/1991", "DEC": "01/11/1991"},
        {"CHILD": "2", "DECOM": "01/04/2025", "DEC": None},
        {"CHILD": "3", "DECOM": "01/05/2024", "DEC": "01/05/2024"},
        {"CHILD": "4", "DECOM": "01/05/2024", "DEC": "30/04/2024"},
        {"CHILD": "5", "DECOM": "01/05/2024", "DEC": "01/04/2025"},
        {"CHILD": "6", "DECOM": "14/10/1991", "DEC": "31/03/2025"},
    ]
    assert flagged_rows("353", Episodes=eps) == [1]
    assert flagged_rows("354", Episodes=eps) == [2]
    assert flagged_rows("355", Episodes=eps) == [3]
    assert flagged_rows("356", Episodes=eps) == [4]
    assert flagged_rows("385", Episodes=eps) == [5]


def test_357_first_episode_in_year_must_be_s():
    assert flagged_rows(
        "357",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/05/2024", "RNE": "P"},  # first ever, in year
            {"CHILD": "2", "DECOM": "01/05/2024", "RNE": "S"},
            {"CHILD": "2", "DECOM": "01/06/2024", "RNE": "P"},
            {"CHILD": "3", "DECOM": "01/05/2020", "RNE": "P"},  # before the year
            {"CHILD": "4", "DECOM": "01/05/2024", "RNE": None},
        ],
    ) == [1, 5]


def test_358_youth_justice_under_10_flags_episode_and_header():
    found = run_rule(
        "358",
        Header=[{"CHILD": "1", "DOB": "01/06/2014"}, {"CHILD": "2", "DOB": "01/06/2010"}],
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "LS": "J1"},  # 10th birthday: too young
            {"CHILD": "2", "DECOM": "01/06/2024", "LS": "J2"},
            {"CHILD": "1", "DECOM": "01/05/2024", "LS": "C2"},
        ],
    )
    assert _tables(found) == {"Episodes": [1], "Header": [1]}


def test_359_over_18_not_v2_k2():
    assert flagged_rows(
        "359",
        Header=[
            {"CHILD": "1", "DOB": "01/01/2007"},
            {"CHILD": "2", "DOB": "01/01/2007"},
            {"CHILD": "3", "DOB": "01/01/2010"},
        ],
        Episodes=[
            {"CHILD": "1", "DECOM": "01/01/2025", "LS": "V2", "PLACE": "K2"},
            {"CHILD": "2", "DECOM": "01/01/2025", "LS": "C2", "PLACE": "U1"},
            {"CHILD": "3", "DECOM": "01/01/2025", "LS": "C2", "PLACE": "U1"},
        ],
    ) == [2]


def test_361_police_protection_over_three_days_across_episodes():
    assert flagged_rows(
        "361",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "DEC": "03/06/2024", "LS": "L1"},
            {"CHILD": "1", "DECOM": "03/06/2024", "DEC": "05/06/2024", "LS": "L1"},  # 4 days
            {"CHILD": "2", "DECOM": "01/06/2024", "DEC": "04/06/2024", "LS": "L1"},  # 3 days
            {"CHILD": "3", "DECOM": "28/03/2025", "DEC": None, "LS": "L1"},  # open: to 31/03
        ],
    ) == [1, 2]


def test_362_epo_over_21_days():
    assert flagged_rows(
        "362",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "DEC": "22/06/2024", "LS": "L2"},  # 21 days
            {"CHILD": "2", "DECOM": "01/06/2024", "DEC": "23/06/2024", "LS": "L2"},
            {"CHILD": "3", "DECOM": "01/06/2024", "DEC": "23/06/2024", "LS": "C2"},
        ],
    ) == [2]


def test_363_364_cao_and_pace_periods():
    eps = [
        {"CHILD": "1", "DECOM": "01/06/2024", "DEC": "05/06/2024", "LS": "L3"},
        {"CHILD": "1", "DECOM": "05/06/2024", "DEC": "09/06/2024", "LS": "L3"},  # 8 days
        {"CHILD": "2", "DECOM": "01/06/2024", "DEC": "08/06/2024", "LS": "L3"},  # 7 days
        {"CHILD": "3", "DECOM": "01/06/2024", "DEC": "23/06/2024", "LS": "J2"},  # 22 days
        {"CHILD": "4", "DECOM": "01/06/2024", "DEC": "10/06/2024", "LS": "J2"},
        {"CHILD": "4", "DECOM": "20/06/2024", "DEC": "30/06/2024", "LS": "J2"},  # gap: 9+10
    ]
    assert flagged_rows("363", Episodes=eps) == [1, 2]
    assert flagged_rows("364", Episodes=eps) == [4]


def test_363_periods_are_built_in_start_date_order_not_file_order():
    # Rows 1 and 3 adjoin (1-5 April then 5-9 April: 8 days of CAO); row 2 is a separate
    # order later in April. In start-date order rows 1 and 3 form one period of more than
    # 7 days. (Read in file order, as the councils' validator does, rows 2 and 3 would be
    # joined instead.)
    eps = [
        {"CHILD": "1", "DECOM": "01/04/2024", "DEC": "05/04/2024", "LS": "L3"},
        {"CHILD": "1", "DECOM": "20/04/2024", "DEC": "24/04/2024", "LS": "L3"},
        {"CHILD": "1", "DECOM": "05/04/2024", "DEC": "09/04/2024", "LS": "L3"},
    ]
    assert flagged_rows("363", Episodes=eps) == [1, 3]


def test_365_366_respite_length_and_reason():
    eps = [
        {"CHILD": "1", "DECOM": "01/06/2024", "DEC": "18/06/2024", "LS": "V3", "RNE": "S"},
        {"CHILD": "2", "DECOM": "01/06/2024", "DEC": "19/06/2024", "LS": "V3", "RNE": "S"},
        {"CHILD": "3", "DECOM": "20/03/2025", "DEC": None, "LS": "V3", "RNE": "P"},
        {"CHILD": "4", "DECOM": "01/06/2024", "DEC": "01/09/2024", "LS": "C2", "RNE": "P"},
    ]
    assert flagged_rows("365", Episodes=eps) == [2]
    assert flagged_rows("366", Episodes=eps) == [3]


def test_367_respite_over_75_days_in_year():
    assert flagged_rows(
        "367",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/03/2024", "DEC": "11/05/2024", "LS": "V3"},  # 40 in year
            {"CHILD": "1", "DECOM": "01/06/2024", "DEC": "07/07/2024", "LS": "V3"},  # +36 = 76
            {"CHILD": "2", "DECOM": "01/06/2024", "DEC": "15/08/2024", "LS": "V3"},  # 75
            {"CHILD": "3", "DECOM": "01/01/2025", "DEC": None, "LS": "V3"},  # 89 to 31/03
        ],
    ) == [1, 2, 4]


# -- placement ages and lengths ------------------------------------------------------------


def test_370_to_374_placement_ages():
    header = [{"CHILD": "1", "DOB": "01/06/2010"}, {"CHILD": "2", "DOB": "01/06/2000"}]

    def eps(place: str) -> list[dict[str, str | None]]:
        return [
            {"CHILD": "1", "DECOM": "01/05/2024", "DEC": "01/07/2024", "PLACE": place},
            {"CHILD": "2", "DECOM": "01/05/2024", "DEC": "01/07/2024", "PLACE": place},
            {"CHILD": "1", "DECOM": "01/05/2024", "DEC": None, "PLACE": place},  # open
        ]

    assert flagged_rows("370", Header=header, Episodes=eps("P2")) == [1]
    # 15 before 2023/24: child 1 (15 on 01/04/2024) is old enough then, not from 2023/24.
    fifteen = [{"CHILD": "1", "DOB": "01/04/2009"}, {"CHILD": "2", "DOB": "01/06/2009"}]
    assert flagged_rows("370", year=2023, Header=fifteen, Episodes=eps("P2")) == [2]
    assert flagged_rows("370", Header=fifteen, Episodes=eps("P2")) == [1, 2]
    assert flagged_rows("371", Header=header, Episodes=eps("K3")) == [1]
    assert flagged_rows("371", year=2024, Header=header, Episodes=eps("H5")) == [1]
    young = [{"CHILD": "1", "DOB": "01/06/2021"}, {"CHILD": "2", "DOB": "01/06/2000"}]
    assert flagged_rows("372", Header=young, Episodes=eps("R5")) == [1]
    assert flagged_rows("373", Header=young, Episodes=eps("S1")) == [1]
    assert flagged_rows("374", Header=header, Episodes=eps("P3")) == [1]


def test_375_376_379_temporary_placement_lengths():
    header = [{"CHILD": c, "DOB": "01/01/2010"} for c in "123"]

    def eps(place: str, days: int) -> list[dict[str, str]]:
        import datetime as dt

        start = dt.date(2024, 6, 1)
        return [
            {
                "CHILD": "1",
                "DECOM": "01/06/2024",
                "DEC": (start + dt.timedelta(days)).strftime("%d/%m/%Y"),
                "PLACE": place,
            },
            {
                "CHILD": "2",
                "DECOM": "01/06/2024",
                "DEC": (start + dt.timedelta(days + 1)).strftime("%d/%m/%Y"),
                "PLACE": place,
            },
            {
                "CHILD": "3",
                "DECOM": "01/06/2024",
                "DEC": (start + dt.timedelta(days + 1)).strftime("%d/%m/%Y"),
                "PLACE": "U1",
            },
        ]

    assert flagged_rows("375", Header=header, Episodes=eps("T1", 42)) == [2]
    assert flagged_rows("376", Header=header, Episodes=eps("T3", 21)) == [2]
    assert flagged_rows("379", Header=header, Episodes=eps("T4", 7)) == [2]


def test_377_more_than_two_holiday_placements():
    assert flagged_rows(
        "377",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "PLACE": "T3"},
            {"CHILD": "1", "DECOM": "05/06/2024", "PLACE": "U1"},
            {"CHILD": "1", "DECOM": "06/06/2024", "PLACE": "T3"},
            {"CHILD": "1", "DECOM": "08/06/2024", "PLACE": "T3"},
            {"CHILD": "2", "DECOM": "06/06/2024", "PLACE": "T3"},
            {"CHILD": "2", "DECOM": "10/06/2024", "PLACE": "T3"},
        ],
    ) == [1, 3, 4]


def test_378_380_381_382_384_390_code_combinations():
    eps = [
        {"CHILD": "1", "PLACE": "P1", "LS": "V2", "RNE": "S", "REC": None},
        {"CHILD": "2", "PLACE": "T0", "LS": "C2", "RNE": "L", "REC": "E11"},
        {"CHILD": "3", "PLACE": "T1", "LS": "V3", "RNE": "P", "REC": "X1"},
        {"CHILD": "4", "PLACE": "U4", "LS": "V4", "RNE": "B", "REC": "E12"},
        {"CHILD": "5", "PLACE": "A4", "LS": "E1", "RNE": "P", "REC": "E11"},
    ]
    assert flagged_rows("378", Episodes=eps) == [1]
    assert flagged_rows("380", Episodes=eps) == [2]
    assert flagged_rows("381", Episodes=eps) == [2]
    assert flagged_rows("382", Episodes=eps) == [3]
    assert flagged_rows("384", Episodes=eps) == [4]
    assert flagged_rows("390", Episodes=eps) == [2, 4]


def test_383_return_from_temporary_before_2025_26():
    assert flagged_rows(
        "383",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "PLACE": "U1", "RNE": "S"},
            {"CHILD": "1", "DECOM": "05/06/2024", "PLACE": "T1", "RNE": "P"},
            {"CHILD": "1", "DECOM": "06/06/2024", "PLACE": "U1", "RNE": "T"},  # not P
            {"CHILD": "2", "DECOM": "01/06/2024", "PLACE": "U1", "RNE": "S"},
            {"CHILD": "2", "DECOM": "05/06/2024", "PLACE": "T1", "RNE": "P"},  # back to U1
            {"CHILD": "2", "DECOM": "06/06/2024", "PLACE": "U1", "RNE": "P"},
            {"CHILD": "3", "DECOM": "01/06/2024", "PLACE": "U1", "RNE": "S"},
            {"CHILD": "3", "DECOM": "05/06/2024", "PLACE": "T1", "RNE": "P"},
            {"CHILD": "3", "DECOM": "06/06/2024", "PLACE": "U2", "RNE": "P"},  # U1 -> U2
        ],
    ) == [3, 9]  # the episode after the temporary one, as the DfE's condition reads


def test_383_return_from_temporary_from_2025_26():
    assert flagged_rows(
        "383",
        year=2026,
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2025", "PLACE": "U1", "RNE": "S", "PL_POST": "AB1 1AA"},
            {"CHILD": "1", "DECOM": "05/06/2025", "PLACE": "T1", "RNE": "P", "PL_POST": "CD1 1AA"},
            {"CHILD": "1", "DECOM": "06/06/2025", "PLACE": "U1", "RNE": "P", "PL_POST": "AB1 1AA"},
            {"CHILD": "2", "DECOM": "01/06/2025", "PLACE": "U1", "RNE": "S", "PL_POST": "AB1 1AA"},
            {"CHILD": "2", "DECOM": "05/06/2025", "PLACE": "T1", "RNE": "P", "PL_POST": "CD1 1AA"},
            {"CHILD": "2", "DECOM": "06/06/2025", "PLACE": "U1", "RNE": "P", "PL_POST": "EF1 1AA"},
        ],
    ) == [6]


def test_386_387_389_ages_at_ceasing():
    header = [{"CHILD": "1", "DOB": "01/06/2006"}, {"CHILD": "2", "DOB": "01/06/2012"}]
    eps = [
        {"CHILD": "1", "DEC": "01/06/2024", "REC": "E11"},  # adopted on 18th birthday
        {"CHILD": "2", "DEC": "01/06/2024", "REC": "E12"},
        {"CHILD": "2", "DEC": "01/06/2024", "REC": "E5"},  # independent living at 12
        {"CHILD": "1", "DEC": "01/06/2024", "REC": "E6"},
        {"CHILD": "2", "DEC": "01/06/2024", "REC": "E7"},  # adult services at 12
        {"CHILD": "1", "DEC": "01/06/2024", "REC": "E7"},
    ]
    assert flagged_rows("386", Header=header, Episodes=eps) == [1]
    assert flagged_rows("387", Header=header, Episodes=eps) == [3]
    assert flagged_rows("389", Header=header, Episodes=eps) == [5]


def test_388_x1_needs_a_continuation():
    assert flagged_rows(
        "388",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/06/2024", "DEC": "04/06/2024", "REC": "X1"},  # gap
            {"CHILD": "1", "DECOM": "05/06/2024", "DEC": "06/06/2024", "REC": "X1"},
            {"CHILD": "1", "DECOM": "06/06/2024", "DEC": None, "REC": None},
            {"CHILD": "2", "DECOM": "06/06/2024", "DEC": "07/06/2024", "REC": "E11"},  # not X1
            {"CHILD": "2", "DECOM": "07/06/2024", "DEC": None, "REC": None},
            {"CHILD": "3", "DECOM": "11/06/2024", "DEC": "12/06/2024", "REC": "X1"},  # last
        ],
    ) == [1, 4, 6]


def test_391_care_leaver_too_young():
    assert flagged_rows(
        "391",
        OC3=[
            {"CHILD": "1", "DOB": "01/04/2008", "IN_TOUCH": "YES"},  # 17 on 01/04/2025
            {"CHILD": "2", "DOB": "31/03/2008", "IN_TOUCH": "YES"},
            {"CHILD": "3", "DOB": "01/04/2008", "IN_TOUCH": None},
        ],
    ) == [1]


# -- postcodes ------------------------------------------------------------------------------


def test_392b_no_postcodes_except_respite_and_uasc():
    assert flagged_rows(
        "392b",
        Episodes=[
            {"CHILD": "1", "LS": "C2", "HOME_POST": "AB1 1AA", "PL_POST": None},
            {"CHILD": "2", "LS": "V3", "HOME_POST": None, "PL_POST": None},
            {"CHILD": "3", "LS": "C2", "HOME_POST": None, "PL_POST": None},  # UASC last year
            {"CHILD": "4", "LS": "C2", "HOME_POST": "AB1 1AA", "PL_POST": "AB1 1AB"},
        ],
        previous={"UASC": [{"CHILD": "3", "DUC": "01/01/2026"}]},
    ) == [1]


def test_392d_same_postcodes_unless_with_parents():
    assert flagged_rows(
        "392d",
        Episodes=[
            {"CHILD": "1", "PLACE": "U1", "HOME_POST": "BN2 0AA", "PL_POST": "bn20aa"},
            {"CHILD": "2", "PLACE": "P1", "HOME_POST": "BN2 0AA", "PL_POST": "BN2 0AA"},
            {"CHILD": "3", "PLACE": "U1", "HOME_POST": "BN2 0AA", "PL_POST": "BN2 0AB"},
            {"CHILD": "4", "PLACE": "U1", "HOME_POST": None, "PL_POST": None},
        ],
    ) == [1]


def test_393_mother_field_for_girls_looked_after():
    header = [
        {"CHILD": "1", "SEX": "F", "MOTHER": None},
        {"CHILD": "2", "SEX": "F", "MOTHER": "0"},
        {"CHILD": "3", "SEX": "M", "MOTHER": None},
        {"CHILD": "4", "SEX": "F", "MOTHER": None},  # respite only
    ]
    eps = [{"CHILD": c, "LS": "V3" if c == "4" else "C2"} for c in "1234"]
    assert flagged_rows("393", Header=header, Episodes=eps) == [1]
    old = [dict(h, SEX={"F": "2", "M": "1"}[h["SEX"]]) for h in header]
    assert flagged_rows("393", year=2024, Header=old, Episodes=eps) == [1]


def test_398_postcodes_for_respite():
    assert flagged_rows(
        "398",
        Episodes=[
            {"CHILD": "1", "LS": "V3", "HOME_POST": "AB1 1AA"},
            {"CHILD": "2", "LS": "V4", "HOME_POST": None, "PL_POST": None},
            {"CHILD": "3", "LS": "C2", "HOME_POST": "AB1 1AA"},
        ],
    ) == [1]


def test_399_respite_only_child_with_mother_or_reviews():
    found = run_rule(
        "399",
        Episodes=[
            {"CHILD": "1", "LS": "V4"},
            {"CHILD": "1", "LS": "V4"},
            {"CHILD": "2", "LS": "V3"},
            {"CHILD": "2", "LS": "C2"},  # not respite only
            {"CHILD": "3", "LS": "V3"},
        ],
        Header=[
            {"CHILD": "1", "MOTHER": None},
            {"CHILD": "2", "MOTHER": "1"},
            {"CHILD": "3", "MOTHER": None},
        ],
        Reviews=[
            {"CHILD": "1", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN1"},
            {"CHILD": "2", "REVIEW": "01/06/2024", "REVIEW_CODE": "PN1"},
        ],
    )
    assert _tables(found) == {"Episodes": [1, 2], "Header": [1], "Reviews": [1]}


# A tiny postcode directory instead of the 2.7M-row ONSPD file (distances in metres).
@pytest.fixture
def few_postcodes(monkeypatch: pytest.MonkeyPatch) -> None:
    frame = pl.DataFrame(
        {
            "postcode_key": ["AB11AA", "AB11AB", "CD11AA"],
            "easting": [400000, 401609, 500000],
            "northing": [300000, 300000, 300000],
            "lad_code": ["E06000001", "E06000001", "E06000002"],
        }
    )
    monkeypatch.setattr(Postcodes, "_shared", Postcodes(frame))


@pytest.mark.usefixtures("few_postcodes")
def test_392a_no_distance_when_postcode_missing_or_unknown():
    eps = [
        {"CHILD": "1", "LS": "C2", "HOME_POST": "AB1 1AA", "PL_POST": "AB1 1AB"},
        {"CHILD": "2", "LS": "C2", "HOME_POST": "AB1 1AA", "PL_POST": "ZZ9 9ZZ"},
        {"CHILD": "3", "LS": "C2", "HOME_POST": None, "PL_POST": "AB1 1AB"},
        {"CHILD": "4", "LS": "V4", "HOME_POST": None, "PL_POST": None},
        {"CHILD": "5", "LS": "C2", "HOME_POST": None, "PL_POST": None},  # UASC
    ]
    uasc = [{"CHILD": "5", "DUC": "01/01/2026"}]
    assert flagged_rows("392a", Episodes=eps, UASC=uasc) == [2, 3]
    # No UASC information at all: nobody can be shown not to be UASC.
    assert flagged_rows("392a", Episodes=eps) == []


@pytest.mark.usefixtures("few_postcodes")
def test_392c_unknown_postcodes():
    assert flagged_rows(
        "392c",
        Episodes=[
            {"CHILD": "1", "HOME_POST": "ab1 1aa", "PL_POST": "CD11AA"},
            {"CHILD": "2", "HOME_POST": "AB1 1AA", "PL_POST": "ZZ9 9ZZ"},
            {"CHILD": "3", "HOME_POST": "NOT A POSTCODE", "PL_POST": None},
            {"CHILD": "4", "HOME_POST": None, "PL_POST": None},
        ],
    ) == [2, 3]


def test_355_compares_dates_as_written():
    assert flagged_rows(
        "355",
        Episodes=[
            {"CHILD": "1", "DECOM": None, "DEC": None},  # neither written: the same
            {"CHILD": "2", "DECOM": "1/5/2024", "DEC": "01/05/2024"},  # written differently
            {"CHILD": "3", "DECOM": "01/05/2024", "DEC": None},
        ],
    ) == [1]


def test_359_a_date_that_does_not_parse_is_not_an_open_episode():
    assert (
        flagged_rows(
            "359",
            Header=[{"CHILD": "1", "DOB": "01/01/2007"}],
            Episodes=[{"CHILD": "1", "DECOM": "01/01/2025", "DEC": "32/01/2025", "LS": "C2"}],
        )
        == []
    )
