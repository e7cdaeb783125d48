"""Assessments rules."""

from __future__ import annotations

from cin_builders import flagged, rows


def a(**values: object) -> dict[str, object]:
    return {"LAchildID": "a", "CINdetailsID": 1, **values}


def test_1103_before_referral():
    episodes = [{"LAchildID": "a", "CINdetailsID": 1, "CINreferralDate": "2024-05-02"}]
    assessments = [
        a(AssessmentActualStartDate="2024-05-01"),
        a(AssessmentID=2, AssessmentActualStartDate="2024-05-02"),
    ]
    assert flagged("1103", CINdetails=episodes, Assessments=assessments) == {
        ("Assessments", 1),
        ("CINdetails", 1),
    }


def test_8608_start_after_end():
    assessments = [
        a(AssessmentActualStartDate="2024-05-02", AssessmentAuthorisationDate="2024-05-01"),
        a(
            AssessmentID=2,
            AssessmentActualStartDate="2024-05-02",
            AssessmentAuthorisationDate="2024-05-02",
        ),
    ]
    assert rows("8608", "Assessments", Assessments=assessments) == [1]


def test_8614_factors_on_incomplete():
    assessments = [
        a(AssessmentFactors="1A"),
        a(AssessmentID=2, AssessmentAuthorisationDate="2024-05-01", AssessmentFactors="1A"),
        a(AssessmentID=3),
    ]
    assert rows("8614", "Assessments", Assessments=assessments) == [1]


def test_8670q_45_working_days():
    # 45 working days before Monday 31 March 2025 is Monday 27 January 2025
    assessments = [
        a(AssessmentActualStartDate="2025-01-27"),
        a(AssessmentID=2, AssessmentActualStartDate="2025-01-24"),
        a(
            AssessmentID=3,
            AssessmentActualStartDate="2025-01-01",
            AssessmentAuthorisationDate="2025-02-01",
        ),
    ]
    assert rows("8670Q", "Assessments", Assessments=assessments) == [2]


def test_8696_8736_in_year():
    assessments = [
        a(AssessmentActualStartDate="2024-03-01", AssessmentAuthorisationDate="2024-03-31"),
        a(
            AssessmentID=2,
            AssessmentActualStartDate="2024-03-01",
            AssessmentAuthorisationDate="2024-04-01",
        ),
        a(AssessmentID=3, AssessmentActualStartDate="2024-03-31"),
        a(AssessmentID=4, AssessmentActualStartDate="2024-04-01"),
    ]
    assert rows("8696", "Assessments", Assessments=assessments) == [1]
    assert rows("8736", "Assessments", Assessments=assessments) == [3]


def test_8863q_overlap_within_an_episode():
    assessments = [
        a(
            AssessmentActualStartDate="2024-05-01",
            AssessmentAuthorisationDate="2024-06-01",
            AssessmentFactors="1A",
        ),
        a(
            AssessmentActualStartDate="2024-05-01",
            AssessmentAuthorisationDate="2024-06-01",
            AssessmentFactors="2A",
        ),
        a(AssessmentID=2, AssessmentActualStartDate="2024-06-01"),  # on the other's last day
        a(AssessmentID=3, CINdetailsID=2, AssessmentActualStartDate="2024-05-15"),  # other episode
    ]
    # 2 starts on the day 1 was authorised ("on or between"); all rows of both are flagged
    assert rows("8863Q", "Assessments", Assessments=assessments) == [1, 2, 3]
    assert rows("8863Q", "Assessments", Assessments=assessments[:2]) == []
    later = [*assessments[:2], a(AssessmentID=2, AssessmentActualStartDate="2024-06-02")]
    assert rows("8863Q", "Assessments", Assessments=later) == []


def test_8869_factor_21_with_others():
    assessments = [
        a(AssessmentFactors="21"),
        a(AssessmentFactors="1A"),
        a(AssessmentID=2, AssessmentFactors="21"),
    ]
    assert rows("8869", "Assessments", Assessments=assessments) == [2]


def test_8873q_factor_21_reason():
    episodes = [
        {
            "LAchildID": "a",
            "CINdetailsID": 1,
            "CINclosureDate": "2024-06-01",
            "ReasonForClosure": "RC7",
        },
        {
            "LAchildID": "a",
            "CINdetailsID": 2,
            "CINclosureDate": "2024-06-01",
            "ReasonForClosure": "RC8",
        },
    ]
    assessments = [
        a(AssessmentAuthorisationDate="2024-05-01", AssessmentFactors="21"),
        a(CINdetailsID=2, AssessmentAuthorisationDate="2024-05-01", AssessmentFactors="21"),
    ]
    assert flagged("8873Q", CINdetails=episodes, Assessments=assessments) == {
        ("Assessments", 1),
        ("CINdetails", 1),
    }


def test_8896_two_open():
    assessments = [
        a(),
        a(AssessmentID=2),
        a(CINdetailsID=2),
        a(CINdetailsID=2, AssessmentID=2, AssessmentAuthorisationDate="2024-05-01"),
    ]
    assert rows("8896", "Assessments", Assessments=assessments) == [1, 2]


def test_8897q_completed_without_factors():
    assessments = [
        a(AssessmentAuthorisationDate="2024-05-01"),
        a(AssessmentID=2, AssessmentAuthorisationDate="2024-05-01", AssessmentFactors="1A"),
        a(AssessmentID=3, AssessmentAuthorisationDate="2024-05-01", AssessmentFactors="99"),
        a(AssessmentID=4, AssessmentAuthorisationDate="2024-03-31"),  # before the year
    ]
    assert rows("8897Q", "Assessments", Assessments=assessments) == [1, 3]


def test_8898_repeated_factor():
    assessments = [
        a(AssessmentFactors="1A"),
        a(AssessmentFactors="1A"),
        a(AssessmentID=2, AssessmentFactors="1A"),
    ]
    assert rows("8898", "Assessments", Assessments=assessments) == [1, 2]


def test_8945q_8950q():
    assessments = [
        a(AssessmentFactors="18A"),
        a(AssessmentFactors="19A"),
        a(AssessmentFactors="18B"),
    ]
    assert rows("8945Q", "Assessments", Assessments=assessments) == [1]
    assert rows("8950Q", "Assessments", Assessments=assessments) == [2]
