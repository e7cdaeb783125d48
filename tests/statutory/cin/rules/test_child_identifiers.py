"""ChildIdentifiers rules on hand-made cases that pass and fail."""

from __future__ import annotations

from cin_builders import flagged, la_level, rows

from statutory.cin.generator import upn_for

GOOD_UPN = upn_for("201", 123456789)


def ids(*records: dict[str, object]) -> list[dict[str, object]]:
    return [{"LAchildID": f"c{i}", **r} for i, r in enumerate(records, start=1)]


def test_100_reference_date():
    assert rows("100", "Header", Header=[{"ReferenceDate": "2025-03-31"}]) == []
    assert rows("100", "Header", Header=[{"ReferenceDate": "2025-03-30"}]) == [1]
    assert rows("100", "Header", Header=[{"ReferenceDate": None}]) == [1]


def test_1510_check_letter():
    wrong = ("A" if GOOD_UPN[0] != "A" else "B") + GOOD_UPN[1:]
    found = rows(
        "1510",
        "ChildIdentifiers",
        ChildIdentifiers=ids({"UPN": GOOD_UPN}, {"UPN": wrong}, {"UPN": None}),
    )
    assert found == [2]


def test_1510_known_upn_from_dfe_guidance_style():
    # temporary UPN: letter in position 13 counts as its place in the check alphabet
    assert upn_for("201", 1)[0] in "ABCDEFGHJKLMNPQRTUVWXYZ"


def test_1520_duplicate_upn():
    found = rows(
        "1520",
        "ChildIdentifiers",
        ChildIdentifiers=ids(
            {"UPN": GOOD_UPN}, {"UPN": GOOD_UPN}, {"UPN": "X"}, {"UPN": None}, {"UPN": None}
        ),
    )
    assert found == [1, 2]


def test_1530_la_code():
    bad = "A999123456789"
    found = rows(
        "1530",
        "ChildIdentifiers",
        ChildIdentifiers=ids({"UPN": GOOD_UPN}, {"UPN": bad}, {"UPN": "A99"}),
    )
    assert found == [2]


def test_1530_new_codes_from_2024():
    upn = upn_for("942", 5)
    assert rows("1530", "ChildIdentifiers", year=2023, ChildIdentifiers=ids({"UPN": upn})) == [1]
    assert rows("1530", "ChildIdentifiers", year=2024, ChildIdentifiers=ids({"UPN": upn})) == []


def test_1540_numeric():
    found = rows(
        "1540",
        "ChildIdentifiers",
        ChildIdentifiers=ids({"UPN": GOOD_UPN}, {"UPN": "A2011234X678A"}, {"UPN": "A20"}),
    )
    assert found == [2]  # too short to have characters 5-12: not this rule


def test_1550_last_character():
    found = rows(
        "1550",
        "ChildIdentifiers",
        ChildIdentifiers=ids(
            {"UPN": GOOD_UPN},
            {"UPN": GOOD_UPN[:12] + "I"},
            {"UPN": GOOD_UPN[:12] + "A"},
            {"UPN": "A201"},
        ),
    )
    assert found == [2]


def test_1560q_former_upn():
    found = rows(
        "1560Q",
        "ChildIdentifiers",
        ChildIdentifiers=ids({"FormerUPN": GOOD_UPN}, {"FormerUPN": "12345"}, {"FormerUPN": None}),
    )
    assert found == [2]


def test_1570_1580_child_id():
    records = [{"LAchildID": "A" * 20}, {"LAchildID": "A" * 21}, {"LAchildID": "AB-1"}]
    assert rows("1570", "ChildIdentifiers", ChildIdentifiers=records) == [2]
    assert rows("1580", "ChildIdentifiers", ChildIdentifiers=records) == [3]


