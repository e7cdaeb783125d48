"""Rules 501-586 on small hand-made returns: each case passes or fails on purpose."""

from __future__ import annotations

import polars as pl
import pytest
from builders import flagged_rows, run_rule

from statutory.engine.postcodes import Postcodes

HOME, NEAR = "AA1 1AA", "BB1 1BB"


@pytest.fixture
def postcodes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Home in Hartlepool (a unitary council); a placement 10 miles away in Allerdale."""
    frame = pl.DataFrame(
        {
            "postcode_key": ["AA11AA", "BB11BB"],
            "easting": [400000, 400000],
            "northing": [300000, 316093],
            "lad_code": ["E06000001", "E07000026"],
        }
    )
    monkeypatch.setattr(Postcodes, "_shared", Postcodes(frame))


def by_table(code: str, **kwargs: object) -> dict[str, list[int]]:
    found = run_rule(code, **kwargs)
    out: dict[str, list[int]] = {}
    for table, row in zip(found["table"], found["row_number"], strict=True):
        out.setdefault(table, []).append(row)
    return {t: sorted(set(r)) for t, r in out.items()}


def ep(child: str, decom: str, **values: str | None) -> dict[str, str | None]:
    return {"CHILD": child, "DECOM": decom, **values}


def test_501_overlapping_episodes() -> None:
    rows = [
        ep("1", "01/06/2024", DEC="04/06/2024"),
        ep("1", "02/06/2024", DEC="06/06/2024"),  # fail
        ep("1", "06/06/2024"),  # pass
        ep("2", "10/06/2024", DEC="11/06/2024"),
    ]
    assert flagged_rows("501", Episodes=rows) == [2]


def test_502_first_episode_must_match_last_years_open_one() -> None:
    assert flagged_rows(
        "502",
        Episodes=[
            ep("1", "01/06/2023"),  # last year open from 05/06/2023: fail
            ep("1", "05/06/2024"),
            ep("2", "08/06/2023"),  # matches: pass
            ep("3", "09/06/2023"),  # last year closed: pass
        ],
        previous={
            "Episodes": [
                ep("1", "05/06/2023"),
                ep("2", "08/06/2023"),
                ep("3", "01/06/2023", DEC="05/06/2023", REC="E13"),
            ]
        },
    ) == [1]


def test_503_first_episode_must_continue_last_years_open_episode() -> None:
    previous = {
        "Episodes": [
            ep("1", "01/06/2023", RNE="S", LS="C2", CIN="N1", PLACE="U1", PLACE_PROVIDER="PR1"),
            ep("2", "01/06/2023", RNE="S", LS="C2", CIN="N1", PLACE="H5", PLACE_PROVIDER="PR4"),
            ep("3", "01/06/2023", RNE="S", LS="C2", DEC="01/07/2023", REC="E13"),
        ]
    }
    current = [
        ep("1", "01/06/2023", RNE="P", LS="C1", CIN="N2", PLACE="U2", PLACE_PROVIDER="PR2"),
        ep("1", "01/07/2024", RNE="P", LS="C1", CIN="N2", PLACE="U2", PLACE_PROVIDER="PR2"),
        ep("2", "01/06/2023", RNE="S", LS="C2", CIN="N1", PLACE="K3", PLACE_PROVIDER="PR4"),
        ep("3", "01/08/2024", RNE="B", LS="C1", CIN="N9", PLACE="U6", PLACE_PROVIDER="PR5"),
    ]
    for code in ("503A", "503B", "503C", "503E"):
        assert flagged_rows(code, Episodes=current, previous=previous) == [1], code
    # 2024/25 accepts H5 -> K3; other years do not.
    assert flagged_rows("503D", Episodes=current, previous=previous) == [1]
    assert flagged_rows("503D", year=2026, Episodes=current, previous=previous) == [1, 3]


def test_504_category_of_need_stays_within_a_period_of_care() -> None:
    rows = [
        ep("1", "01/06/2024", DEC="04/06/2024", REC="X1", CIN="N1"),
        ep("1", "04/06/2024", DEC="06/06/2024", REC="X1", CIN="N2"),  # fail
        ep("1", "06/06/2024", CIN="N2"),  # pass
        ep("2", "01/06/2024", DEC="04/06/2024", REC="E13", CIN="N1"),
        ep("2", "04/06/2024", CIN="N3"),  # new period: pass
    ]
    assert flagged_rows("504", Episodes=rows) == [2]


def test_511_to_524_adopters() -> None:
    rows = [
        {"CHILD": "1", "NB_ADOPTR": "2", "SEX_ADOPTR": "M1", "LS_ADOPTR": "L0"},
        {"CHILD": "2", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L3"},
        {"CHILD": "3", "NB_ADOPTR": "2", "SEX_ADOPTR": "FF", "LS_ADOPTR": "L3"},
        {"CHILD": "4", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L4"},
        {"CHILD": "5", "NB_ADOPTR": "1", "SEX_ADOPTR": "MM", "LS_ADOPTR": "L0"},
        {"CHILD": "6", "NB_ADOPTR": "2", "SEX_ADOPTR": None, "LS_ADOPTR": "L2"},
        {"CHILD": "7", "NB_ADOPTR": "2", "SEX_ADOPTR": "FF", "LS_ADOPTR": "L11"},
        {"CHILD": "8", "NB_ADOPTR": "2", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L12"},
        {"CHILD": "9", "NB_ADOPTR": "2", "SEX_ADOPTR": "MM", "LS_ADOPTR": "L12"},
    ]
    assert flagged_rows("511", AD1=rows) == [1]
    assert flagged_rows("514", AD1=rows) == [5]
    assert flagged_rows("517", AD1=rows) == [3]
    assert flagged_rows("518", AD1=rows) == [4]
    assert flagged_rows("519", AD1=rows) == [6]
    assert flagged_rows("520", AD1=rows) == [7]
    assert flagged_rows("524", AD1=rows) == [8]


def test_516_former_foster_carers_need_foster_placement() -> None:
    rows = [
        ep("1", "01/06/2024", REC="E45", PLACE="U1"),
        ep("2", "01/06/2024", REC="E46", PLACE="R1"),  # fail
        ep("3", "01/06/2024", REC="E2", PLACE="R1"),
    ]
    assert flagged_rows("516", Episodes=rows) == [2]


def test_521_best_interest_decision_after_placement() -> None:
    found = by_table(
        "521",
        Episodes=[
            ep("1", "01/01/2024", PLACE="A6"),  # DATE_INT later: fail
            ep("1", "01/11/2024", PLACE="A5"),  # pass
            ep("2", "01/01/2024", PLACE="U1"),
        ],
        AD1=[
            {"CHILD": "1", "DATE_INT": "08/03/2024"},
            {"CHILD": "2", "DATE_INT": "08/03/2024"},
        ],
    )
    assert found == {"Episodes": [1], "AD1": [1]}


def test_522_523_decision_dates() -> None:
    placed = [
        {"CHILD": "1", "DATE_PLACED": "26/05/2024", "DATE_PLACED_CEASED": "26/05/2024"},
        {"CHILD": "2", "DATE_PLACED": "01/02/2024", "DATE_PLACED_CEASED": "26/01/2024"},
    ]
    assert flagged_rows("522", PlacedAdoption=placed) == [2]
    found = by_table(
        "523",
        PlacedAdoption=placed,
        AD1=[{"CHILD": "1", "DATE_INT": "26/05/2024"}, {"CHILD": "2", "DATE_INT": "02/02/2024"}],
    )
    assert found == {"PlacedAdoption": [2], "AD1": [2]}


def test_525_reversed_decision_cannot_be_adopted() -> None:
    found = by_table(
        "525",
        PlacedAdoption=[
            {"CHILD": "1", "DATE_PLACED_CEASED": "08/03/2024"},
            {"CHILD": "2", "DATE_PLACED_CEASED": None},
            {"CHILD": "3", "DATE_PLACED_CEASED": "08/03/2024"},
        ],
        AD1=[
            {"CHILD": "1", "DATE_MATCH": "01/01/2024"},  # fail
            {"CHILD": "2", "DATE_MATCH": "01/01/2024"},
            {"CHILD": "3"},
        ],
    )
    assert found == {"PlacedAdoption": [1], "AD1": [1]}


def test_526_provider_needed_except_temporary_and_other() -> None:
    rows = [
        ep("1", "01/06/2024", PLACE="U1", PLACE_PROVIDER=None),  # fail
        ep("2", "01/06/2024", PLACE="T1", PLACE_PROVIDER=None),
        ep("3", "01/06/2024", PLACE="Z1", PLACE_PROVIDER=None),
        ep("4", "01/06/2024", PLACE="U1", PLACE_PROVIDER="PR1"),
    ]
    assert flagged_rows("526", Episodes=rows) == [1]
    rows_2026 = [*rows[:2], ep("3", "01/06/2025", PLACE="Z11"), ep("4", "01/06/2025", PLACE="Z1")]
    assert flagged_rows("526", year=2026, Episodes=rows_2026) == [1, 4]


def test_527_to_531_and_550_providers_and_placements() -> None:
    rows = [
        ep("1", "01/06/2024", PLACE="P1", PLACE_PROVIDER="PR1"),
        ep("2", "01/06/2024", PLACE="R2", PLACE_PROVIDER="PR2"),
        ep("3", "01/06/2024", PLACE="A3", PLACE_PROVIDER="PR3"),
        ep("4", "01/06/2024", PLACE="P1", PLACE_PROVIDER="PR4"),
        ep("5", "01/06/2024", PLACE="P1", PLACE_PROVIDER="PR5"),
        ep("6", "01/06/2024", PLACE="U1", PLACE_PROVIDER="PR0"),
        ep("7", "01/06/2024", PLACE="P1", PLACE_PROVIDER="PR0"),
        ep("8", "01/06/2024", PLACE="U1", PLACE_PROVIDER="PR1"),
    ]
    assert flagged_rows("527", Episodes=rows) == [1]
    assert flagged_rows("528", Episodes=rows) == [2]
    assert flagged_rows("529", Episodes=rows) == [3]
    assert flagged_rows("530", Episodes=rows) == [4]
    assert flagged_rows("531", Episodes=rows) == [5]
    assert flagged_rows("550", Episodes=rows) == [6]


CLA_EPISODES = [
    ep("1", "01/03/2023", RNE="S", LS="C2"),  # looked after all year
    ep("2", "01/03/2023", RNE="S", LS="C2"),
    ep("3", "01/06/2024", RNE="S", LS="C2"),  # started this year: not continuous
    ep("4", "01/03/2023", RNE="S", LS="C2"),
]


def test_542_543_convictions() -> None:
    oc2 = [
        {"CHILD": "1", "DOB": "01/01/2010", "CONVICTED": None},  # 15, CLA: 543 fails
        {"CHILD": "2", "DOB": "01/01/2018", "CONVICTED": "0"},  # 7 with conviction: 542
        {"CHILD": "3", "DOB": "01/01/2010", "CONVICTED": None},  # not CLA
        {"CHILD": "4", "DOB": "01/01/2010", "CONVICTED": "1"},
    ]
    assert flagged_rows("542", OC2=oc2, Episodes=CLA_EPISODES) == [2]
    assert flagged_rows("543", OC2=oc2, Episodes=CLA_EPISODES) == [1]


def test_544_547_health_details() -> None:
    full = {
        "IMMUNISATIONS": "1",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": "1",
        "SUBSTANCE_MISUSE": "0",
    }
    rows = [
        {"CHILD": "1", "CONVICTED": "1", **full},
        {"CHILD": "2", "CONVICTED": "1", **{**full, "TEETH_CHECK": None}},  # 544
        {"CHILD": "3", "HEALTH_CHECK": "1", **{**full, "IMMUNISATIONS": None}},  # 547
        {"CHILD": "4", "HEALTH_CHECK": "0"},
    ]
    assert flagged_rows("544", OC2=rows) == [2]
    assert flagged_rows("547", OC2=rows) == [3]


def test_545_546_health_promotion_by_age() -> None:
    oc2 = [
        {"CHILD": "1", "DOB": "01/01/2022", "HEALTH_CHECK": None},  # under 5: 545
        {"CHILD": "2", "DOB": "01/01/2010", "HEALTH_CHECK": "1"},  # over 5: 546
        {"CHILD": "3", "DOB": "01/01/2022", "HEALTH_CHECK": None},  # not CLA
        {"CHILD": "4", "DOB": "01/01/2022", "HEALTH_CHECK": "1"},
    ]
    assert flagged_rows("545", OC2=oc2, Episodes=CLA_EPISODES) == [1]
    assert flagged_rows("546", OC2=oc2, Episodes=CLA_EPISODES) == [2]


def test_551_552_placed_for_adoption_and_decision() -> None:
    episodes = [
        ep("1", "01/06/2024", PLACE="A3"),  # no decision: 551
        ep("2", "01/06/2024", PLACE="A4"),  # decision later: 552
        ep("3", "01/06/2024", PLACE="A5"),
    ]
    placed = [
        {"CHILD": "2", "DATE_PLACED": "01/07/2024"},
        {"CHILD": "3", "DATE_PLACED": "01/05/2024"},
    ]
    assert flagged_rows("551", Episodes=episodes, PlacedAdoption=placed) == [1]
    assert by_table("552", Episodes=episodes, PlacedAdoption=placed) == {
        "Episodes": [2],
        "PlacedAdoption": [1],
    }


def test_553_555_orders_need_a_decision() -> None:
    episodes = [
        ep("1", "01/06/2024", LS="E1"),  # no PlacedAdoption: fail
        ep("2", "01/06/2024", LS="E1"),  # open, but decision ceased: PlacedAdoption fails
        ep("3", "01/06/2024", LS="E1", DEC="01/07/2024", REC="E11"),
    ]
    placed = [
        {"CHILD": "2", "DATE_PLACED": "01/05/2024", "DATE_PLACED_CEASED": "01/06/2024"},
        {"CHILD": "3", "DATE_PLACED": "01/05/2024", "DATE_PLACED_CEASED": "01/06/2024"},
    ]
    assert by_table("553", Episodes=episodes, PlacedAdoption=placed) == {
        "Episodes": [1],
        "PlacedAdoption": [1],
    }
    d1 = [{**e, "LS": "D1"} for e in episodes]
    assert by_table("555", year=2024, Episodes=d1, PlacedAdoption=placed) == {
        "Episodes": [1],
        "PlacedAdoption": [1],
    }


def test_554_556_decision_before_order() -> None:
    episodes = [
        ep("1", "01/01/2024", LS="E1"),
        ep("2", "01/03/2024", LS="E1"),
        ep("3", "01/01/2024", LS="D1"),
    ]
    placed = [
        {"CHILD": "1", "DATE_PLACED": "26/05/2024"},  # after the order: fail
        {"CHILD": "2", "DATE_PLACED": "01/02/2024"},
        {"CHILD": "3", "DATE_PLACED": "26/05/2024"},
    ]
    assert by_table("554", Episodes=episodes, PlacedAdoption=placed) == {
        "Episodes": [1],
        "PlacedAdoption": [1],
    }
    assert flagged_rows("556", year=2024, Episodes=episodes, PlacedAdoption=placed) == [3]


def test_557_left_care_not_adopted_needs_decision_ceased() -> None:
    episodes = [
        ep("1", "01/01/2024", PLACE="A3", DEC="01/06/2024", REC="E13"),  # incomplete: fail
        ep("2", "01/01/2024", LS="E1", DEC="01/06/2024", REC="E13"),  # no PA row: fail
        ep("3", "01/01/2024", PLACE="A4", DEC="01/06/2024", REC="E12"),  # adopted
        ep("4", "01/01/2024", PLACE="A4", DEC="01/06/2024", REC="E13"),  # complete
        ep("5", "01/01/2024", LS="D1", DEC="01/06/2024", REC="E13"),  # D1 not from 2024/25
    ]
    placed = [
        {"CHILD": "1", "DATE_PLACED": "01/12/2023"},
        {"CHILD": "3", "DATE_PLACED": "01/12/2023"},
        {
            "CHILD": "4",
            "DATE_PLACED": "01/12/2023",
            "DATE_PLACED_CEASED": "01/06/2024",
            "REASON_PLACED_CEASED": "RD1",
        },
    ]
    assert by_table("557", Episodes=episodes, PlacedAdoption=placed) == {
        "Episodes": [1, 2],
        "PlacedAdoption": [1],
    }
    assert flagged_rows("557", "Episodes", year=2024, Episodes=episodes, PlacedAdoption=placed) == [
        1,
        2,
        5,
    ]


def test_558_adopted_with_two_ceased_decisions_in_a_year() -> None:
    episodes = [
        ep("1", "01/01/2024", DEC="01/06/2024", REC="E11"),
        ep("2", "01/01/2024", DEC="01/06/2024", REC="E12"),
    ]
    placed = [
        {"CHILD": "1", "DATE_PLACED": "01/01/2023", "DATE_PLACED_CEASED": "01/02/2023"},
        {"CHILD": "1", "DATE_PLACED": "01/03/2023", "DATE_PLACED_CEASED": "01/04/2023"},
        {"CHILD": "2", "DATE_PLACED": "01/01/2023", "DATE_PLACED_CEASED": "01/02/2023"},
        {"CHILD": "2", "DATE_PLACED": "01/03/2023"},
    ]
    assert flagged_rows("558", Episodes=episodes, PlacedAdoption=placed) == [1]


def test_559_to_561_and_584_decisions_against_last_year() -> None:
    current = [
        {"CHILD": "1", "DATE_PLACED": "26/05/2023"},  # not reported last year: 559
        {"CHILD": "2", "DATE_PLACED": "27/05/2023"},  # changed, not ceased: 560
        {"CHILD": "3", "DATE_PLACED": "01/02/2023"},  # same as a ceased one: 561, 584
        {"CHILD": "4", "DATE_PLACED": "01/02/2024"},  # new after ceased: pass
    ]
    last = [
        {"CHILD": "2", "DATE_PLACED": "26/05/2023"},
        {"CHILD": "3", "DATE_PLACED": "01/02/2023", "DATE_PLACED_CEASED": "01/03/2023"},
        {
            "CHILD": "4",
            "DATE_PLACED": "01/02/2023",
            "DATE_PLACED_CEASED": "01/03/2023",
            "REASON_PLACED_CEASED": "RD1",
        },
    ]
    previous = {"PlacedAdoption": last}
    assert flagged_rows("559", PlacedAdoption=current, previous=previous) == [1]
    assert flagged_rows("559", PlacedAdoption=current) == []
    assert flagged_rows("560", PlacedAdoption=current, previous=previous) == [2]
    assert flagged_rows("561", PlacedAdoption=current, previous=previous) == [3]
    assert flagged_rows("584", PlacedAdoption=current, previous=previous) == [3]


def test_562_continuing_episode_missing_last_year() -> None:
    assert flagged_rows(
        "562",
        Episodes=[
            ep("1", "15/03/2024"),  # matches last year's latest: pass
            ep("2", "13/03/2024"),  # last year's latest started 11/03: fail
            ep("3", "01/05/2024"),  # started this year: not checked
        ],
        previous={"Episodes": [ep("1", "15/03/2024"), ep("2", "11/03/2024")]},
    ) == [2]


def test_563_579_583_decision_records() -> None:
    rows = [
        {"CHILD": "1", "DATE_PLACED_CEASED": "26/05/2024", "REASON_PLACED_CEASED": "RD1"},
        {"CHILD": "2", "DATE_PLACED": "01/06/2024", "DATE_PLACED_CEASED": "05/06/2024"},
        {"CHILD": "2", "DATE_PLACED": "04/06/2024"},  # overlaps previous: 579
        {"CHILD": "3", "DATE_PLACED": "01/02/2024"},  # earlier, still open: 583
        {"CHILD": "3", "DATE_PLACED": "01/03/2024", "DATE_PLACED_CEASED": "02/03/2024"},
    ]
    assert flagged_rows("563", PlacedAdoption=rows) == [1]
    assert flagged_rows("579", PlacedAdoption=rows) == [3, 5]
    assert flagged_rows("583", PlacedAdoption=rows) == [4]


def test_582_adopted_on_match_date() -> None:
    assert flagged_rows(
        "582",
        Episodes=[
            ep("1", "01/01/2024", DEC="01/06/2024", REC="E11"),
            ep("2", "01/01/2024", DEC="01/06/2024", REC="E12"),
        ],
        AD1=[
            {"CHILD": "1", "DATE_MATCH": "01/06/2024"},
            {"CHILD": "2", "DATE_MATCH": "01/05/2024"},
        ],
    ) == [1]


def test_564_to_571_missing_fields_and_dates() -> None:
    rows = [
        {"CHILD": "1", "MISSING": "M", "MIS_START": None},  # 564
        {"CHILD": "2", "MISSING": None, "MIS_START": "07/02/2025"},  # 565
        {"CHILD": "3", "MISSING": None, "MIS_END": "07/02/2025"},  # 566
        {"CHILD": "4", "MISSING": "A", "MIS_START": "07/02/2025", "MIS_END": "01/02/2025"},  # 567
        {"CHILD": "5", "MISSING": "A", "MIS_START": "07/04/2025"},  # 570
        {"CHILD": "6", "MISSING": "A", "MIS_START": "07/02/2024", "MIS_END": "01/03/2024"},  # 571
        {"CHILD": "7", "MISSING": "M", "MIS_START": "07/02/2025", "MIS_END": "08/02/2025"},
    ]
    assert flagged_rows("564", Missing=rows) == [1]
    assert flagged_rows("565", Missing=rows) == [2]
    assert flagged_rows("566", Missing=rows) == [3]
    assert flagged_rows("567", Missing=rows) == [4]
    assert flagged_rows("570", Missing=rows) == [5]
    assert flagged_rows("571", Missing=rows) == [6]


def test_574_missing_periods_overlap() -> None:
    rows = [
        {"CHILD": "1", "MIS_START": "01/06/2024", "MIS_END": "05/06/2024"},
        {"CHILD": "1", "MIS_START": "04/06/2024", "MIS_END": "09/06/2024"},  # overlaps
        {"CHILD": "2", "MIS_START": "03/06/2024"},  # open
        {"CHILD": "2", "MIS_START": "07/06/2024", "MIS_END": "09/06/2024"},  # after open
        {"CHILD": "3", "MIS_START": "06/06/2024", "MIS_END": "08/06/2024"},
        {"CHILD": "3", "MIS_START": "10/06/2024", "MIS_END": "10/06/2024"},
    ]
    assert flagged_rows("574", Missing=rows) == [2, 4]


def test_575_577_578_581_missing_against_care() -> None:
    episodes = [
        ep("1", "01/06/2024", DEC="10/06/2024", REC="E13"),
        ep("2", "08/06/2024"),
        ep("3", "15/06/2024", DEC="20/06/2024", REC="E13"),
    ]
    missing = [
        {"CHILD": "1", "MIS_START": "08/06/2024"},  # open after care ended: 575, 577
        {"CHILD": "2", "MIS_START": "09/06/2024"},  # open, care open: pass
        {"CHILD": "3", "MIS_START": "21/06/2024", "MIS_END": "21/06/2024"},  # after: 578, 581
        {"CHILD": "3", "MIS_START": "16/06/2024", "MIS_END": "17/06/2024"},
    ]
    assert flagged_rows("575", Episodes=episodes, Missing=missing) == [1]
    assert flagged_rows("577", Episodes=episodes, Missing=missing) == [1, 3]
    assert flagged_rows("578", Episodes=episodes, Missing=missing) == [3]
    assert flagged_rows("581", Episodes=episodes, Missing=missing) == [3]


def test_576_open_missing_last_year_continues() -> None:
    assert flagged_rows(
        "576",
        Missing=[
            {"CHILD": "1", "MIS_START": "07/02/2024"},
            {"CHILD": "2", "MIS_START": "08/02/2024"},  # fail
            {"CHILD": "3", "MIS_START": "03/02/2024"},
        ],
        previous={
            "Missing": [
                {"CHILD": "1", "MIS_START": "07/02/2024"},
                {"CHILD": "2", "MIS_START": "07/02/2024"},
                {"CHILD": "3", "MIS_START": "01/02/2024", "MIS_END": "02/02/2024"},
            ]
        },
    ) == [2]


def test_580_missing_at_eighteen_needs_e8() -> None:
    assert flagged_rows(
        "580",
        Episodes=[
            ep("1", "01/01/2024", DEC="01/06/2024", REC="E7"),  # fail
            ep("2", "01/01/2024", DEC="05/06/2024", REC="E8"),
        ],
        Missing=[
            {"CHILD": "1", "DOB": "01/06/2006", "MIS_START": "01/05/2024", "MIS_END": "01/06/2024"},
            {"CHILD": "2", "DOB": "05/06/2006", "MIS_START": "01/05/2024", "MIS_END": "05/06/2024"},
        ],
    ) == [1]


def test_586_missing_before_birth() -> None:
    rows = [
        {"CHILD": "1", "DOB": "04/02/2020", "MIS_START": "03/02/2020"},
        {"CHILD": "2", "DOB": "02/02/2020", "MIS_START": "07/02/2020"},
    ]
    assert flagged_rows("586", Missing=rows) == [1]


def test_503f_urn_must_continue_last_years_open_episode() -> None:
    previous = {"Episodes": [ep("1", "01/06/2023", URN="SC055123"), ep("2", "01/06/2023")]}
    current = [ep("1", "01/06/2023", URN="SC055124"), ep("2", "01/06/2023")]
    assert flagged_rows("503F", Episodes=current, previous=previous) == [1]


@pytest.mark.usefixtures("postcodes")
def test_503g_h_j_placement_geography_continues_from_last_year() -> None:
    previous = {
        "Episodes": [
            ep("1", "01/06/2023", HOME_POST=HOME, PL_POST=NEAR),
            ep("2", "01/06/2023", HOME_POST=HOME, PL_POST=NEAR),
            ep("3", "01/06/2023", HOME_POST=HOME, PL_POST=NEAR, DEC="01/07/2023", REC="E13"),
        ]
    }
    current = [
        ep("1", "01/06/2023", HOME_POST=HOME, PL_POST=HOME),  # moved home: fail
        ep("2", "01/06/2023", HOME_POST=HOME, PL_POST=NEAR),
        ep("3", "01/08/2024", HOME_POST=HOME, PL_POST=HOME),  # last year closed
        ep("4", "01/08/2024", HOME_POST=HOME, PL_POST=HOME),  # council: Hartlepool
    ]
    for code in ("503G", "503H", "503J"):
        assert flagged_rows(code, Episodes=current, previous=previous) == [1], code
