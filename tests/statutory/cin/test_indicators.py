"""CIN indicators at their edges."""

from __future__ import annotations

import polars as pl
from cin_builders import make_return

from statutory.cin.indicators import compute


def value(frame: pl.DataFrame, name: str) -> object:
    row = frame.filter(frame["indicator"] == name)
    assert row.height == 1, name
    return row["value"][0]


def test_referrals_and_re_referrals():
    r = make_return(
        Header=[{"ReferenceDate": "2025-03-31", "LEA": "202"}],
        CINdetails=[
            {"LAchildID": "a", "CINreferralDate": "2024-04-01"},  # first day of the year
            {"LAchildID": "a", "CINdetailsID": 2, "CINreferralDate": "2025-04-01"},  # after it
            {"LAchildID": "b", "CINreferralDate": "2023-06-01"},
            {
                "LAchildID": "b",
                "CINdetailsID": 2,
                "CINreferralDate": "2024-06-01",
            },  # exactly 12 months on
            {"LAchildID": "c", "CINreferralDate": "2023-06-01"},
            {
                "LAchildID": "c",
                "CINdetailsID": 2,
                "CINreferralDate": "2024-06-02",
            },  # 12 months and a day
        ],
    )
    out = compute(r)
    assert value(out, "Referrals in the year") == 3
    assert value(out, "Re-referrals within 12 months (% of referrals)") == 33.3
    # Camden (202): rate uses the ONS 0-17 population for mid-2024
    assert value(out, "Referrals per 10,000 children") is not None


def test_assessments_within_45_working_days():
    # 45 working days after Monday 6 January 2025 is Monday 10 March 2025
    r = make_return(
        Assessments=[
            {
                "LAchildID": "a",
                "AssessmentActualStartDate": "2025-01-06",
                "AssessmentAuthorisationDate": "2025-03-10",
                "AssessmentFactors": "1A",
            },
            {
                "LAchildID": "a",
                "AssessmentActualStartDate": "2025-01-06",
                "AssessmentAuthorisationDate": "2025-03-10",
                "AssessmentFactors": "2A",
            },
            {
                "LAchildID": "b",
                "AssessmentActualStartDate": "2025-01-06",
                "AssessmentAuthorisationDate": "2025-03-11",
            },
            {
                "LAchildID": "c",
                "AssessmentActualStartDate": "2024-01-06",
                "AssessmentAuthorisationDate": "2024-03-11",
            },
        ]
    )
    out = compute(r)
    assert value(out, "Assessments completed in the year") == 2  # factor rows are one assessment
    assert value(out, "Assessments completed within 45 working days (%)") == 50.0
    assert value(out, "Assessment factor 1A") == 1


def test_icpc_within_15_working_days_over_a_bank_holiday():
    # Good Friday 18 and Easter Monday 21 April 2025 are not working days
    r = make_return(
        year=2025,
        Section47=[
            {
                "LAchildID": "a",
                "S47ActualStartDate": "2025-03-10",
                "DateOfInitialCPC": "2025-03-31",
            },
            {
                "LAchildID": "b",
                "S47ActualStartDate": "2025-03-10",
                "DateOfInitialCPC": "2025-04-01",
            },
        ],
    )
    out = compute(r)
    assert value(out, "ICPCs within 15 working days of the section 47 start (%)") == 100.0
    assert value(out, "Section 47 enquiries started in the year") == 2


def test_plans_at_31_march_second_and_long():
    r = make_return(
        ChildProtectionPlans=[
            {"LAchildID": "a", "CPPstartDate": "2024-05-01", "NumberOfPreviousCPP": "1"},
            # the DfE counts a plan as 2 years or more when it lasted more than 729 days,
            # counting the start day and the day it ceased: 730 days here
            {"LAchildID": "b", "CPPstartDate": "2022-05-01", "CPPendDate": "2024-04-29"},
            # 729 days counting both ends: under 2 years
            {"LAchildID": "c", "CPPstartDate": "2022-05-01", "CPPendDate": "2024-04-28"},
            {
                "LAchildID": "d",
                "CPPstartDate": "2024-05-01",
                "CPPendDate": "2025-03-31",
                "NumberOfPreviousCPP": "0",
            },
        ]
    )
    out = compute(r)
    assert (
        value(out, "Children on a child protection plan at 31 March") == 1
    )  # ended on 31 March: off
    assert value(out, "Plans starting in the year that are a second or subsequent plan (%)") == 50.0
    assert value(out, "Plans ending in the year that lasted 2 years or more (%)") == 33.3


def test_children_in_need_at_31_march_by_need():
    r = make_return(
        ChildIdentifiers=[{"LAchildID": x, "PersonBirthDate": "2015-01-01"} for x in "abcd"]
        + [{"LAchildID": "u", "ExpectedPersonBirthDate": "2025-06-01"}],
        CINdetails=[
            {
                "LAchildID": "a",
                "CINreferralDate": "2024-05-01",
                "PrimaryNeedCode": "N1",
                "ReferralNFA": "0",
            },
            {
                "LAchildID": "b",
                "CINreferralDate": "2024-05-01",
                "PrimaryNeedCode": "N4",
                "CINclosureDate": "2025-03-31",
                "ReferralNFA": "0",
            },
            {"LAchildID": "c", "CINreferralDate": "2025-03-31", "ReferralNFA": "1"},
            {
                "LAchildID": "d",
                "CINreferralDate": "2023-05-01",
                "PrimaryNeedCode": "N4",
                "ReferralNFA": "0",
            },
            {
                "LAchildID": "u",
                "CINreferralDate": "2025-01-01",
                "PrimaryNeedCode": "N1",
                "ReferralNFA": "0",
            },
        ],
    )
    out = compute(r)
    # a (open), d (open since before the year) and the unborn child u, whom the DfE counts
    assert value(out, "Children in need at 31 March") == 3
    assert value(out, "Children in need at 31 March: N1 Abuse or neglect") == 2
    assert value(out, "Children in need at 31 March: N4 Family in acute stress") == 1


def test_empty_return_has_no_division_by_zero():
    out = compute(make_return())
    assert value(out, "Re-referrals within 12 months (% of referrals)") is None
    assert value(out, "Referrals per 10,000 children") is None
