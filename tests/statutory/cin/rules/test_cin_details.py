"""CINdetails rules."""

from __future__ import annotations

from cin_builders import flagged, rows


def cin(*records: dict[str, object]) -> list[dict[str, object]]:
    return [{"LAchildID": "a", "CINdetailsID": i, **r} for i, r in enumerate(records, start=1)]


def test_2990_activity_after_rc8():
    episodes = cin(
        {"ReasonForClosure": "RC8"},
        {"ReasonForClosure": "RC1"},
        {"ReasonForClosure": "RC9", "DateOfInitialCPC": "2024-06-03"},
    )
    plans = [
        {"LAchildID": "a", "CINdetailsID": 1, "CINPlanStartDate": "2024-06-01"},
        {"LAchildID": "a", "CINdetailsID": 2, "CINPlanStartDate": "2024-06-01"},
    ]
    assert flagged("2990", CINdetails=episodes, CINplanDates=plans) == {
        ("CINdetails", 1),
        ("CINdetails", 3),
        ("CINplanDates", 1),
    }


def test_2991q_s47_without_assessment():
    episodes = cin({}, {})
    s47 = [{"LAchildID": "a", "CINdetailsID": 1}, {"LAchildID": "a", "CINdetailsID": 2}]
    assessments = [{"LAchildID": "a", "CINdetailsID": 1}]
    assert flagged("2991Q", CINdetails=episodes, Section47=s47, Assessments=assessments) == {
        ("CINdetails", 2),
        ("Section47", 2),
    }


def test_8555q_referral_after_death():
    ids = [{"LAchildID": "a", "PersonDeathDate": "2024-06-01"}]
    episodes = cin({"CINreferralDate": "2024-06-01"}, {"CINreferralDate": "2024-06-02"})
    assert rows("8555Q", "CINdetails", ChildIdentifiers=ids, CINdetails=episodes) == [2]


def test_8568_nfa_flag():
    episodes = cin({"ReferralNFA": "0"}, {"ReferralNFA": "true"}, {"ReferralNFA": "yes"}, {})
    assert rows("8568", "CINdetails", CINdetails=episodes) == [3, 4]


def test_8569q_old_referral_must_be_false():
    # the working day before 1 April 2024 (Easter Monday) is Thursday 28 March 2024
    episodes = cin(
        {"ReferralNFA": "1", "CINreferralDate": "2024-03-28"},
        {"ReferralNFA": "1", "CINreferralDate": "2024-03-27"},
        {"ReferralNFA": "0", "CINreferralDate": "2023-03-27"},
        {"CINreferralDate": "2023-03-27"},
    )
    assert rows("8569Q", "CINdetails", year=2025, CINdetails=episodes) == [2, 4]


def test_8585q_died_without_death_date():
    ids = [
        {"LAchildID": "a"},
        {"LAchildID": "b", "PersonDeathDate": "2024-05-01"},
        {"LAchildID": "c", "PersonDeathDate": "soon"},
    ]
    episodes = [{"LAchildID": x, "ReasonForClosure": "RC2"} for x in "abc"]
    assert flagged("8585Q", ChildIdentifiers=ids, CINdetails=episodes) == {
        ("CINdetails", 1),
        ("CINdetails", 3),
        ("ChildIdentifiers", 1),
        ("ChildIdentifiers", 3),
    }


def test_8600_referral_date():
    episodes = cin({"CINreferralDate": "2025-03-31"}, {"CINreferralDate": "2025-04-01"}, {})
    assert rows("8600", "CINdetails", CINdetails=episodes) == [2, 3]


def test_8606_referral_long_before_birth():
    ids = [
        {"LAchildID": "a", "PersonBirthDate": "2024-12-31"},
        {"LAchildID": "b", "ExpectedPersonBirthDate": "2024-12-31"},
    ]
    episodes = [
        *cin({"CINreferralDate": "2024-03-26"}, {"CINreferralDate": "2024-03-25"}),
        {"LAchildID": "b", "CINreferralDate": "2024-03-25"},
    ]
    assert flagged("8606", ChildIdentifiers=ids, CINdetails=episodes) == {
        ("CINdetails", 2),
        ("CINdetails", 3),
        ("ChildIdentifiers", 1),
        ("ChildIdentifiers", 2),
    }


def test_8610_primary_need_missing():
    episodes = cin(
        {"ReferralNFA": "0"}, {"ReferralNFA": "0", "PrimaryNeedCode": "N1"}, {"ReferralNFA": "1"}
    )
    assert rows("8610", "CINdetails", CINdetails=episodes) == [1]


def test_8620_8630_closure_dates():
    episodes = cin(
        {"CINreferralDate": "2024-05-01", "CINclosureDate": "2024-05-01"},
        {"CINreferralDate": "2024-05-01", "CINclosureDate": "2024-04-30"},
        {"CINreferralDate": "2023-05-01", "CINclosureDate": "2024-03-31"},
    )
    assert rows("8620", "CINdetails", CINdetails=episodes) == [3]
    assert rows("8630", "CINdetails", CINdetails=episodes) == [2]


def test_8640_8650_codes():
    episodes = cin(
        {"ReasonForClosure": "RC9", "PrimaryNeedCode": "N9"},
        {"ReasonForClosure": "RC10", "PrimaryNeedCode": "N10"},
    )
    assert rows("8640", "CINdetails", CINdetails=episodes) == [2]
    assert rows("8650", "CINdetails", CINdetails=episodes) == [2]


