"""Indicators at their edges, on hand-made returns."""

from __future__ import annotations

import polars as pl
import pytest
from builders import make_return

from statutory.ssda903.indicators import compute, population


def _value(frame: pl.DataFrame, name: str) -> float | None:
    row = frame.filter(pl.col("indicator").str.starts_with(name))
    assert row.height == 1, name
    return row["value"][0]


def _row(frame: pl.DataFrame, name: str) -> dict:  # type: ignore[type-arg]
    return frame.filter(pl.col("indicator").str.starts_with(name)).row(0, named=True)


def test_looked_after_at_31_march_and_rate() -> None:
    r = make_return(
        Episodes=[
            {"CHILD": "1", "DECOM": "01/01/2024", "RNE": "S", "LS": "C2"},  # open: counted
            {
                "CHILD": "2",
                "DECOM": "01/05/2024",
                "RNE": "S",
                "LS": "C2",
                "DEC": "31/03/2025",
                "REC": "E4A",
            },  # ceased on 31 March: not counted
            {"CHILD": "3", "DECOM": "01/05/2024", "RNE": "S", "LS": "V3"},  # short breaks
        ]
    )
    result = compute(r, la="393")
    assert _value(result, "Children looked after at 31 March") == 1
    pop, year = population("393", 2025)
    assert year == 2024
    assert pop is not None
    assert _value(result, "Rate per 10,000") == pytest.approx(round(1 / pop * 10_000, 1))
    assert _value(result, "Children starting") == 1  # V3 left out; 1 started before the year
    assert _value(result, "Children ceasing") == 1
    assert _value(result, "Ceased by reason: E4A") == 1


def test_three_placements() -> None:
    episodes = [
        {
            "CHILD": "1",
            "DECOM": "01/01/2024",
            "RNE": "S",
            "LS": "C2",
            "PLACE": "U1",
            "DEC": "01/06/2024",
            "REC": "X1",
        },
        {
            "CHILD": "1",
            "DECOM": "01/06/2024",
            "RNE": "P",
            "LS": "C2",
            "PLACE": "U4",
            "DEC": "01/08/2024",
            "REC": "X1",
        },
        {
            "CHILD": "1",
            "DECOM": "01/08/2024",
            "RNE": "L",
            "LS": "C1",
            "PLACE": "U4",
            "DEC": "01/09/2024",
            "REC": "X1",
        },  # legal status only: same placement
        {"CHILD": "1", "DECOM": "01/09/2024", "RNE": "P", "LS": "C1", "PLACE": "U5"},
        {
            "CHILD": "2",
            "DECOM": "01/01/2024",
            "RNE": "S",
            "LS": "C2",
            "PLACE": "U1",
            "DEC": "01/06/2024",
            "REC": "X1",
        },
        {
            "CHILD": "2",
            "DECOM": "01/06/2024",
            "RNE": "P",
            "LS": "C2",
            "PLACE": "T1",
            "DEC": "10/06/2024",
            "REC": "X1",
        },  # temporary: not a placement
        {"CHILD": "2", "DECOM": "10/06/2024", "RNE": "P", "LS": "C2", "PLACE": "U1"},
    ]
    row = _row(compute(make_return(Episodes=episodes)), "Looked after at 31 March with 3")
    assert (row["numerator"], row["denominator"], row["value"]) == (1, 2, 50.0)


