"""Rules 202-234: each with rows that pass and rows that fail (2024/25 unless stated)."""

from __future__ import annotations

from builders import flagged_rows, run_rule


def ep(child: str, decom: str, **items: str | None) -> dict[str, str | None]:
    return {"CHILD": child, "DECOM": decom, **items}


def test_202_203_204_header_agrees_with_last_year() -> None:
    now = [
        {"CHILD": "1", "SEX": "M", "DOB": "01/01/2010", "ETHNIC": "WBRI"},
        {"CHILD": "2", "SEX": "F", "DOB": "02/01/2010", "ETHNIC": "WBRI"},
        {"CHILD": "3", "SEX": "M", "DOB": "01/01/2010", "ETHNIC": "WBRI"},
    ]
    last = [
        {"CHILD": "1", "SEX": "1", "DOB": "01/01/2010", "ETHNIC": "WBRI"},
        {"CHILD": "2", "SEX": "1", "DOB": "01/01/2010", "ETHNIC": "NOBT"},
    ]
    previous = {"Header": last}
    assert flagged_rows("202", Header=now, previous=previous) == [2]
    assert flagged_rows("203", Header=now, previous=previous) == [2]
    assert flagged_rows("204", Header=now, previous=previous) == [2]
    assert flagged_rows("202", Header=now) == []  # no previous year: nothing to compare


def test_202_sex_codes_changed_in_2024_25() -> None:
    """2024/25 is M/F/U and 2023/24 was 1/2: last year's 1 is M and 2 is F, so only a real
    change is flagged (the open-source validator compares the text and flags every child in
    both years). Before and after that year the codes are compared as written."""
    now = [{"CHILD": c, "SEX": s} for c, s in (("1", "M"), ("2", "F"), ("3", "M"), ("4", "U"))]
    last = [{"CHILD": c, "SEX": s} for c, s in (("1", "1"), ("2", "2"), ("3", "2"), ("4", "1"))]
    assert flagged_rows("202", Header=now, previous={"Header": last}) == [3, 4]
    same = [{"CHILD": "1", "SEX": "M"}, {"CHILD": "2", "SEX": "F"}]
    changed = [{"CHILD": "1", "SEX": "M"}, {"CHILD": "2", "SEX": "M"}]
    assert flagged_rows("202", year=2026, Header=same, previous={"Header": changed}) == [2]
    old = [{"CHILD": "1", "SEX": "1"}, {"CHILD": "2", "SEX": "2"}]
    assert flagged_rows("202", year=2024, Header=old, previous={"Header": old}) == []


UASC_NOW = [
    {"CHILD": "1", "DOB": "01/06/2006", "DUC": None},
    {"CHILD": "2", "DOB": "01/06/2006", "DUC": "01/06/2024"},
    {"CHILD": "3", "DOB": "01/06/2006", "DUC": "01/06/2024"},
]
UASC_LAST = [
    {"CHILD": "1", "DOB": "01/06/2006", "DUC": "01/06/2024"},
    {"CHILD": "2", "DOB": "01/06/2006", "DUC": "01/06/2024"},
    {"CHILD": "3", "DOB": "01/06/2006", "DUC": "01/06/2023"},
]


def test_205b_uasc_both_years_18th_birthday() -> None:
    found = flagged_rows("205B", "UASC", UASC=UASC_NOW, previous={"UASC": UASC_LAST})
    assert found == [3]


def test_205b_18th_birthday_is_the_childs_own_whatever_the_row_order() -> None:
    # Last year's rows in another order: each child's DUC last year is their own 18th
    # birthday, so nothing is wrong (the councils' validator takes last year's DOB by row
    # position and would compare A's DUC with B's birthday).
    now = [
        {"CHILD": "A", "DOB": "01/06/2006", "DUC": "01/06/2024"},
        {"CHILD": "B", "DOB": "01/01/2006", "DUC": "01/01/2024"},
    ]
    last = [
        {"CHILD": "B", "DOB": "01/01/2006", "DUC": "01/01/2024"},
        {"CHILD": "A", "DOB": "01/06/2006", "DUC": "01/06/2024"},
    ]
    assert flagged_rows("205B", "UASC", UASC=now, previous={"UASC": last}) == []
    last[1]["DUC"] = "02/06/2024"  # not A's 18th birthday
    assert flagged_rows("205B", "UASC", UASC=now, previous={"UASC": last}) == [1]


