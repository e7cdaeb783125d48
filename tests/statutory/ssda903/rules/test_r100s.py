"""Rules 101-199: each with rows that pass and rows that fail (collection year 2024/25 unless
a test says otherwise: 1 April 2024 - 31 March 2025)."""

from __future__ import annotations

from builders import flagged_rows, run_rule


def ep(child: str, decom: str, **items: str | None) -> dict[str, str | None]:
    return {"CHILD": child, "DECOM": decom, **items}


# --- Header ------------------------------------------------------------------------------------


def test_101_sex_codes_by_year() -> None:
    rows = [{"CHILD": "1", "SEX": "M"}, {"CHILD": "2", "SEX": "1"}, {"CHILD": "3", "SEX": None}]
    assert flagged_rows("101", Header=rows) == [2, 3]
    old = [{"CHILD": "1", "SEX": "1"}, {"CHILD": "2", "SEX": "M"}]
    assert flagged_rows("101", year=2024, Header=old) == [2]


def test_102_dob_missing_or_invalid() -> None:
    rows = [
        {"CHILD": "1", "DOB": "01/01/2010"},
        {"CHILD": "2", "DOB": "38/04/2019"},
        {"CHILD": "3"},
    ]
    assert flagged_rows("102", Header=rows) == [2, 3]


def test_103_ethnicity() -> None:
    rows = [{"CHILD": "1", "ETHNIC": "wbri"}, {"CHILD": "2", "ETHNIC": "XXXX"}, {"CHILD": "3"}]
    assert flagged_rows("103", Header=rows) == [2, 3]


def test_104_duc_invalid_or_before_year() -> None:
    rows = [
        {"CHILD": "1", "DUC": "01/06/2024"},
        {"CHILD": "2", "DUC": "31/03/2024"},
        {"CHILD": "3", "DUC": "99/99/2024"},
        {"CHILD": "4"},
    ]
    assert flagged_rows("104", UASC=rows) == [2, 3]


def test_105_only_xml_header_status_checked() -> None:
    rows = [{"CHILD": "1", "UASC": "1"}, {"CHILD": "2", "UASC": "2"}, {"CHILD": "3", "UASC": None}]
    assert flagged_rows("105", source_format="xml", Header=rows) == [2, 3]
    assert flagged_rows("105", Header=[{"CHILD": "1"}]) == []


# --- AD1 / PlacedAdoption ----------------------------------------------------------------------


def test_112_113_adoption_dates() -> None:
    rows = [
        {"CHILD": "1", "DATE_INT": "01/01/2024", "DATE_MATCH": "01/02/2024"},
        {"CHILD": "2", "DATE_INT": "01/01/24", "DATE_MATCH": "32/01/2024"},
        {"CHILD": "3"},
    ]
    assert flagged_rows("112", AD1=rows) == [2]
    assert flagged_rows("113", AD1=rows) == [2]


def test_114_foster_care() -> None:
    rows = [{"CHILD": "1", "FOSTER_CARE": "0"}, {"CHILD": "2", "FOSTER_CARE": "2"}, {"CHILD": "3"}]
    assert flagged_rows("114", AD1=rows) == [2]


def test_115_116_placed_dates() -> None:
    rows = [
        {"CHILD": "1", "DATE_PLACED": "01/01/2024", "DATE_PLACED_CEASED": "01/02/2024"},
        {"CHILD": "2", "DATE_PLACED": "2024", "DATE_PLACED_CEASED": "31/02/2024"},
        {"CHILD": "3"},
    ]
    assert flagged_rows("115", PlacedAdoption=rows) == [2]
    assert flagged_rows("116", PlacedAdoption=rows) == [2]