def test_long_term_stability_edges() -> None:
    header = [
        {"CHILD": "1", "DOB": "01/04/2012"},  # 12: in
        {"CHILD": "2", "DOB": "31/03/2009"},  # 16 on 31 March 2025: out of the group
        {"CHILD": "3", "DOB": "01/04/2012"},  # same placement < 2 years
    ]
    episodes = [
        {"CHILD": "1", "DECOM": "30/09/2022", "RNE": "S", "LS": "C2", "PLACE": "U1"},
        {"CHILD": "2", "DECOM": "01/01/2020", "RNE": "S", "LS": "C2", "PLACE": "U1"},
        {
            "CHILD": "3",
            "DECOM": "01/01/2020",
            "RNE": "S",
            "LS": "C2",
            "PLACE": "U1",
            "DEC": "01/04/2023",
            "REC": "X1",
        },
    ]
    previous = {
        "Episodes": [
            *episodes[:2],
            {
                "CHILD": "3",
                "DECOM": "01/01/2020",
                "RNE": "S",
                "LS": "C2",
                "PLACE": "U1",
                "DEC": "01/04/2023",
                "REC": "X1",
            },
            {"CHILD": "3", "DECOM": "01/04/2023", "RNE": "P", "LS": "C2", "PLACE": "U4"},
        ]
    }
    now = [
        *episodes[:2],
        {"CHILD": "3", "DECOM": "01/04/2023", "RNE": "P", "LS": "C2", "PLACE": "U4"},
    ]
    row = _row(
        compute(make_return(Header=header, Episodes=now, previous=previous)), "Long-term stability"
    )
    # child 1: looked after since 30/09/2022 = exactly 2.5 years at 31/03/2025; same placement
    assert (row["numerator"], row["denominator"]) == (1, 2)


def test_missing() -> None:
    r = make_return(
        Episodes=[{"CHILD": c, "DECOM": "01/01/2024", "RNE": "S", "LS": "C2"} for c in "123"],
        Missing=[
            {"CHILD": "1", "MISSING": "M", "MIS_START": "01/04/2024"},
            {"CHILD": "1", "MISSING": "M", "MIS_START": "31/03/2025"},
            # began and ended before the year
            {"CHILD": "1", "MISSING": "M", "MIS_START": "30/03/2024", "MIS_END": "31/03/2024"},
            {"CHILD": "2", "MISSING": "A", "MIS_START": "01/05/2024"},
        ],
    )
    result = compute(r)
    assert _row(result, "Children looked after in the year who went missing")["numerator"] == 1
    assert _value(result, "Missing incidents") == 2
    assert _value(result, "Children away from placement") == 1


def test_care_leavers() -> None:
    r = make_return(
        Episodes=[{"CHILD": "9", "DECOM": "01/01/2024", "RNE": "S", "LS": "C2"}],
        OC3=[
            {"CHILD": "1", "DOB": "01/04/2007", "IN_TOUCH": "YES", "ACTIV": "F2", "ACCOM": "B1"},
            {"CHILD": "2", "DOB": "31/03/2008", "IN_TOUCH": "NO", "ACTIV": "G5", "ACCOM": "B2"},
            {"CHILD": "3", "DOB": "01/04/2004", "IN_TOUCH": "YES", "ACTIV": "F5", "ACCOM": "S2"},
            {"CHILD": "4", "DOB": "01/04/2004", "IN_TOUCH": "DIED"},
        ],
    )
    result = compute(r)
    young = _row(result, "Care leavers 17-18 in education")
    assert (young["numerator"], young["denominator"]) == (1, 2)
    older = _row(result, "Care leavers 19-21 in suitable")
    assert (older["numerator"], older["denominator"]) == (0, 1)
    assert _row(result, "Care leavers 17-18 in touch")["numerator"] == 1


def test_adoption_timeliness() -> None:
    episodes = [
        {
            "CHILD": "1",
            "DECOM": "01/04/2024",
            "RNE": "S",
            "LS": "C1",
            "PLACE": "U1",
            "DEC": "01/06/2024",
            "REC": "X1",
        },
        {
            "CHILD": "1",
            "DECOM": "01/06/2024",
            "RNE": "L",
            "LS": "E1",
            "PLACE": "U1",
            "DEC": "31/07/2024",
            "REC": "X1",
        },
        {
            "CHILD": "1",
            "DECOM": "31/07/2024",
            "RNE": "P",
            "LS": "E1",
            "PLACE": "A4",
            "DEC": "01/02/2025",
            "REC": "E11",
        },
    ]
    r = make_return(Episodes=episodes, AD1=[{"CHILD": "1", "DATE_MATCH": "01/07/2024"}])
    result = compute(r)
    assert _value(result, "Children adopted") == 1
    assert _value(result, "A1:") == 121  # 1 April -> 31 July
    assert _value(result, "A2") == 30  # placement order 1 June -> match 1 July