def test_8805_8810_closure_and_reason():
    episodes = cin(
        {"CINclosureDate": "2024-05-01"},
        {"ReasonForClosure": "RC1"},
        {"CINclosureDate": "2024-05-01", "ReasonForClosure": "RC1"},
    )
    assert rows("8805", "CINdetails", CINdetails=episodes) == [1]
    assert rows("8810", "CINdetails", CINdetails=episodes) == [2]


def test_8815_several_open():
    episodes = cin(
        {"ReferralNFA": "0"},
        {"ReferralNFA": "0"},
        {"ReferralNFA": "1"},
        {"ReferralNFA": "0", "CINclosureDate": "2024-05-01"},
    )
    assert rows("8815", "CINdetails", CINdetails=episodes) == [1, 2]
    assert rows("8815", "CINdetails", CINdetails=episodes[1:]) == []


def test_8816_open_not_latest():
    episodes = cin(
        {"ReferralNFA": "0", "CINreferralDate": "2024-05-01"},
        {"ReferralNFA": "0", "CINreferralDate": "2024-06-01", "CINclosureDate": "2024-07-01"},
    )
    assert rows("8816", "CINdetails", CINdetails=episodes) == [1, 2]
    episodes[0]["CINreferralDate"] = "2024-08-01"
    assert rows("8816", "CINdetails", CINdetails=episodes) == []


def test_8820_overlap():
    episodes = cin(
        {"CINreferralDate": "2024-05-01", "CINclosureDate": "2024-06-01", "ReferralNFA": "0"},
        {"CINreferralDate": "2024-05-15", "CINclosureDate": "2024-07-01", "ReferralNFA": "0"},
    )
    assert rows("8820", "CINdetails", CINdetails=episodes) == [1, 2]
    # a referral on the day the previous closed is allowed (DfE note)
    episodes[1]["CINreferralDate"] = "2024-06-01"
    assert rows("8820", "CINdetails", CINdetails=episodes) == []
    # an open earlier episode going on to further action overlaps a later one
    episodes[0]["CINclosureDate"] = None
    assert rows("8820", "CINdetails", CINdetails=episodes) == [1, 2]


def test_8825q_rc8_without_assessment():
    episodes = cin({"ReasonForClosure": "RC8"}, {"ReasonForClosure": "RC9"})
    assert rows(
        "8825Q",
        "CINdetails",
        CINdetails=episodes,
        Assessments=[{"LAchildID": "a", "CINdetailsID": 1}],
    ) == [2]


def test_8831_activity_on_nfa():
    episodes = cin(
        {"ReferralNFA": "1"},
        {"ReferralNFA": "0"},
        {"ReferralNFA": "1", "DateOfInitialCPC": "2024-05-01"},
    )
    assessments = [
        {"LAchildID": "a", "CINdetailsID": 1, "AssessmentActualStartDate": "2024-05-01"},
        {"LAchildID": "a", "CINdetailsID": 2, "AssessmentActualStartDate": "2024-05-01"},
    ]
    assert flagged("8831", CINdetails=episodes, Assessments=assessments) == {
        ("CINdetails", 1),
        ("CINdetails", 3),
        ("Assessments", 1),
    }


def test_8866_referral_source():
    episodes = cin(
        {"CINreferralDate": "2024-05-01", "ReferralSource": "1A"},
        {"CINreferralDate": "2024-05-01"},
        {"CINreferralDate": "2013-04-01"},
        {"CINreferralDate": "2023-05-01", "ReferralSource": "ZZ"},
        {"CINreferralDate": "2013-03-31"},
    )
    assert rows("8866", "CINdetails", CINdetails=episodes) == [2, 3, 4]


def test_8867_closed_with_open_assessment():
    episodes = cin({"CINclosureDate": "2024-06-01"}, {})
    assessments = [{"LAchildID": "a", "CINdetailsID": 1}, {"LAchildID": "a", "CINdetailsID": 2}]
    assert flagged("8867", CINdetails=episodes, Assessments=assessments) == {
        ("CINdetails", 1),
        ("Assessments", 1),
    }


def test_8868_closed_with_open_s47():
    episodes = cin(
        {"CINclosureDate": "2024-06-01"},
        {"CINclosureDate": "2024-06-01"},
        {"CINclosureDate": "2024-06-01"},
        {"CINclosureDate": "2024-06-01"},
    )
    s47 = [
        {"LAchildID": "a", "CINdetailsID": 1, "ICPCnotRequired": "false"},
        {"LAchildID": "a", "CINdetailsID": 2, "ICPCnotRequired": "true"},
        {
            "LAchildID": "a",
            "CINdetailsID": 3,
            "ICPCnotRequired": "1",
            "DateOfInitialCPC": "2024-05-01",
        },
    ]
    # episode 4 has no section 47 at all: not flagged
    assert flagged("8868", CINdetails=episodes, Section47=s47) == {
        ("CINdetails", 1),
        ("Section47", 1),
        ("CINdetails", 3),
        ("Section47", 3),
    }


def test_8890_s47_overlap_within_an_episode():
    s47: list[dict[str, object]] = [
        {"LAchildID": "a", "S47ActualStartDate": "2024-05-01", "DateOfInitialCPC": "2024-05-20"},
        {"LAchildID": "a", "S47ActualStartDate": "2024-05-10", "DateOfInitialCPC": "2024-05-24"},
        {"LAchildID": "a", "S47ActualStartDate": "2024-05-25", "ICPCnotRequired": "true"},
        {"LAchildID": "a", "CINdetailsID": 2, "S47ActualStartDate": "2024-05-12"},
    ]
    assert rows("8890", "Section47", Section47=s47) == [1, 2]
    # starting on the other's conference day counts ("on or between")
    s47[2]["S47ActualStartDate"] = "2024-05-24"
    assert rows("8890", "Section47", Section47=s47) == [1, 2, 3]