def test_117_decision_after_year_or_after_leaving() -> None:
    episodes = [
        ep("1", "01/01/2024", DEC="01/06/2024", REC="E11"),
        ep("2", "01/01/2024", DEC="01/06/2024", REC="E11"),
        ep("3", "01/01/2024", DEC="01/02/2024", REC="X1"),
        ep("3", "01/02/2024", DEC=None, REC=None),
    ]
    placed = [
        {"CHILD": "1", "DATE_PLACED": "01/05/2024"},
        {"CHILD": "2", "DATE_PLACED": "01/07/2024"},
        {"CHILD": "3", "DATE_PLACED": "01/04/2025"},
    ]
    found = run_rule("117", Episodes=episodes, PlacedAdoption=placed)
    assert sorted(found.filter(found["table"] == "PlacedAdoption")["row_number"]) == [2, 3]
    assert sorted(found.filter(found["table"] == "Episodes")["row_number"]) == [2, 4]


def test_118_ceased_decision_before_year_or_care() -> None:
    episodes = [ep("1", "01/01/2024", LS="C2"), ep("2", "01/06/2024", LS="C2")]
    placed = [
        {"CHILD": "1", "DATE_PLACED_CEASED": "01/05/2024"},
        {"CHILD": "2", "DATE_PLACED_CEASED": "01/05/2024"},
    ]
    assert flagged_rows("118", "PlacedAdoption", Episodes=episodes, PlacedAdoption=placed) == [2]
    assert flagged_rows("118", "Episodes", Episodes=episodes, PlacedAdoption=placed) == [2]


def test_119_ceased_date_and_reason_together() -> None:
    rows = [
        {"CHILD": "1", "DATE_PLACED_CEASED": "01/05/2024", "REASON_PLACED_CEASED": "RD1"},
        {"CHILD": "2", "DATE_PLACED_CEASED": "01/05/2024"},
        {"CHILD": "3", "REASON_PLACED_CEASED": "RD1"},
        {"CHILD": "4"},
    ]
    assert flagged_rows("119", PlacedAdoption=rows) == [2, 3]


def test_120_reason_placed_ceased() -> None:
    rows = [
        {"CHILD": "1", "REASON_PLACED_CEASED": "rd1"},
        {"CHILD": "2", "REASON_PLACED_CEASED": "RD0"},
        {"CHILD": "3"},
    ]
    assert flagged_rows("120", PlacedAdoption=rows) == [2]


# --- OC3 ---------------------------------------------------------------------------------------


def test_131_132_133_care_leaver_codes() -> None:
    rows = [
        {"CHILD": "1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"},
        {"CHILD": "2", "IN_TOUCH": "REFUSE", "ACTIV": "1", "ACCOM": "X"},
        {"CHILD": "3"},
    ]
    for code in ("131", "132", "133"):
        assert flagged_rows(code, OC3=rows) == [2, 3]


def test_134_no_adoption_for_care_leavers() -> None:
    oc3 = [{"CHILD": "1", "IN_TOUCH": "YES"}, {"CHILD": "2"}]
    ad1 = [
        {"CHILD": "1", "DATE_INT": "01/01/2024"},
        {"CHILD": "2", "DATE_INT": "01/01/2024"},
        {"CHILD": "3", "DATE_INT": "01/01/2024"},
    ]
    assert flagged_rows("134", OC3=oc3, AD1=ad1) == [1]


# --- Episodes ----------------------------------------------------------------------------------


def test_141_147_episode_dates() -> None:
    rows = [
        ep("1", "01/01/2024", DEC="02/01/2024"),
        ep("2", "38/04/2024", DEC="01/01/19"),
        ep("3", None),  # type: ignore[arg-type]
    ]
    assert flagged_rows("141", Episodes=rows) == [2]
    assert flagged_rows("147", Episodes=rows) == [2]


def test_142_earlier_episode_must_end() -> None:
    rows = [
        ep("1", "01/06/2024", DEC="04/06/2024", REC="X1"),
        ep("1", "05/06/2024", DEC="06/06/2024"),  # no REC: fails
        ep("1", "06/06/2024"),  # last: open is fine
        ep("2", "06/06/2024", REC="E11"),  # no DEC, not last: fails
        ep("2", "07/06/2024"),
        ep("3", "31/06/2024"),  # invalid DECOM: not checked itself, and counts as last ...
        ep("3", "01/07/2024"),  # ... so this open episode is not the last: fails
    ]
    assert flagged_rows("142", Episodes=rows) == [2, 4, 7]


