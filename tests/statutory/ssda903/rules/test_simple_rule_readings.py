"""How the single-field rules (formats and code lists: 101-199, 301-304, 700-701) read the cells
councils actually send: blanks, stray spaces, lower case, numbers written by spreadsheets, and
dates in other formats. Each case was compared with the open-source validator councils use
(data-to-insight's csc-validator-be-903); where we read a cell differently on purpose, the row
in docs/statutory/ssda903-readings.md says why, and the case is marked "differs" here.
"""

from __future__ import annotations

from functools import partial

import pytest
from builders import flagged_rows


def column_rows(column: str, values: list[str | None], **fixed: str) -> list[dict]:
    return [{"CHILD": str(i), column: value, **fixed} for i, value in enumerate(values, 1)]


# ---------------------------------------------------------------------------------------------
# Blanks: flagged where the item is mandatory, skipped where the DfE says "if provided"
# ---------------------------------------------------------------------------------------------

MANDATORY = [
    ("101", "Header", "SEX", "M"),
    ("102", "Header", "DOB", "01/01/2010"),
    ("103", "Header", "ETHNIC", "WBRI"),
    ("131", "OC3", "IN_TOUCH", "YES"),
    ("132", "OC3", "ACTIV", "F1"),
    ("133", "OC3", "ACCOM", "B1"),
    ("166", "Reviews", "REVIEW", "01/06/2024"),
]

IF_PROVIDED = [
    ("104", "UASC", "DUC", "01/06/2024"),
    ("112", "AD1", "DATE_INT", "01/06/2024"),
    ("113", "AD1", "DATE_MATCH", "01/06/2024"),
    ("114", "AD1", "FOSTER_CARE", "1"),
    ("115", "PlacedAdoption", "DATE_PLACED", "01/06/2024"),
    ("116", "PlacedAdoption", "DATE_PLACED_CEASED", "01/06/2024"),
    ("141", "Episodes", "DECOM", "01/06/2024"),
    ("143", "Episodes", "RNE", "S"),
    ("144", "Episodes", "LS", "C2"),
    ("145", "Episodes", "CIN", "N1"),
    ("146", "Episodes", "PLACE", "U1"),
    ("147", "Episodes", "DEC", "01/06/2024"),
    ("168", "Header", "UPN", "UN1"),
    ("171", "Header", "MC_DOB", "01/06/2024"),
    ("175", "AD1", "NB_ADOPTR", "1"),
    ("176", "AD1", "SEX_ADOPTR", "MF"),
    ("177", "AD1", "LS_ADOPTR", "L0"),
    ("180", "OC2", "SDQ_SCORE", "20"),
    ("196", "OC2", "SDQ_REASON", "SDQ1"),
]


@pytest.mark.parametrize(("code", "table", "column", "good"), MANDATORY)
def test_blank_fails_a_mandatory_item(code: str, table: str, column: str, good: str) -> None:
    rows = column_rows(column, [good, None, "", "   "])
    assert flagged_rows(code, table, **{table: rows}) == [2, 3, 4]


@pytest.mark.parametrize(("code", "table", "column", "good"), IF_PROVIDED)
def test_blank_passes_an_if_provided_item(code: str, table: str, column: str, good: str) -> None:
    rows = column_rows(column, [good, None, "", "   "])
    assert flagged_rows(code, table, **{table: rows}) == []


# ---------------------------------------------------------------------------------------------
# Case and stray spaces in codes
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "table", "column", "values"),
    [
        ("101", "Header", "SEX", ["m", " F", "U "]),
        ("103", "Header", "ETHNIC", ["wbri", " WBRI", "Wbri "]),
        ("131", "OC3", "IN_TOUCH", ["yes", " NO", "Refu "]),
        ("143", "Episodes", "RNE", ["s", " P", "L "]),
        ("146", "Episodes", "PLACE", ["u1", " K3", "z1 "]),
        ("149", "Episodes", "REC", ["e11", " X1", "E4a "]),
        ("167", "Reviews", "REVIEW_CODE", ["pn1", " PN0", "Pn7 "]),
        ("178", "Episodes", "PLACE_PROVIDER", ["pr1", " PR0", "Pr5 "]),
    ],
)
def test_codes_read_stripped_and_in_capitals(
    code: str, table: str, column: str, values: list[str]
) -> None:
    """Lower case passes, as in the validator (it upper-cases every cell it reads). Spaces
    round a code pass here and fail there (differs: it does not strip cells)."""
    extra = {"REVIEW": "01/06/2024"} if code == "167" else {}
    rows = column_rows(column, [*values, "XX"], **extra)
    assert flagged_rows(code, table, year=2025, **{table: rows}) == [4]


def test_a_space_inside_a_code_is_not_the_code() -> None:
    rows = column_rows("PLACE", ["K 2", "U1"])
    assert flagged_rows("146", "Episodes", Episodes=rows) == [1]


