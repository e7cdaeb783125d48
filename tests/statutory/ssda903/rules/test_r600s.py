"""Rules 601-635 on small hand-made returns: each case passes or fails on purpose."""

from __future__ import annotations

from builders import flagged_rows, run_rule


def by_table(code: str, **kwargs: object) -> dict[str, list[int]]:
    found = run_rule(code, **kwargs)
    out: dict[str, list[int]] = {}
    for table, row in zip(found["table"], found["row_number"], strict=True):
        out.setdefault(table, []).append(row)
    return {t: sorted(set(r)) for t, r in out.items()}


def ep(child: str, decom: str, **values: str | None) -> dict[str, str | None]:
    return {"CHILD": child, "DECOM": decom, **values}


FULL_AD1 = {
    "DATE_INT": "01/01/2024",
    "DATE_MATCH": "01/02/2024",
    "FOSTER_CARE": "0",
    "NB_ADOPTR": "2",
    "SEX_ADOPTR": "MF",
    "LS_ADOPTR": "L11",
}


def test_601_602_adoption_details_and_adoption_episodes() -> None:
    episodes = [
        ep("1", "01/01/2024", DEC="01/06/2024", REC="E11"),
        ep("2", "01/01/2024", DEC="01/06/2024", REC="E12"),
        ep("3", "01/01/2024", DEC="01/06/2024", REC="E13"),
        ep("4", "01/01/2023", DEC="01/06/2023", REC="E11"),  # adopted last year
    ]
    ad1 = [
        {"CHILD": "1", **{**FULL_AD1, "DATE_MATCH": None}},  # 601
        {"CHILD": "2", **FULL_AD1},
        {"CHILD": "3", **FULL_AD1},  # 602: not adopted
        {"CHILD": "4", **FULL_AD1},  # 602: not in this year
        {"CHILD": "5"},  # nothing given: pass
    ]
    assert by_table("601", Episodes=episodes, AD1=ad1) == {"AD1": [1], "Episodes": [1]}
    assert flagged_rows("602", Episodes=episodes, AD1=ad1) == [3, 4]


def test_607_girl_ceased_care_without_mother_field() -> None:
    episodes = [
        ep("1", "01/01/2024", DEC="01/06/2024", REC="E13", LS="C2"),  # fail
        ep("2", "01/01/2024", DEC="01/06/2024", REC="E13", LS="V3"),  # short breaks
        ep("3", "01/01/2024", DEC="01/06/2024", REC="E13", LS="C2"),  # boy
        ep("4", "01/01/2024", DEC="01/06/2024", REC="X1", LS="C2"),  # continues
    ]
    header = [
        {"CHILD": "1", "SEX": "F"},
        {"CHILD": "2", "SEX": "F"},
        {"CHILD": "3", "SEX": "M"},
        {"CHILD": "4", "SEX": "F"},
    ]
    assert by_table("607", Episodes=episodes, Header=header) == {"Episodes": [1], "Header": [1]}
    old_codes = [{**h, "SEX": "2" if h["SEX"] == "F" else "1"} for h in header]
    last_year = [{**e, "DECOM": "01/01/2023", "DEC": "01/06/2023"} for e in episodes]
    assert flagged_rows("607", "Header", year=2024, Episodes=last_year, Header=old_codes) == [1]


def test_611_612_620_621_motherhood_fields() -> None:
    header = [
        {"CHILD": "1", "SEX": "F", "DOB": "01/01/2008", "MOTHER": "1", "MC_DOB": None},  # 611
        {
            "CHILD": "2",
            "SEX": "F",
            "DOB": "01/01/2008",
            "MOTHER": "0",
            "MC_DOB": "01/01/2024",
        },  # 612
        {
            "CHILD": "3",
            "SEX": "F",
            "DOB": "01/01/2015",
            "MOTHER": "1",
            "MC_DOB": "01/01/2024",
        },  # 620
        {
            "CHILD": "4",
            "SEX": "F",
            "DOB": "01/01/2008",
            "MOTHER": "1",
            "MC_DOB": "01/01/2007",
        },  # 621
        {"CHILD": "5", "SEX": "F", "DOB": "01/01/2008", "MOTHER": "1", "MC_DOB": "01/01/2024"},
    ]
    assert flagged_rows("611", Header=header) == [1]
    assert flagged_rows("612", Header=header) == [2]
    assert flagged_rows("620", Header=header) == [3]
    assert flagged_rows("621", Header=header) == [4]


def test_624_626_motherhood_against_last_year() -> None:
    header = [
        {"CHILD": "1", "MOTHER": "1", "MC_DOB": "01/06/2023"},  # 624: date changed
        {"CHILD": "2", "MOTHER": "1", "MC_DOB": "01/06/2023"},  # 626: was not a mother
        {"CHILD": "3", "MOTHER": "1", "MC_DOB": "01/06/2024"},  # child born this year
        {"CHILD": "4", "MOTHER": "1", "MC_DOB": None},  # 624: date dropped
    ]
    last = [
        {"CHILD": "1", "MOTHER": "1", "MC_DOB": "01/05/2023"},
        {"CHILD": "2", "MOTHER": "0"},
        {"CHILD": "3", "MOTHER": "0"},
        {"CHILD": "4", "MOTHER": "1", "MC_DOB": "01/05/2023"},
    ]
    assert flagged_rows("624", Header=header, previous={"Header": last}) == [1, 4]
    assert flagged_rows("626", Header=header, previous={"Header": last}) == [2]