def test_143_to_146_149_episode_codes() -> None:
    good = ep("1", "01/01/2024", RNE="S", LS="C2", CIN="N1", PLACE="U1", REC="E11")
    bad = ep("2", "01/01/2024", RNE="SP", LS="C9", CIN="N9", PLACE="A2", REC="E4C")
    blank = ep("3", "01/01/2024")
    for code in ("143", "144", "145", "146", "149"):
        assert flagged_rows(code, Episodes=[good, bad, blank]) == [2], code


def test_146_place_codes_change_by_year() -> None:
    rows = [ep("1", "01/01/2025", PLACE="K3"), ep("2", "01/01/2025", PLACE="Z11")]
    assert flagged_rows("146", Episodes=rows) == [2]
    rows_2026 = [ep("1", "01/01/2026", PLACE="Z11"), ep("2", "01/01/2026", PLACE="H5")]
    assert flagged_rows("146", year=2026, Episodes=rows_2026) == [2]


def test_148_dec_and_rec_together() -> None:
    rows = [
        ep("1", "01/01/2024", DEC="02/01/2024", REC="X1"),
        ep("1", "02/01/2024", DEC="03/01/2024"),
        ep("1", "03/01/2024", REC="E11"),
        ep("1", "04/01/2024"),
    ]
    assert flagged_rows("148", Episodes=rows) == [2, 3]


def test_151_adoption_all_or_none() -> None:
    full = {
        "DATE_INT": "01/01/2024",
        "DATE_MATCH": "01/02/2024",
        "FOSTER_CARE": "0",
        "NB_ADOPTR": "1",
        "SEX_ADOPTR": "M1",
        "LS_ADOPTR": "L0",
    }
    rows = [{"CHILD": "1", **full}, {"CHILD": "2", "DATE_INT": "01/01/2024"}, {"CHILD": "3"}]
    assert flagged_rows("151", AD1=rows) == [2]


def test_153_care_leaver_all_or_none() -> None:
    rows = [
        {"CHILD": "1", "IN_TOUCH": "YES", "ACTIV": "F1", "ACCOM": "B1"},
        {"CHILD": "2", "IN_TOUCH": "YES"},
        {"CHILD": "3"},
    ]
    assert flagged_rows("153", OC3=rows) == [2]


# --- OC2 ---------------------------------------------------------------------------------------

# In care since 2020 and still there: looked after continuously for 12 months at 31 March 2025.
LONG = [ep("1", "01/01/2020", RNE="S", LS="C2"), ep("2", "01/01/2020", RNE="S", LS="C2")]
# Came into care in the year: not continuously looked after.
SHORT = [ep("1", "01/06/2024", RNE="S", LS="C2"), ep("2", "01/06/2024", RNE="S", LS="C2")]


def test_157_sdq1_not_for_school_age() -> None:
    rows = [
        {"CHILD": "1", "DOB": "01/01/2012", "SDQ_REASON": "SDQ1"},
        {"CHILD": "2", "DOB": "01/01/2012", "SDQ_REASON": "SDQ2"},
    ]
    assert flagged_rows("157", Episodes=LONG, OC2=rows) == [1]
    assert flagged_rows("157", Episodes=SHORT, OC2=rows) == []


def test_158_159_192_193_substance_misuse_items() -> None:
    sm, ir, io = "SUBSTANCE_MISUSE", "INTERVENTION_RECEIVED", "INTERVENTION_OFFERED"
    rows = [
        {"CHILD": "1", sm: "1", ir: "1"},
        {"CHILD": "2", sm: "1", ir: "1", io: "0"},
        {"CHILD": "3", sm: "1", ir: "0"},
        {"CHILD": "4", sm: "1"},
        {"CHILD": "5", sm: "0", io: "1"},
        {"CHILD": "6", sm: "1", ir: "0", io: "1"},
    ]
    assert flagged_rows("158", OC2=rows) == [2]
    assert flagged_rows("159", OC2=rows) == [3]
    assert flagged_rows("192", OC2=rows) == [4]
    assert flagged_rows("193", OC2=rows) == [5]