def test_205a_205c_xml_status() -> None:
    header = [{"CHILD": "1", "UASC": "0"}, {"CHILD": "2", "UASC": "0"}]
    header_last = [{"CHILD": "1", "UASC": "1"}, {"CHILD": "2", "UASC": "0"}]
    uasc = [{"CHILD": "1", "DUC": "01/06/2024"}, {"CHILD": "2", "DUC": "01/06/2024"}]
    uasc_last = [{"CHILD": "1", "DUC": "01/06/2023"}, {"CHILD": "2"}]
    kwargs = {
        "source_format": "xml",
        "Header": header,
        "UASC": uasc,
        "previous": {"Header": header_last, "UASC": uasc_last},
    }
    assert flagged_rows("205A", "UASC", **kwargs) == [1]  # ceased last year but DUC again now
    assert flagged_rows("205C", "UASC", **kwargs) == [2]  # never UASC but has a DUC


def test_205d_uasc_now_not_last_year() -> None:
    header = [{"CHILD": "1"}, {"CHILD": "2"}]
    uasc = [{"CHILD": "1"}, {"CHILD": "2"}]
    previous = {"Header": [{"CHILD": "1"}, {"CHILD": "2"}], "UASC": [{"CHILD": "2"}]}
    assert flagged_rows("205D", Header=header, UASC=uasc, previous=previous) == [1]


def test_207_mother_agrees() -> None:
    header = [{"CHILD": "1", "MOTHER": "0"}, {"CHILD": "2", "MOTHER": "1"}, {"CHILD": "3"}]
    last = [
        {"CHILD": "1", "MOTHER": "1"},
        {"CHILD": "2", "MOTHER": "1"},
        {"CHILD": "3", "MOTHER": "1"},
    ]
    episodes = [ep("1", "01/01/2024"), ep("2", "01/01/2024")]
    found = flagged_rows("207", Header=header, Episodes=episodes, previous={"Header": last})
    assert found == [1]


def test_208_upn_agrees() -> None:
    header = [
        {"CHILD": "1", "UPN": "A123456789012"},  # was UN1: fine
        {"CHILD": "2", "UPN": "B123456789012"},  # was another UPN: fails
        {"CHILD": "3", "UPN": "UN2"},  # was UN1: fine
        {"CHILD": "4", "UPN": "UN1"},  # was UN4: fails
    ]
    last = [
        {"CHILD": "1", "UPN": "UN1"},
        {"CHILD": "2", "UPN": "A123456789012"},
        {"CHILD": "3", "UPN": "UN1"},
        {"CHILD": "4", "UPN": "UN4"},
    ]
    assert flagged_rows("208", Header=header, previous={"Header": last}) == [2, 4]


def test_209_school_age_not_un1() -> None:
    header = [
        {"CHILD": "1", "DOB": "31/08/2019", "UPN": "UN1"},  # 4 on 31/08/2023
        {"CHILD": "2", "DOB": "01/09/2019", "UPN": "UN1"},
        {"CHILD": "3", "DOB": "01/01/2010", "UPN": "UN2"},
    ]
    assert flagged_rows("209", Header=header) == [1]


def test_210_un4_only_for_new_arrivals() -> None:
    header = [{"CHILD": "1", "UPN": "UN4"}, {"CHILD": "2", "UPN": "UN4"}]
    episodes = [ep("1", "25/03/2025"), ep("2", "01/01/2025")]
    assert flagged_rows("210", "Header", Header=header, Episodes=episodes) == [1]
    assert flagged_rows("210", "Episodes", Header=header, Episodes=episodes) == [1]


def test_213_214_temporary_and_short_breaks() -> None:
    rows = [
        ep("1", "01/01/2025", PLACE="T1", PLACE_PROVIDER="PR1", LS="C2"),
        ep("1", "02/01/2025", PLACE="U1", PLACE_PROVIDER="PR1", LS="V3", PL_POST="AB1 0AA"),
        ep("1", "03/01/2025", PLACE="U1", PLACE_PROVIDER="PR1", LS="C2", PL_POST="AB1 0AA"),
    ]
    assert flagged_rows("213", Episodes=rows) == [1]
    assert flagged_rows("214", Episodes=rows) == [2]


def test_215_leaver_without_oc2_items() -> None:
    oc3 = [{"CHILD": "1", "IN_TOUCH": "YES"}, {"CHILD": "2", "IN_TOUCH": "YES"}]
    oc2 = [{"CHILD": "1", "CONVICTED": "0"}, {"CHILD": "2"}]
    assert flagged_rows("215", "OC3", OC3=oc3, OC2=oc2) == [1]
    assert flagged_rows("215", "OC2", OC3=oc3, OC2=oc2) == [1]


