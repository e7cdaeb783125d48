"""SSDA903 indicators at the edges where the DfE's published definitions decide the answer
(docs/statutory/ssda903-indicators.md says which publication each follows)."""

from __future__ import annotations

from typing import Any

import polars as pl
from builders import make_return

from statutory.ssda903.indicators import compute


def _row(frame: pl.DataFrame, name: str) -> dict[str, Any]:
    rows = frame.filter(pl.col("indicator").str.starts_with(name))
    assert rows.height == 1, name
    return rows.row(0, named=True)


def _names(frame: pl.DataFrame) -> list[str]:
    return frame.get_column("indicator").to_list()


def ep(child: str, decom: str, rne: str, ls: str = "C2", place: str = "U1", **more: str) -> dict:  # type: ignore[type-arg]
    return {"CHILD": child, "DECOM": decom, "RNE": rne, "LS": ls, "PLACE": place, **more}


def test_starts_and_ceasings_count_children_by_first_start_and_last_ceasing() -> None:
    episodes = [
        ep("1", "01/05/2024", "S", CIN="N1", DEC="01/06/2024", REC="E4A"),
        ep("1", "01/08/2024", "S", CIN="N2", DEC="01/10/2024", REC="E13"),
        # started on 31 March: a start, and looked after at 31 March
        ep("2", "31/03/2025", "S", CIN="N4"),
    ]
    result = compute(make_return(Episodes=episodes))
    assert _row(result, "Children starting to be looked after")["value"] == 2
    assert _row(result, "Starts by category of need: N1")["value"] == 1
    assert "Starts by category of need: N2" not in _names(result)
    assert _row(result, "Children ceasing to be looked after")["value"] == 1
    assert _row(result, "Ceased by reason: E13")["value"] == 1
    assert "Ceased by reason: E4A" not in _names(result)
    assert _row(result, "Children looked after at 31 March")["value"] == 1
    assert _row(result, "Children looked after during the year")["value"] == 2
    adopted = _row(result, "Adopted (% of children ceasing")
    assert (adopted["numerator"], adopted["denominator"]) == (0, 1)


def test_start_and_ceasing_rates_use_the_council_population() -> None:
    episodes = [
        ep("1", "01/05/2024", "S", DEC="01/06/2024", REC="E11"),
        ep("2", "01/05/2024", "S", DEC="01/06/2024", REC="E4A"),
    ]
    result = compute(make_return(Episodes=episodes), la="393")
    starts = _row(result, "Rate of children starting to be looked after per 10,000")
    assert starts["numerator"] == 2
    assert starts["value"] == round(2 / starts["denominator"] * 10_000, 1)
    adopted = _row(result, "Adopted (% of children ceasing")
    assert (adopted["numerator"], adopted["denominator"], adopted["value"]) == (1, 2, 50.0)


def test_first_placement_of_a_child_starting_in_the_year_counts() -> None:
    episodes = [
        ep("1", "01/05/2024", "S", DEC="01/07/2024", REC="X1"),
        ep("1", "01/07/2024", "P", place="U4", DEC="01/09/2024", REC="X1"),
        ep("1", "01/09/2024", "P", place="R1"),
    ]
    row = _row(compute(make_return(Episodes=episodes)), "Looked after at 31 March with 3")
    assert (row["numerator"], row["denominator"]) == (1, 1)