def test_625_child_born_after_year_or_ceasing() -> None:
    found = by_table(
        "625",
        Header=[
            {"CHILD": "1", "MC_DOB": "01/05/2025"},  # after 31 March
            {"CHILD": "2", "MC_DOB": "19/12/2024"},  # after latest DEC
            {"CHILD": "3", "MC_DOB": "01/01/2024"},
        ],
        Episodes=[
            ep("1", "01/01/2024", DEC="02/12/2024", REC="E13"),
            ep("2", "01/01/2024", DEC="11/11/2024", REC="E13"),
            ep("2", "01/01/2023", DEC="03/10/2023", REC="X1"),
            ep("3", "01/01/2023", DEC="01/06/2024", REC="E13"),
        ],
    )
    assert found == {"Episodes": [1, 2], "Header": [1, 2]}


def test_628_care_leaver_not_looked_after_has_no_motherhood() -> None:
    assert flagged_rows(
        "628",
        Header=[
            {"CHILD": "1", "MOTHER": "1"},  # care leaver only: fail
            {"CHILD": "2", "MOTHER": "1"},  # looked after: pass
            {"CHILD": "3", "MOTHER": None},
        ],
        Episodes=[ep("2", "01/01/2024")],
        OC3=[
            {"CHILD": "1", "IN_TOUCH": "YES"},
            {"CHILD": "2", "IN_TOUCH": "YES"},
            {"CHILD": "3", "IN_TOUCH": "YES"},
        ],
    ) == [1]


def test_630_previous_permanence_needed_for_new_periods() -> None:
    assert flagged_rows(
        "630",
        Episodes=[
            ep("1", "01/05/2024", RNE="S"),  # no PrevPerm: fail
            ep("2", "01/05/2024", RNE="S"),  # Z1: pass
            ep("3", "01/05/2024", RNE="S"),  # P1 without LA: fail
            ep("4", "01/05/2023", RNE="S"),  # last year: not checked
            ep("5", "01/05/2024", RNE="S"),  # P1 complete
        ],
        PrevPerm=[
            {"CHILD": "2", "PREV_PERM": "Z1"},
            {"CHILD": "3", "PREV_PERM": "P1", "DATE_PERM": "01/01/2020"},
            {"CHILD": "5", "PREV_PERM": "P1", "LA_PERM": "352", "DATE_PERM": "01/01/2020"},
        ],
    ) == [1, 3]


def test_631_633_635_previous_permanence_values() -> None:
    rows = [
        {"CHILD": "1", "PREV_PERM": "P9"},  # 631
        {"CHILD": "2", "PREV_PERM": "P1", "LA_PERM": "458", "DATE_PERM": "01/01/2020"},  # 633
        {"CHILD": "3", "LA_PERM": "352"},  # 635
        {"CHILD": "4", "PREV_PERM": "P2", "LA_PERM": "SCO", "DATE_PERM": "01/01/2020"},
    ]
    assert flagged_rows("631", PrevPerm=rows) == [1]
    assert flagged_rows("633", PrevPerm=rows) == [2]
    assert flagged_rows("635", PrevPerm=rows) == [3]


def test_632_previous_permanence_date() -> None:
    found = by_table(
        "632",
        Episodes=[
            ep("1", "20/10/2024"),
            ep("2", "17/06/2024"),
            ep("3", "01/07/2024"),
            ep("4", "01/07/2024"),
            ep("5", "01/03/2024"),
        ],
        PrevPerm=[
            {"CHILD": "1", "DATE_PERM": "XX/10/2011"},  # not a date: fail
            {"CHILD": "2", "DATE_PERM": "17/06/2024"},  # same day as DECOM: fail
            {"CHILD": "3", "DATE_PERM": "ZZ/05/2024"},  # month known: pass
            {"CHILD": "4", "DATE_PERM": "ZZ/ZZ/ZZ"},  # malformed: fail
            {"CHILD": "5", "DATE_PERM": "05/ZZ/2023"},  # read as 04/01/2024: pass
        ],
    )
    assert found == {"Episodes": [1, 2, 4], "PrevPerm": [1, 2, 4]}


def test_634_previous_permanence_for_period_before_this_year() -> None:
    found = by_table(
        "634",
        Episodes=[ep("1", "20/10/2011"), ep("2", "19/11/2024"), ep("2", "17/06/2011")],
        PrevPerm=[
            {"CHILD": "1", "PREV_PERM": "Z1"},  # fail
            {"CHILD": "2", "LA_PERM": "352"},  # has an episode this year: pass
            {"CHILD": "3"},
        ],
    )
    assert found == {"Episodes": [1], "PrevPerm": [1]}


def test_612_girl_is_sex_2_before_2024_25() -> None:
    header = [
        {"CHILD": "1", "SEX": "2", "MOTHER": "0", "MC_DOB": "01/01/2023"},  # fail
        {"CHILD": "2", "SEX": "1", "MOTHER": "0", "MC_DOB": "01/01/2023"},
        {"CHILD": "3", "SEX": "2", "MOTHER": None, "MC_DOB": None},
    ]
    assert flagged_rows("612", year=2024, Header=header) == [1]