def test_164_distance_only_when_out_of_range() -> None:
    rows = [ep("1", "01/01/2024", HOME_POST="AB1 0AA", PL_POST="AB1 0AB")]
    assert flagged_rows("164", Episodes=rows, Header=[{"CHILD": "1"}], UASC=[]) == []


def test_165_mother_status() -> None:
    episodes = [
        ep("1", "01/01/2024", LS="C2"),
        ep("2", "01/01/2024", LS="C2"),
        ep("3", "01/01/2024", LS="C2"),
        ep("4", "01/01/2024", LS="C2"),
        ep("5", "01/01/2020", LS="C2", DEC="01/01/2021", REC="E8"),
    ]
    header = [
        {"CHILD": "1", "SEX": "F", "MOTHER": "0"},  # fine
        {"CHILD": "2", "SEX": "F"},  # girl in care in the year, no status
        {"CHILD": "3", "SEX": "M", "MOTHER": "0"},  # boy with a status
        {"CHILD": "4", "SEX": "F", "MOTHER": "2"},  # invalid
        {"CHILD": "5", "SEX": "F", "MOTHER": "1"},  # left before the year, has OC3
    ]
    oc3 = [{"CHILD": "5", "IN_TOUCH": "YES"}]
    found = flagged_rows("165", "Header", Episodes=episodes, Header=header, OC3=oc3)
    assert found == [2, 3, 4, 5]
    assert flagged_rows("165", "OC3", Episodes=episodes, Header=header, OC3=oc3) == [1]


# --- Reviews, Header items ---------------------------------------------------------------------


def test_166_167_reviews() -> None:
    rows = [
        {"CHILD": "1", "REVIEW": "01/02/2025", "REVIEW_CODE": "PN1"},
        {"CHILD": "1", "REVIEW": "38/02/2025", "REVIEW_CODE": "PX"},
        {"CHILD": "1", "REVIEW_CODE": "PN1"},
        {"CHILD": "1"},
    ]
    assert flagged_rows("166", Reviews=rows) == [2, 3, 4]
    assert flagged_rows("167", Reviews=rows) == [2, 3]


def test_168_upn() -> None:
    rows = [
        {"CHILD": "1", "UPN": "UN3"},
        {"CHILD": "2", "UPN": "A123456789012"},
        {"CHILD": "3", "UPN": "I123456789012"},
        {"CHILD": "4", "UPN": "UN7"},
        {"CHILD": "5", "UPN": "A12345678901B"},
        {"CHILD": "6"},
    ]
    assert flagged_rows("168", Header=rows) == [3, 4]


def test_169_179_placement_postcode_must_resolve() -> None:
    rows = [
        ep("1", "01/01/2024", LS="C2", PL_POST="AB1 0AA"),
        ep("1", "02/01/2024", LS="C2", PL_POST="ZZ9 9ZZ"),
        ep("1", "03/01/2024", LS="C2"),
        ep("1", "04/01/2024", LS="V3"),
    ]
    assert flagged_rows("169", Episodes=rows) == [2, 3]
    assert flagged_rows("179", Episodes=rows) == [2, 3]


def test_171_174_mothers_child_dob() -> None:
    rows = [
        {"CHILD": "1", "SEX": "F", "MC_DOB": "01/01/2024"},
        {"CHILD": "2", "SEX": "M", "MC_DOB": "01/01/2024"},
        {"CHILD": "3", "SEX": "F", "MC_DOB": "01/13/2024"},
    ]
    assert flagged_rows("171", Header=rows) == [3]
    assert flagged_rows("174", Header=rows) == [2]
    old = [{"CHILD": "1", "SEX": "1", "MC_DOB": "01/01/2023"}]
    assert flagged_rows("174", year=2024, Header=old) == [1]