def test_a_return_to_the_same_carers_after_a_temporary_placement_is_not_a_new_placement() -> None:
    def child(cid: str, back_to: str) -> list[dict]:  # type: ignore[type-arg]
        return [
            ep(cid, "01/01/2024", "S", URN="SC1", PL_POST="AB1 2", DEC="01/06/2024", REC="X1"),
            ep(cid, "01/06/2024", "P", place="T1", DEC="10/06/2024", REC="X1"),  # hospital
            ep(cid, "10/06/2024", "P", URN=back_to, PL_POST="AB1 2", DEC="01/09/2024", REC="X1"),
            ep(cid, "01/09/2024", "P", place="U4"),
        ]

    episodes = [*child("same", back_to="SC1"), *child("other", back_to="SC9")]
    row = _row(compute(make_return(Episodes=episodes)), "Looked after at 31 March with 3")
    # 'same': U1, U4 (the hospital stay and the return are not placements); 'other': three
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_a_placement_that_began_and_ended_the_same_day_is_not_counted() -> None:
    episodes = [
        ep("1", "01/05/2024", "S", DEC="01/07/2024", REC="X1"),
        ep("1", "01/07/2024", "P", place="R1"),  # rows in any order
        ep("1", "01/07/2024", "P", place="U4", DEC="01/07/2024", REC="X1"),  # under 24 hours
    ]
    row = _row(compute(make_return(Episodes=episodes)), "Looked after at 31 March with 3")
    assert (row["numerator"], row["denominator"]) == (0, 1)


def test_changes_with_the_same_carers_are_not_new_placements() -> None:
    episodes = [
        ep("1", "01/01/2024", "S", DEC="01/06/2024", REC="X1"),
        ep("1", "01/06/2024", "B", place="U2", DEC="01/08/2024", REC="X1"),  # same carers
        ep("1", "01/08/2024", "U", ls="E1", place="A5", DEC="01/09/2024", REC="X1"),
        ep("1", "01/09/2024", "L", ls="E1", place="A5"),
    ]
    row = _row(compute(make_return(Episodes=episodes)), "Looked after at 31 March with 3")
    assert row["numerator"] == 0


def test_long_term_stability_counts_an_adoptive_placement_with_the_one_before_it() -> None:
    header = [{"CHILD": c, "DOB": "01/06/2015"} for c in ("adopt", "moved")]

    def chain(cid: str, last_place: str) -> list[dict]:  # type: ignore[type-arg]
        return [
            ep(cid, "01/01/2020", "S", DEC="01/01/2022", REC="X1"),
            ep(cid, "01/01/2022", "P", place="U4", DEC="01/01/2024", REC="X1"),
            ep(cid, "01/01/2024", "T", ls="E1", place=last_place),  # new carers
        ]

    episodes = [*chain("adopt", "A5"), *chain("moved", "U6")]
    previous = {"Header": header, "Episodes": episodes}
    now = [e for e in episodes if e["DECOM"] != "01/01/2020"]
    row = _row(
        compute(make_return(Header=header, Episodes=now, previous=previous)), "Long-term stability"
    )
    # 'adopt': placed for adoption on 1/1/2024, the placement before it began 1/1/2022 (over
    # two years with both); 'moved' moved to new foster carers 15 months before 31 March
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_missing_counts_incidents_open_at_1_april_and_children_looked_after_in_the_year() -> None:
    episodes = [
        ep("1", "01/01/2024", "S"),
        ep("2", "01/01/2024", "S"),
        ep("3", "01/01/2024", "S", ls="V3"),  # short breaks only: not in either count
        ep("4", "01/01/2023", "S", DEC="01/03/2024", REC="E4A"),  # left care before the year
    ]
    missing = [
        {"CHILD": "1", "MISSING": "M", "MIS_START": "20/03/2024"},  # still missing on 1 April
        {"CHILD": "3", "MISSING": "M", "MIS_START": "01/05/2024", "MIS_END": "02/05/2024"},
        {"CHILD": "4", "MISSING": "M", "MIS_START": "01/02/2024", "MIS_END": "02/02/2024"},
    ]
    result = compute(make_return(Episodes=episodes, Missing=missing))
    row = _row(result, "Children looked after in the year who went missing")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)
    assert _row(result, "Missing incidents")["value"] == 1