def test_217_adoption_with_foster_carers() -> None:
    rows = [
        ep("1", "01/01/2025", PLACE="A3", RNE="T"),
        ep("1", "02/01/2025", PLACE="A5", RNE="P"),
        ep("1", "03/01/2014", PLACE="A5", RNE="P"),
    ]
    assert flagged_rows("217", Episodes=rows) == [2]


def test_218_urn_required() -> None:
    rows = [
        ep("1", "01/01/2025", PLACE="U1", PL_POST="SW1A 1AA", URN="SC123456"),
        ep("1", "02/01/2025", PLACE="U1", PL_POST="SW1A 1AA"),
        ep("1", "03/01/2025", PLACE="T0", PL_POST="SW1A 1AA"),
        ep("1", "04/01/2020", PLACE="U1", PL_POST="SW1A 1AA", DEC="01/01/2021", REC="X1"),
    ]
    assert flagged_rows("218", Episodes=rows) == [2]


def test_222_no_urn_for_unregistered_types() -> None:
    rows = [
        ep("1", "01/01/2025", PLACE="R1", URN="SC123456"),
        ep("1", "02/01/2025", PLACE="R1", URN="XXXXXXX"),
        ep("1", "03/01/2025", PLACE="U1", URN="SC123456"),
    ]
    assert flagged_rows("222", Episodes=rows) == [1]


def test_225_reason_for_change_required() -> None:
    rows = [
        ep("1", "01/01/2025", PLACE="U1", REC="X1", DEC="02/01/2025"),
        ep(
            "1",
            "02/01/2025",
            PLACE="U1",
            RNE="P",
            REC="X1",
            DEC="03/01/2025",
            REASON_PLACE_CHANGE="CARPL",
        ),
        ep("1", "03/01/2025", PLACE="U2", RNE="P"),
    ]
    assert flagged_rows("225", Episodes=rows) == [1]


def test_226_no_reason_for_temporary() -> None:
    rows = [
        ep("1", "01/01/2025", PLACE="U1", REASON_PLACE_CHANGE="CARPL"),
        ep("1", "02/01/2025", PLACE="T1"),
        ep("2", "02/01/2025", PLACE="T1"),
    ]
    assert flagged_rows("226", Episodes=rows) == [2]


def test_217t_230_placements_from_october_2023() -> None:
    rows = [
        ep("1", "01/01/2023", PLACE="P2", DEC="28/10/2023", REC="X1"),
        ep("1", "28/10/2023", PLACE="P2"),
        ep("2", "01/01/2024", PLACE="H5", PL_POST="SW1A 1AA"),
        ep("2", "01/02/2024", PLACE="H5", PL_POST="SW1A 1AA", URN="SC123456"),
    ]
    assert flagged_rows("217t", year=2024, Episodes=rows) == [2]
    assert flagged_rows("230", year=2024, Episodes=rows) == [3]


def test_231_uasc_under_11() -> None:
    header = [{"CHILD": "1", "DOB": "01/04/2014"}, {"CHILD": "2", "DOB": "31/03/2014"}]
    uasc = [{"CHILD": "1"}, {"CHILD": "2"}]
    assert flagged_rows("231", Header=header, UASC=uasc) == [1]


def test_232_sex_unknown() -> None:
    assert flagged_rows("232", Header=[{"CHILD": "1", "SEX": "U"}, {"CHILD": "2", "SEX": "F"}]) == [
        1
    ]


def test_233_234_reason_for_change_2026() -> None:
    rows = [
        ep("1", "01/01/2026", REASON_PLACE_CHANGE="CARPL"),
        ep("1", "01/01/2026", DEC="02/01/2026", REC="X1", REASON_PLACE_CHANGE="CUSTOD"),
        ep("2", "01/01/2026", DEC="02/01/2026", REC="X1", REASON_PLACE_CHANGE="CUSTOD"),
    ]
    header = [{"CHILD": "1", "DOB": "01/01/2017"}, {"CHILD": "2", "DOB": "01/01/2010"}]
    assert flagged_rows("233", year=2026, Episodes=rows) == [1]
    # The DfE lists 234 against Episodes and Header: the episode and the child's Header row.
    found = run_rule("234", year=2026, Episodes=rows, Header=header)
    assert sorted(zip(found["table"], found["row_number"], strict=True)) == [
        ("Episodes", 2),
        ("Header", 1),
    ]


def test_205d_without_header_flags_uasc_rows() -> None:
    uasc = [{"CHILD": "1", "DUC": "01/06/2024"}, {"CHILD": "2", "DUC": "01/06/2024"}]
    previous = {"Header": [{"CHILD": "1"}, {"CHILD": "2"}], "UASC": [{"CHILD": "2"}]}
    assert flagged_rows("205D", "UASC", UASC=uasc, previous=previous) == [1]