def test_175_176_177_adopter_codes() -> None:
    rows = [
        {"CHILD": "1", "NB_ADOPTR": "1", "SEX_ADOPTR": "MF", "LS_ADOPTR": "L11"},
        {"CHILD": "2", "NB_ADOPTR": "0", "SEX_ADOPTR": "M2", "LS_ADOPTR": "L1"},
        {"CHILD": "3"},
    ]
    for code in ("175", "176", "177"):
        assert flagged_rows(code, AD1=rows) == [2], code


def test_178_place_provider() -> None:
    rows = [
        ep("1", "01/01/2024", PLACE="U1", PLACE_PROVIDER="PR1"),
        ep("1", "02/01/2024", PLACE="T0", PLACE_PROVIDER="PR1"),
        ep("1", "03/01/2024", PLACE="U1", PLACE_PROVIDER="PR9"),
        ep("1", "04/01/2024", PLACE="Z1"),
    ]
    assert flagged_rows("178", Episodes=rows) == [2, 3]


def test_180_181_182_oc2_items() -> None:
    full = {
        "IMMUNISATIONS": "1",
        "TEETH_CHECK": "1",
        "HEALTH_ASSESSMENT": "1",
        "SUBSTANCE_MISUSE": "0",
        "CONVICTED": "0",
        "HEALTH_CHECK": "1",
    }
    rows = [
        {"CHILD": "1", "SDQ_SCORE": "40", **full},
        {"CHILD": "2", "SDQ_SCORE": "41", **full, "CONVICTED": "2"},
        {"CHILD": "3", "SDQ_SCORE": "xx", "CONVICTED": "1"},
        {"CHILD": "4"},
    ]
    assert flagged_rows("180", OC2=rows) == [2, 3]
    assert flagged_rows("181", OC2=rows) == [2]
    assert flagged_rows("182", OC2=rows) == [3]


def test_184_placed_decision_before_birth() -> None:
    rows = [
        {"CHILD": "1", "DOB": "01/01/2020", "DATE_PLACED": "01/01/2020"},
        {"CHILD": "2", "DOB": "01/01/2020", "DATE_PLACED": "31/12/2019"},
        {"CHILD": "3", "DOB": "01/01/2020"},
    ]
    assert flagged_rows("184", PlacedAdoption=rows) == [2]


def test_185_190_198_items_only_for_12_months() -> None:
    rows = [
        {"CHILD": "1", "SDQ_SCORE": "10", "SDQ_REASON": "SDQ1", "CONVICTED": "0"},
        {"CHILD": "2"},
    ]
    for code in ("185", "190", "198"):
        assert flagged_rows(code, Episodes=SHORT, OC2=rows) == [1], code
        assert flagged_rows(code, Episodes=LONG, OC2=rows) == [], code


def test_186_sdq_score_or_reason_required() -> None:
    rows = [
        {"CHILD": "1", "DOB": "01/01/2012"},  # neither: flagged
        {"CHILD": "2", "DOB": "01/01/2000"},  # too old
        {"CHILD": "3", "DOB": "01/01/2012", "SDQ_SCORE": "10"},  # a score, no reason: fine
        {"CHILD": "4", "DOB": "01/01/2012", "SDQ_REASON": "SDQ1"},  # a reason for none: fine
    ]
    episodes = [*LONG, *[{**LONG[0], "CHILD": c} for c in ("3", "4")]]
    assert flagged_rows("186", Episodes=episodes, OC2=rows) == [1]


def test_187_no_leaver_or_adoption_data_for_oc2_children() -> None:
    oc3 = [{"CHILD": "1", "IN_TOUCH": "YES"}, {"CHILD": "9", "IN_TOUCH": "YES"}]
    ad1 = [{"CHILD": "2", "DATE_INT": "01/01/2024"}]
    assert flagged_rows("187", "OC3", Episodes=LONG, OC3=oc3, AD1=ad1) == [1]
    assert flagged_rows("187", "AD1", Episodes=LONG, OC3=oc3, AD1=ad1) == [1]
    assert flagged_rows("187", Episodes=LONG, OC3=oc3) == []  # AD1 not supplied


