"""CIN indicators at the edges where the DfE's published definitions decide the answer
(docs/statutory/cin-indicators.md says which table of "Characteristics of children in need"
each follows)."""

from __future__ import annotations

from typing import Any

import polars as pl
from cin_builders import make_return

from statutory.cin.indicators import compute


def row(frame: pl.DataFrame, name: str) -> dict[str, Any]:
    rows = frame.filter(frame["indicator"] == name)
    assert rows.height == 1, name
    return rows.row(0, named=True)


def test_a_plan_after_one_that_ended_the_day_before_is_a_second_plan() -> None:
    r = make_return(
        ChildProtectionPlans=[
            # a's first plan ended on 31 July, the next began on 1 August; the council left
            # the number of previous plans at 0
            {
                "LAchildID": "a",
                "CPPID": 1,
                "CPPstartDate": "2024-04-10",
                "CPPendDate": "2024-07-31",
            },
            {
                "LAchildID": "a",
                "CPPID": 2,
                "CPPstartDate": "2024-08-01",
                "NumberOfPreviousCPP": "0",
            },
            # b had a plan years ago, before this census: only the number tells us
            {"LAchildID": "b", "CPPstartDate": "2024-06-01", "NumberOfPreviousCPP": "2"},
            {"LAchildID": "c", "CPPstartDate": "2024-06-01"},
        ]
    )
    result = row(compute(r), "Plans starting in the year that are a second or subsequent plan (%)")
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 4, 50.0)


def test_re_referrals_count_referrals_and_children() -> None:
    r = make_return(
        CINdetails=[
            {"LAchildID": "a", "CINdetailsID": 1, "CINreferralDate": "2024-05-01"},
            {"LAchildID": "a", "CINdetailsID": 2, "CINreferralDate": "2024-08-01"},
            {"LAchildID": "a", "CINdetailsID": 3, "CINreferralDate": "2025-01-01"},
            {"LAchildID": "b", "CINdetailsID": 1, "CINreferralDate": "2024-05-01"},
        ]
    )
    out = compute(r)
    referrals = row(out, "Re-referrals within 12 months (% of referrals)")
    assert (referrals["numerator"], referrals["denominator"]) == (2, 4)
    children = row(
        out,
        "Children re-referred within 12 months of a previous referral (% of children referred)",
    )
    assert (children["numerator"], children["denominator"], children["value"]) == (1, 2, 50.0)
    assert row(out, "Children referred in the year")["value"] == 2


def test_assessment_on_the_45th_working_day_across_christmas() -> None:
    # From Monday 2 December 2024, with 25 and 26 December and 1 January off, the 45th
    # working day is Thursday 6 February 2025
    r = make_return(
        Assessments=[
            {
                "LAchildID": "a",
                "AssessmentActualStartDate": "2024-12-02",
                "AssessmentAuthorisationDate": "2025-02-06",
            },
            {
                "LAchildID": "b",
                "AssessmentActualStartDate": "2024-12-02",
                "AssessmentAuthorisationDate": "2025-02-07",
            },
        ]
    )
    result = row(compute(r), "Assessments completed within 45 working days (%)")
    assert (result["numerator"], result["denominator"]) == (1, 2)


def test_children_in_need_and_on_plans_at_31_march_count_each_child_once() -> None:
    r = make_return(
        year=2025,
        # 2024/25 records sex as M, F or U
        ChildIdentifiers=[
            {"LAchildID": "a", "PersonBirthDate": "2015-01-01", "Sex": "F"},
            {"LAchildID": "b", "PersonBirthDate": "2016-01-01", "Sex": "U"},
            {"LAchildID": "u", "ExpectedPersonBirthDate": "2025-05-01", "Sex": "U"},
        ],
        CINdetails=[
            {"LAchildID": "a", "CINreferralDate": "2024-06-01", "PrimaryNeedCode": "N1"},
            # closed on 31 March, its plan ended that day too: in neither count
            {
                "LAchildID": "b",
                "CINreferralDate": "2024-06-01",
                "CINclosureDate": "2025-03-31",
                "PrimaryNeedCode": "N1",
            },
            # an unborn child on a plan counts in both
            {"LAchildID": "u", "CINreferralDate": "2025-01-10", "PrimaryNeedCode": "N1"},
            # a referral with no further action (recorded as 'true') is not a child in need
            {"LAchildID": "n", "CINreferralDate": "2025-03-01", "ReferralNFA": "true"},
        ],
        ChildProtectionPlans=[
            {"LAchildID": "a", "CPPID": 1, "CPPstartDate": "2024-07-01"},
            {"LAchildID": "a", "CPPID": 2, "CPPstartDate": "2024-09-01"},
            {"LAchildID": "b", "CPPstartDate": "2024-07-01", "CPPendDate": "2025-03-31"},
            {"LAchildID": "u", "CPPstartDate": "2025-02-01"},
        ],
    )
    out = compute(r)
    assert row(out, "Children in need at 31 March")["value"] == 2
    assert row(out, "Children in need at 31 March: N1 Abuse or neglect")["value"] == 2
    assert row(out, "Children on a child protection plan at 31 March")["value"] == 2


def test_factors_are_counted_once_per_episode_out_of_episodes_with_factors() -> None:
    def assessment(child: str, aid: int, factor: str) -> dict[str, Any]:
        return {
            "LAchildID": child,
            "AssessmentID": aid,
            "AssessmentActualStartDate": "2024-06-03",
            "AssessmentAuthorisationDate": "2024-07-01",
            "AssessmentFactors": factor,
        }

    r = make_return(
        Assessments=[
            assessment("a", 1, "3A"),
            assessment("a", 2, "3A"),  # a second assessment in the same episode
            assessment("a", 2, "4B"),
            assessment("b", 1, "3A"),
            assessment("c", 1, "21"),  # no factors identified
        ]
    )
    out = compute(r)
    assert row(out, "Episodes with assessment factors recorded in the year")["value"] == 2
    domestic = row(out, "Assessment factor 3A")
    assert (domestic["value"], domestic["denominator"]) == (2, 2)
    assert row(out, "Assessment factor 21")["value"] == 1
    assert row(out, "Assessments completed in the year")["value"] == 4
