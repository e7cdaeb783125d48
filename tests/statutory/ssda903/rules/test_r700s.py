"""Rules 700-710 (deprivation of liberty orders, 2026/27): cases that pass and fail each check.

Year 2027 (2026/27: 01/04/2026-31/03/2027).
"""

from __future__ import annotations

from functools import partial

import polars as pl
from builders import flagged_rows, raw_frame, registry, run_rule

from statutory.engine import run
from statutory.ssda903.reader import build_return

YEAR = 2027
flagged = partial(flagged_rows, year=YEAR)


def dolo(child: str, start: str | None, end: str | None = None, dob: str | None = None) -> dict:
    return {"CHILD": child, "DOLO_START": start, "DOLO_END": end, "DOB": dob}


def test_700_701_dates_not_valid():
    rows = [
        dolo("1", "01/05/2026", "02/05/2026"),
        dolo("2", None),
        dolo("3", "31/02/2026", "not a date"),
        dolo("4", "01/05/2026", None),
    ]
    assert flagged("700", DoLo=rows) == [2, 3]
    assert flagged("701", DoLo=rows) == [3]


def test_702_703_704_dates_out_of_order_or_year():
    rows = [
        dolo("1", "01/05/2026", "01/05/2026"),  # ends the day it starts
        dolo("2", "02/05/2026", "01/05/2026"),  # ends before it starts
        dolo("3", "01/04/2027", None),  # starts after 31 March
        dolo("4", "01/01/2026", "31/03/2026"),  # ended before 1 April
        dolo("5", "01/01/2026", "01/05/2026"),
    ]
    assert flagged("702", DoLo=rows) == [1, 2]
    assert flagged("703", DoLo=rows) == [3]
    assert flagged("704", DoLo=rows) == [4]


def test_705_started_while_previous_open():
    rows = [
        dolo("1", "01/01/2027", "02/01/2027"),
        dolo("1", "04/01/2027", "04/01/2027"),
        dolo("1", "03/01/2027", "06/01/2027"),  # started before the previous one (04/01)
        dolo("2", "01/01/2027", None),  # still open when the next started
        dolo("2", "02/01/2027", "02/01/2027"),
        dolo("3", "01/01/2027", "02/01/2027"),
    ]
    assert flagged("705", DoLo=rows) == [3, 5]


def test_705_orders_compared_as_dates_not_as_text():
    # As text, day first, "31/01/2027" sorts after "28/02/2027": read that way the January
    # order would be compared with the February one and flagged. As dates it ended first.
    rows = [
        dolo("1", "01/02/2027", "28/02/2027"),
        dolo("1", "10/01/2027", "31/01/2027"),
        dolo("2", "2027-01-10", "2027-01-31"),  # ISO dates are dates too
        dolo("2", "01/02/2027", "28/02/2027"),
    ]
    assert flagged("705", DoLo=rows) == []
    # an order ending later but starting before the one that ended first is found, whichever
    # way the dates are written
    out_of_order = [
        dolo("1", "01/02/2027", "28/02/2027"),
        dolo("1", "15/01/2027", "31/03/2027"),
        dolo("2", "2027-02-01", "2027-02-28"),
        dolo("2", "15/01/2027", "31/03/2027"),
    ]
    assert flagged("705", DoLo=out_of_order) == [2, 4]


def test_706_unreadable_end_last_year_is_not_an_open_order():
    last_year = build_return(
        YEAR,
        {
            "DoLo": raw_frame(
                "DoLo",
                [
                    dolo("1", "01/01/2026", "31/02/2026"),  # written, not a date: not open
                    dolo("2", "01/01/2026", "   "),  # blank: open, not carried on
                ],
                year=YEAR,
            )
        },
    )
    this_year = build_return(
        YEAR, {"DoLo": raw_frame("DoLo", [dolo("3", "01/05/2026")], year=YEAR)}, previous=last_year
    )
    found = run(registry(), this_year, year=YEAR, codes=["706"], raise_errors=True).frame
    assert found.select("table", "row_number").rows() == [("DoLo_last", 2)]


def test_706_open_order_last_year_not_carried_on():
    # 2025/26 returns have no DoLo table, so this can first fire in 2027/28: last year's DoLo
    # is built here with the 2026/27 layout.
    last_year = build_return(
        YEAR,
        {
            "DoLo": raw_frame(
                "DoLo",
                [
                    dolo("1", "01/01/2026", None),  # carried on
                    dolo("2", "01/01/2026", None),  # not carried on
                    dolo("3", "01/01/2026", "02/02/2026"),  # ended
                ],
                year=YEAR,
            )
        },
    )
    this_year = build_return(
        YEAR,
        {"DoLo": raw_frame("DoLo", [dolo("1", "01/01/2026"), dolo("2", "06/01/2026")], year=YEAR)},
        previous=last_year,
    )
    found = run(registry(), this_year, year=YEAR, codes=["706"], raise_errors=True).frame
    assert found.select("table", "row_number").rows() == [("DoLo_last", 2)]
    assert flagged("706", DoLo=[dolo("1", "01/01/2026")]) == []


def test_707_order_outside_every_period_of_care():
    episodes = [
        {"CHILD": "1", "DECOM": "01/04/2026", "DEC": "01/06/2026"},
        {"CHILD": "2", "DECOM": "01/04/2026", "DEC": None},
        {"CHILD": "3", "DECOM": "01/04/2026", "DEC": "01/06/2026"},
    ]
    rows = [
        dolo("1", "01/05/2026", None),  # care ended, order still open
        dolo("2", "01/05/2026", None),  # open order, open care
        dolo("3", "01/05/2026", "01/07/2026"),  # ends after care ended
        dolo("3", "01/05/2026", "15/05/2026"),
        dolo("4", "01/05/2026", None),  # no episodes: not checked
    ]
    assert flagged("707", DoLo=rows, Episodes=episodes) == [1, 3]


def test_708_before_birth():
    rows = [
        dolo("1", "01/01/2020", dob="01/01/2020"),
        dolo("2", "01/01/2020", dob="01/01/2019"),
        dolo("3", "01/01/2020", dob=None),
    ]
    assert flagged("708", DoLo=rows) == [1]


def test_709_710_placements_during_an_order():
    episodes = [
        {"CHILD": "1", "DECOM": "01/05/2026", "DEC": "04/05/2026", "PLACE": "U1"},
        {"CHILD": "2", "DECOM": "01/05/2026", "DEC": "04/05/2026", "PLACE": "K2"},
        {"CHILD": "3", "DECOM": "01/05/2026", "DEC": None, "PLACE": "K1"},
        {"CHILD": "4", "DECOM": "01/05/2026", "DEC": "04/05/2026", "PLACE": "P1"},
    ]
    rows = [
        dolo("1", "02/05/2026", "03/05/2026"),
        dolo("2", "02/05/2026", "03/05/2026"),
        dolo("3", "02/05/2026", "03/05/2026"),  # open episode
        dolo("4", "05/05/2026", "06/05/2026"),  # after the episode
        dolo("4", "03/05/2026", "06/05/2026"),
    ]
    assert flagged("709", DoLo=rows, Episodes=episodes) == [1, 5]
    found = run_rule("710", year=YEAR, DoLo=rows, Episodes=episodes)
    by_table = found.group_by("table").agg(pl.col("row_number").sort()).sort("table").rows()
    assert by_table == [("DoLo", [3, 5]), ("Episodes", [3, 4])]