def test_188_189_sdq_age_limits() -> None:
    rows = [
        {"CHILD": "1", "DOB": "01/04/2021", "SDQ_SCORE": "5"},  # under 4 at 31 March
        {"CHILD": "2", "DOB": "31/03/2007", "SDQ_REASON": "SDQ1"},  # 17 on 31 March
        {"CHILD": "3", "DOB": "01/04/2015", "SDQ_SCORE": "5"},
        # 17th birthday on 1 April itself: not "more than 17 years" before it
        {"CHILD": "4", "DOB": "01/04/2007", "SDQ_REASON": "SDQ1"},
    ]
    assert flagged_rows("188", OC2=rows) == [1]
    assert flagged_rows("189", OC2=rows) == [2]


def test_191_12_month_items_required() -> None:
    rows = [{"CHILD": "1", "IMMUNISATIONS": "1"}]
    assert flagged_rows("191", "OC2", Episodes=LONG, OC2=rows) == [1]
    # child 2 has no OC2 row: the earliest episode is flagged
    assert flagged_rows("191", "Episodes", Episodes=LONG, OC2=rows) == [2]


def test_196_197a_sdq_reason() -> None:
    rows = [
        {"CHILD": "1", "SDQ_REASON": "SDQ2"},
        {"CHILD": "2", "SDQ_REASON": "SDQ9"},
        {"CHILD": "3", "SDQ_REASON": "SDQ2", "SDQ_SCORE": "4"},
    ]
    assert flagged_rows("196", OC2=rows) == [2]
    assert flagged_rows("197a", OC2=rows) == [3]


def test_197b_sdq_for_4_and_17_year_olds() -> None:
    rows = [
        {"CHILD": "1", "DOB": "01/06/2020"},  # 4 in the year, nothing recorded
        {"CHILD": "2", "DOB": "01/06/2012"},
    ]
    assert flagged_rows("197B", Episodes=LONG, OC2=rows) == [1]


def test_199_previously_adopted() -> None:
    rows = [
        ep("1", "01/06/2024", DEC="01/07/2024", REC="E11"),
        ep("1", "01/09/2024"),
        ep("2", "01/06/2024", DEC="01/07/2024", REC="E12"),
    ]
    previous = {"Episodes": [ep("2", "01/01/2020", DEC="01/01/2021", REC="E11")]}
    assert flagged_rows("199", Episodes=rows) == [2]
    assert flagged_rows("199", Episodes=rows, previous=previous) == [2, 3]


def test_199_one_adoption_episode_in_both_returns_is_one_adoption() -> None:
    # the episode that ended in adoption is in last year's return and again in this year's
    # (a resubmitted or overlapping extract): it is the same adoption, not a previous one
    adoption = ep("1", "01/01/2024", DEC="10/04/2024", REC="E11")
    previous = {"Episodes": [adoption]}
    assert flagged_rows("199", Episodes=[adoption], previous=previous) == []
    # a later episode after it is still flagged
    later = [adoption, ep("1", "01/09/2024")]
    assert flagged_rows("199", Episodes=later, previous=previous) == [2]


def test_continuously_looked_after_definition_via_190() -> None:
    episodes = [
        ep("1", "01/01/2020", RNE="S", LS="C2"),  # in care all year: CLA
        ep("2", "01/01/2020", RNE="S", LS="C2", DEC="01/01/2024", REC="E8"),  # left before
        ep("3", "01/01/2020", RNE="S", LS="C2", DEC="01/10/2024", REC="E8"),  # left in year
        ep("4", "01/01/2020", RNE="S", LS="C2", DEC="31/03/2025", REC="E8"),  # left on 31 March
        ep("5", "01/01/2020", RNE="S", LS="V3"),  # short breaks
    ]
    oc2 = [{"CHILD": str(c), "CONVICTED": "0"} for c in range(1, 6)]
    assert flagged_rows("190", Episodes=episodes, OC2=oc2) == [2, 3, 5]