def test_2886q_la_level_sex_missing():
    many = [{"LAchildID": f"c{i}", "Sex": "M"} for i in range(60)]
    assert not la_level("2886Q", ChildIdentifiers=[*many, {"LAchildID": "x", "Sex": "U"}])
    assert la_level(
        "2886Q", ChildIdentifiers=[*many, *({"LAchildID": f"u{i}", "Sex": "U"} for i in range(2))]
    )
    # unborn children do not count
    unborn = [
        {"LAchildID": f"u{i}", "Sex": "U", "ExpectedPersonBirthDate": "2025-06-01"}
        for i in range(5)
    ]
    assert not la_level("2886Q", ChildIdentifiers=[*many, *unborn])


def test_2886q_gender_before_2025():
    many = [{"LAchildID": f"c{i}", "GenderCurrent": "1"} for i in range(10)]
    assert la_level(
        "2886Q", year=2024, ChildIdentifiers=[*many, {"LAchildID": "x", "GenderCurrent": "0"}]
    )


def test_4180_sex_codes():
    found = rows(
        "4180",
        "ChildIdentifiers",
        ChildIdentifiers=ids({"Sex": "M"}, {"Sex": "F"}, {"Sex": "U"}, {"Sex": "1"}, {"Sex": None}),
    )
    assert found == [4, 5]
    assert rows(
        "4180",
        "ChildIdentifiers",
        year=2024,
        ChildIdentifiers=ids({"GenderCurrent": "1"}, {"GenderCurrent": "M"}),
    ) == [2]


def test_8500_8510_ids():
    records = [{"LAchildID": "a"}, {"LAchildID": "a"}, {"LAchildID": None}, {"LAchildID": "b"}]
    assert rows("8500", "ChildIdentifiers", ChildIdentifiers=records) == [3]
    assert rows("8510", "ChildIdentifiers", ChildIdentifiers=records) == [1, 2]


def test_8520_birth_after_census():
    found = rows(
        "8520",
        "ChildIdentifiers",
        ChildIdentifiers=ids({"PersonBirthDate": "2025-03-31"}, {"PersonBirthDate": "2025-04-01"}),
    )
    assert found == [2]


def test_8525q_birth_or_expected():
    found = rows(
        "8525Q",
        "ChildIdentifiers",
        ChildIdentifiers=ids(
            {"PersonBirthDate": "2020-01-01"},
            {"ExpectedPersonBirthDate": "2025-06-01"},
            {},
            {"PersonBirthDate": "2020-01-01", "ExpectedPersonBirthDate": "2020-01-01"},
        ),
    )
    assert found == [3, 4]


def test_8530q_expected_birth_range():
    found = rows(
        "8530Q",
        "ChildIdentifiers",
        ChildIdentifiers=ids(
            {"ExpectedPersonBirthDate": "2025-03-02"},
            {"ExpectedPersonBirthDate": "2025-12-30"},
            {"ExpectedPersonBirthDate": "2025-03-01"},  # reference date minus 30 days: outside
            {"ExpectedPersonBirthDate": "2025-12-31"},  # plus 9 months: outside
        ),
    )
    assert found == [3, 4]


def test_8535q_8545q_death():
    records = ids(
        {"PersonBirthDate": "2020-01-01", "PersonDeathDate": "2024-06-01"},
        {"PersonBirthDate": "2020-01-01", "PersonDeathDate": "2019-06-01"},
    )
    assert rows("8535Q", "ChildIdentifiers", ChildIdentifiers=records) == [2]
    assert rows("8545Q", "ChildIdentifiers", ChildIdentifiers=records) == [2]


def test_4008_4009q_cin_plan_and_death():
    child = [{"LAchildID": "a", "PersonDeathDate": "2024-10-01"}]
    plans = [
        {"LAchildID": "a", "CINPlanStartDate": "2024-09-01", "CINPlanEndDate": "2024-10-01"},
        {"LAchildID": "a", "CINPlanStartDate": "2024-10-02", "CINPlanEndDate": "2024-10-05"},
    ]
    assert flagged("4008", ChildIdentifiers=child, CINplanDates=plans) == {
        ("ChildIdentifiers", 1),
        ("CINplanDates", 2),
    }
    plans[0]["CINPlanEndDate"] = "2024-10-03"
    assert rows("4009Q", "CINplanDates", ChildIdentifiers=child, CINplanDates=plans) == [1, 2]