# ---------------------------------------------------------------------------------------------
# Numbers written by spreadsheets
# ---------------------------------------------------------------------------------------------


def test_0_1_items_are_codes_not_numbers() -> None:
    """1.0 and 01 are not the codes 0/1 (as the validator, which compares the text)."""
    for code, table, column in (
        ("114", "AD1", "FOSTER_CARE"),
        ("175", "AD1", "NB_ADOPTR"),
        ("181", "OC2", "CONVICTED"),
    ):
        rows = column_rows(column, ["1", "1.0", "01"])
        assert flagged_rows(code, table, **{table: rows}) == [2, 3], code
    old = column_rows("SEX", ["1", "2", "1.0", "2.0"])
    assert flagged_rows("101", "Header", year=2024, Header=old) == [3, 4]


def test_sdq_score_is_a_number() -> None:
    """SDQ_SCORE is read as a number (as the validator's to_numeric): 20.0, 07 and 1e1 are
    whole scores 0-40; 39.5, 41 and text are not."""
    rows = column_rows("SDQ_SCORE", ["20.0", "07", "1e1", "0", "40", "39.5", "41", "XX", "-1"])
    assert flagged_rows("180", "OC2", OC2=rows) == [6, 7, 8, 9]


def test_xml_uasc_status_is_a_code() -> None:
    """Differs: the validator reads the XML UASC status as a number, so 1.0 and 01 pass it."""
    rows = column_rows("UASC", ["0", "1", "1.0", "01", "2"])
    assert flagged_rows("105", "Header", source_format="xml", Header=rows) == [3, 4, 5]


# ---------------------------------------------------------------------------------------------
# Dates
# ---------------------------------------------------------------------------------------------

DATES_READ = ["01/06/2024", "1/6/2024", "2024-06-01", "01/06/2024 00:00", "01-06-2024"]
DATES_NOT_READ = ["31/06/2024", "01/06/24", "1/6/24", "20240601", "June 2024"]


@pytest.mark.parametrize(
    ("code", "table", "column"),
    [
        ("102", "Header", "DOB"),
        ("141", "Episodes", "DECOM"),
        ("147", "Episodes", "DEC"),
        ("166", "Reviews", "REVIEW"),
        ("171", "Header", "MC_DOB"),
        ("112", "AD1", "DATE_INT"),
        ("115", "PlacedAdoption", "DATE_PLACED"),
    ],
)
def test_date_formats(code: str, table: str, column: str) -> None:
    """Councils' date formats are dates (differs: the validator reads dd/mm/YYYY only, so
    ISO dates and dates with a time fail its format checks); two-digit years are not dates
    in either."""
    rows = column_rows(column, [*DATES_READ, *DATES_NOT_READ])
    first_bad = len(DATES_READ) + 1
    assert flagged_rows(code, table, **{table: rows}) == list(range(first_bad, len(rows) + 1))


dolo = partial(flagged_rows, year=2027)


def test_700_701_blank_and_format() -> None:
    rows = [
        {"CHILD": "1", "DOLO_START": "2026-05-01", "DOLO_END": "01/06/2026 00:00"},
        {"CHILD": "2", "DOLO_START": " ", "DOLO_END": " "},
        {"CHILD": "3", "DOLO_START": "01/05/26", "DOLO_END": "01/06/26"},
    ]
    assert dolo("700", DoLo=rows) == [2, 3]
    assert dolo("701", DoLo=rows) == [3]


# ---------------------------------------------------------------------------------------------
# Year-specific readings
# ---------------------------------------------------------------------------------------------


def test_174_in_2023_24_flags_boys_coded_1() -> None:
    """Differs: the validator's 2023/24 rule compares SEX with "F", a code that year does not
    have (1 male, 2 female), so it finds nothing; the DfE rule is about male children."""
    rows = [
        {"CHILD": "1", "SEX": "1", "MC_DOB": "01/06/2023"},
        {"CHILD": "2", "SEX": "2", "MC_DOB": "01/06/2023"},
        {"CHILD": "3", "SEX": "1", "MC_DOB": None},
    ]
    assert flagged_rows("174", year=2024, Header=rows) == [1]


def test_a_cell_of_spaces_is_blank() -> None:
    """Differs: the validator's CSV reader treats only an empty cell as blank."""
    episodes = [
        {"CHILD": "1", "DECOM": "01/06/2024", "DEC": "  ", "REC": None},
        {"CHILD": "2", "DECOM": "01/06/2024", "DEC": "02/06/2024", "REC": "  "},
    ]
    assert flagged_rows("147", "Episodes", Episodes=episodes) == []
    assert flagged_rows("148", "Episodes", Episodes=episodes) == [2]
    placed = [{"CHILD": "1", "DATE_PLACED_CEASED": " ", "REASON_PLACED_CEASED": None}]
    assert flagged_rows("119", "PlacedAdoption", PlacedAdoption=placed) == []