def test_care_leavers_leave_out_died_and_returned_home_and_unjudged_accommodation() -> None:
    oc3 = [
        # 17th birthday on 31 March 2025: aged 17 at 31 March, in the 17-18 group
        {"CHILD": "1", "DOB": "31/03/2008", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "Z1"},
        {"CHILD": "2", "DOB": "01/04/2007", "IN_TOUCH": "REFU", "ACTIV": "0", "ACCOM": "0"},
        {"CHILD": "3", "DOB": "01/04/2007", "IN_TOUCH": "YES", "ACTIV": "G6", "ACCOM": "G1"},
        {"CHILD": "4", "DOB": "01/04/2007", "IN_TOUCH": "RHOM", "ACTIV": "F1", "ACCOM": "B1"},
        {"CHILD": "5", "DOB": "01/04/2007", "IN_TOUCH": "DIED"},
        {"CHILD": "6", "DOB": "01/04/2007", "IN_TOUCH": "NO", "ACTIV": "0", "ACCOM": "0"},
    ]
    result = compute(make_return(Episodes=[ep("9", "01/01/2024", "S")], OC3=oc3))
    eet = _row(result, "Care leavers 17-18 in education")
    assert (eet["numerator"], eet["denominator"]) == (1, 4)  # 1, 2, 3, 6
    accom = _row(result, "Care leavers 17-18 in suitable")
    assert (accom["numerator"], accom["denominator"]) == (1, 3)  # gone abroad (3) left out
    touch = _row(result, "Care leavers 17-18 in touch")
    assert (touch["numerator"], touch["denominator"]) == (2, 4)


def test_adoption_a1_stops_at_the_adoptive_placement_and_a10_at_moving_in_with_the_carers() -> None:
    episodes = [
        # fostered from day one by the carers who adopt: foster-to-adopt
        ep("1", "01/04/2024", "S", place="U4", DEC="01/06/2024", REC="X1"),
        ep("1", "01/06/2024", "L", ls="E1", place="U4", DEC="01/09/2024", REC="X1"),
        ep("1", "01/09/2024", "U", ls="E1", place="A5", DEC="01/02/2025", REC="E12"),
        # placement order before the first episode supplied: authority date unknown for A2
        ep("2", "01/05/2024", "P", ls="E1", place="A4", DEC="01/03/2025", REC="E11"),
    ]
    ad1 = [
        {"CHILD": "1", "DATE_MATCH": "15/08/2024", "FOSTER_CARE": "1"},
        {"CHILD": "2", "DATE_MATCH": "20/04/2024", "FOSTER_CARE": "0"},
    ]
    result = compute(make_return(Episodes=episodes, AD1=ad1))
    assert _row(result, "Children adopted")["value"] == 2
    a1 = _row(result, "A1:")
    assert (a1["value"], a1["numerator"], a1["denominator"]) == (153, 1, 2)  # 1 Apr -> 1 Sep
    assert _row(result, "A10:")["value"] == 0  # moved in with the adopters on 1 April
    a2 = _row(result, "A2:")
    assert (a2["value"], a2["numerator"]) == (75, 1)  # 1 June -> 15 August; child 2 unknown


def test_long_term_stability_is_not_broken_by_a_temporary_placement() -> None:
    header = [{"CHILD": c, "DOB": "01/06/2015"} for c in ("back", "other")]

    def chain(cid: str, back_to: str) -> list[dict]:  # type: ignore[type-arg]
        return [
            ep(cid, "01/01/2020", "S", URN="SC1", PL_POST="AB1 2", DEC="01/05/2024", REC="X1"),
            ep(cid, "01/05/2024", "P", place="T1", DEC="05/05/2024", REC="X1"),  # hospital
            ep(cid, "05/05/2024", "P", URN=back_to, PL_POST="AB1 2"),
        ]

    episodes = [*chain("back", "SC1"), *chain("other", "SC9")]
    row = _row(compute(make_return(Header=header, Episodes=episodes)), "Long-term stability")
    assert (row["numerator"], row["denominator"]) == (1, 2)