def test_8590_child_without_episode():
    found = rows(
        "8590", "ChildIdentifiers", ChildIdentifiers=ids({}, {}), CINdetails=[{"LAchildID": "c1"}]
    )
    assert found == [2]


def test_8750_unborn_sex():
    records = ids(
        {"ExpectedPersonBirthDate": "2025-06-01", "Sex": "U"},
        {"ExpectedPersonBirthDate": "2025-06-01", "Sex": "M"},
        {"PersonBirthDate": "2020-01-01", "Sex": "M"},
    )
    assert rows("8750", "ChildIdentifiers", ChildIdentifiers=records) == [2]
    old = ids(
        {"ExpectedPersonBirthDate": "2024-06-01", "GenderCurrent": "0"},
        {"ExpectedPersonBirthDate": "2024-06-01", "GenderCurrent": "1"},
    )
    assert rows("8750", "ChildIdentifiers", year=2024, ChildIdentifiers=old) == [2]


def test_8770q_upn_for_school_age():
    records = ids(
        {"PersonBirthDate": "2021-08-31"},  # school age, no UPN, no reason -> flagged
        {"PersonBirthDate": "2021-09-01"},  # not yet school age
        {"PersonBirthDate": "2015-01-01", "UPNunknown": "UN2"},
        {"PersonBirthDate": "2015-01-01", "UPNunknown": "UN1"},  # UN1 does not do
        {"PersonBirthDate": "2015-01-01", "UPN": GOOD_UPN},
        {"PersonBirthDate": "2015-01-01"},  # only an NFA referral
    )
    cin = [{"LAchildID": f"c{i}", "ReferralNFA": "0"} for i in range(1, 6)] + [
        {"LAchildID": "c6", "ReferralNFA": "1"}
    ]
    assert rows("8770Q", "ChildIdentifiers", ChildIdentifiers=records, CINdetails=cin) == [1, 4]


def test_8770q_before_2025_is_more_than_5_years_old():
    records = ids({"PersonBirthDate": "2018-03-31"}, {"PersonBirthDate": "2018-04-01"})
    cin = [{"LAchildID": "c1", "ReferralNFA": "0"}, {"LAchildID": "c2", "ReferralNFA": "0"}]
    assert rows(
        "8770Q", "ChildIdentifiers", year=2024, ChildIdentifiers=records, CINdetails=cin
    ) == [1]


def test_8772_un7_with_further_action():
    records = ids({"UPNunknown": "UN7"}, {"UPNunknown": "UN7"}, {"UPNunknown": "UN2"})
    cin = [
        {"LAchildID": "c1", "ReferralNFA": "true"},
        {"LAchildID": "c2", "ReferralNFA": "1"},
        {"LAchildID": "c2", "CINdetailsID": 2, "ReferralNFA": "false"},
        {"LAchildID": "c3", "ReferralNFA": "0"},
    ]
    assert flagged("8772", ChildIdentifiers=records, CINdetails=cin) == {
        ("ChildIdentifiers", 2),
        ("CINdetails", 3),
    }


def test_8775q_over_25():
    records = ids(
        {"PersonBirthDate": "1999-01-01"},
        {"PersonBirthDate": "1999-01-01"},
        {"PersonBirthDate": "2001-01-01"},
    )
    cin = [
        {"LAchildID": "c1", "CINclosureDate": None},
        {"LAchildID": "c2", "CINclosureDate": "2023-12-31"},
        {"LAchildID": "c3"},
    ]
    assert flagged("8775Q", ChildIdentifiers=records, CINdetails=cin) == {
        ("ChildIdentifiers", 1),
        ("CINdetails", 1),
    }
