"""Integrity checks INT01-INT36, EPI, NoE: hand-made cases that pass and fail each check."""

from __future__ import annotations

import pytest
from builders import flagged_rows

HEADER = [
    {"CHILD": "1", "DOB": "01/01/2010", "SEX": "M"},
    {"CHILD": "2", "DOB": "02/02/2012", "SEX": "F"},
]

# code -> the table the child must also be in the Header for
NOT_IN_HEADER = {
    "INT01": "AD1",
    "INT02": "PlacedAdoption",
    "INT03": "Episodes",
    "INT04": "Missing",
    "INT05": "OC2",
    "INT06": "OC3",
    "INT07": "PrevPerm",
    "INT08": "Reviews",
    "INT09": "UASC",
}


@pytest.mark.parametrize(("code", "table"), NOT_IN_HEADER.items())
def test_child_not_in_header(code: str, table: str):
    rows = [{"CHILD": "1"}, {"CHILD": "3"}, {"CHILD": "2"}]
    assert flagged_rows(code, Header=HEADER, **{table: rows}) == [2]


def test_child_not_in_header_needs_a_header():
    assert flagged_rows("INT03", Episodes=[{"CHILD": "3"}]) == []


DOB_DIFFERS = {
    "INT11": "AD1",
    "INT12": "PlacedAdoption",
    "INT13": "Missing",
    "INT14": "OC2",
    "INT15": "OC3",
    "INT16": "PrevPerm",
    "INT17": "Reviews",
    "INT18": "UASC",
}


@pytest.mark.parametrize(("code", "table"), DOB_DIFFERS.items())
def test_dob_differs_from_header(code: str, table: str):
    rows = [
        {"CHILD": "1", "DOB": "01/01/2010"},  # same
        {"CHILD": "2", "DOB": "03/02/2012"},  # differs
        {"CHILD": "2", "DOB": None},  # blank: not compared
        {"CHILD": "9", "DOB": "01/01/2000"},  # not in Header: INT0x's business
    ]
    assert flagged_rows(code, Header=HEADER, **{table: rows}) == [2]


def test_int21_sex_differs_from_header():
    assert flagged_rows(
        "INT21",
        Header=HEADER,
        UASC=[{"CHILD": "1", "SEX": "M"}, {"CHILD": "2", "SEX": "M"}],
    ) == [2]


DUPLICATES = {
    "INT31": "AD1",
    "INT32": "Header",
    "INT33": "OC2",
    "INT34": "OC3",
    "INT35": "PrevPerm",
    "INT36": "UASC",
}


@pytest.mark.parametrize(("code", "table"), DUPLICATES.items())
def test_child_only_once(code: str, table: str):
    rows = [{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "1"}, {"CHILD": "3"}]
    assert flagged_rows(code, **{table: rows}) == [1, 3]


def test_epi_header_child_without_episodes_or_oc3():
    assert flagged_rows(
        "EPI",
        Header=[{"CHILD": "1"}, {"CHILD": "2"}, {"CHILD": "3"}],
        Episodes=[{"CHILD": "1"}, {"CHILD": "1"}],
        OC3=[{"CHILD": "3"}],
    ) == [2]


def test_noe_started_before_year_but_no_episodes_last_year():
    eps = [
        {"CHILD": "1", "DECOM": "14/03/2024"},  # in last year's return
        {"CHILD": "2", "DECOM": "08/09/2024"},  # started this year
        {"CHILD": "3", "DECOM": "03/10/2023"},  # missing from last year
    ]
    previous = {"Episodes": [{"CHILD": "1", "DECOM": "14/03/2024"}]}
    assert flagged_rows("NoE", Episodes=eps, previous=previous) == [3]
    assert flagged_rows("NoE", Episodes=eps) == []
