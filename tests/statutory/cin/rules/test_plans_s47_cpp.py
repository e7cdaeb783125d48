"""CINplanDates, Section47, ChildProtectionPlans and Reviews rules."""

from __future__ import annotations

from cin_builders import flagged, la_level, rows


def r(**values: object) -> dict[str, object]:
    return {"LAchildID": "a", "CINdetailsID": 1, **values}


# -- CIN plans -------------------------------------------------------------------------------
def test_4000_plan_on_nfa():
    episodes = [r(ReferralNFA="1"), r(CINdetailsID=2, ReferralNFA="0")]
    plans = [r(CINPlanStartDate="2024-05-01"), r(CINdetailsID=2, CINPlanStartDate="2024-05-01")]
    assert flagged("4000", CINdetails=episodes, CINplanDates=plans) == {
        ("CINplanDates", 1),
        ("CINdetails", 1),
    }


def test_4001_open_plan_and_open_cpp():
    plans = [r(), r(CINdetailsID=2, CINPlanEndDate="2024-06-01")]
    cpp = [r(), r(CINdetailsID=2)]
    assert flagged("4001", CINplanDates=plans, ChildProtectionPlans=cpp) == {
        ("CINplanDates", 1),
        ("ChildProtectionPlans", 1),
    }


def test_4003_review_during_open_plan():
    plans = [
        r(CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-07-01"),
        r(CINdetailsID=2, CINPlanStartDate="2024-05-01"),
    ]
    cpp = [r(CPPendDate="2024-06-15"), r(CINdetailsID=2)]
    reviews = [
        r(CPPreviewDate="2024-06-01"),  # inside the plan
        r(CPPreviewDate="2024-07-01"),  # the plan's end day
        r(CPPreviewDate="2024-06-15"),  # the protection plan's end day
        r(CINdetailsID=2, CPPreviewDate="2024-08-01"),  # inside an open plan
        {
            "LAchildID": "a",
            "CINdetailsID": 3,
            "CPPID": 1,
            "CPPreviewDate": "2024-06-01",
        },  # no plan in that episode
    ]
    assert rows(
        "4003", "Reviews", CINplanDates=plans, ChildProtectionPlans=cpp, Reviews=reviews
    ) == [1, 4]


def test_4004_several_open_in_an_episode():
    plans = [r(), r(), r(CINdetailsID=2), {"LAchildID": "b"}]
    assert rows("4004", "CINplanDates", CINplanDates=plans) == [1, 2]


def test_4010_to_4013_dates():
    plans = [
        r(CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-05-01"),
        r(CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-04-30"),
        r(CINPlanStartDate="2025-04-01"),
        r(CINPlanStartDate="2023-05-01", CINPlanEndDate="2024-03-31"),
        r(),
    ]
    assert rows("4010", "CINplanDates", CINplanDates=plans) == [3, 5]
    assert rows("4011", "CINplanDates", CINplanDates=plans) == [2]
    assert rows("4012Q", "CINplanDates", CINplanDates=plans) == [1]
    assert rows("4013", "CINplanDates", CINplanDates=plans) == [4]


def test_4014_overlap():
    plans = [
        r(CINPlanStartDate="2024-05-01", CINPlanEndDate="2024-06-01"),
        r(CINPlanStartDate="2024-06-02"),
    ]
    assert rows("4014", "CINplanDates", CINplanDates=plans) == []
    plans[1]["CINPlanStartDate"] = "2024-06-01"  # the other's end day is within it
    assert rows("4014", "CINplanDates", CINplanDates=plans) == [1, 2]


def test_4015_before_referral():
    episodes = [r(CINreferralDate="2024-05-02")]
    plans = [r(CINPlanStartDate="2024-05-01"), r(CINPlanStartDate="2024-05-02")]
    assert rows("4015", "CINplanDates", CINdetails=episodes, CINplanDates=plans) == [1]


def test_4016_4017_plan_and_cpp_together():
    cpp = [r(CPPstartDate="2024-05-01", CPPendDate="2024-06-01")]
    plans = [
        r(CINPlanStartDate="2024-05-15"),
        r(CINPlanStartDate="2024-06-01", CINPlanEndDate="2024-07-01"),
    ]
    assert flagged("4016", CINplanDates=plans, ChildProtectionPlans=cpp) == {
        ("CINplanDates", 1),
        ("ChildProtectionPlans", 1),
    }
    later = [r(CPPstartDate="2024-06-15")]
    assert flagged("4017", CINplanDates=plans[1:], ChildProtectionPlans=later) == {
        ("ChildProtectionPlans", 1),
        ("CINplanDates", 1),
    }
    assert (
        flagged("4017", CINplanDates=plans[1:], ChildProtectionPlans=[r(CPPstartDate="2024-07-01")])
        == set()
    )


# -- Section 47 ------------------------------------------------------------------------------
def test_1104_2889_before_referral():
    episodes = [r(CINreferralDate="2024-05-10")]
    s47 = [
        r(S47ActualStartDate="2024-05-09", DateOfInitialCPC="2024-05-09"),
        r(S47ActualStartDate="2024-05-10", DateOfInitialCPC="2024-05-20"),
    ]
    assert rows("1104", "Section47", CINdetails=episodes, Section47=s47) == [1]
    assert rows("2889", "Section47", CINdetails=episodes, Section47=s47) == [1]


def test_2884_conference_twice():
    episodes = [r(DateOfInitialCPC="2024-05-20"), r(CINdetailsID=2, DateOfInitialCPC="2024-06-20")]
    s47 = [
        r(DateOfInitialCPC="2024-05-20"),
        r(CINdetailsID=2, DateOfInitialCPC="2024-06-21"),
        r(CINdetailsID=3),
    ]
    assert flagged("2884", CINdetails=episodes, Section47=s47) == {
        ("Section47", 1),
        ("CINdetails", 1),
    }


def test_8615_start():
    s47 = [
        r(S47ActualStartDate="2024-05-01", DateOfInitialCPC="2024-05-01"),
        r(S47ActualStartDate="2024-05-02", DateOfInitialCPC="2024-05-01"),
        r(DateOfInitialCPC="2024-05-01"),
        r(),
    ]
    assert rows("8615", "Section47", Section47=s47) == [2, 3]


def test_8675q_15_working_days():
    # 15 working days before Monday 31 March 2025 is Monday 10 March 2025
    s47 = [
        r(S47ActualStartDate="2025-03-10", ICPCnotRequired="false"),
        r(S47ActualStartDate="2025-03-07", ICPCnotRequired="false"),
        r(S47ActualStartDate="2025-03-07", ICPCnotRequired="true"),
        r(S47ActualStartDate="2025-03-07", DateOfInitialCPC="2025-03-20"),
    ]
    assert rows("8675Q", "Section47", Section47=s47) == [2]


def test_8715_conference_in_year():
    s47 = [r(DateOfInitialCPC="2024-04-01"), r(DateOfInitialCPC="2024-03-29")]
    episodes = [r(DateOfInitialCPC="2025-04-01")]
    assert flagged("8715", Section47=s47, CINdetails=episodes) == {
        ("Section47", 2),
        ("CINdetails", 1),
    }


def test_8740_open_started_in_year():
    s47 = [
        r(S47ActualStartDate="2024-03-31", ICPCnotRequired="false"),
        r(S47ActualStartDate="2024-04-01", ICPCnotRequired="false"),
        r(S47ActualStartDate="2024-03-31", ICPCnotRequired="1"),
        r(S47ActualStartDate="2024-03-31", ICPCnotRequired="0", DateOfInitialCPC="2024-04-10"),
    ]
    assert rows("8740", "Section47", Section47=s47) == [1]


def test_8839_two_open():
    s47 = [r(), r(), r(CINdetailsID=2), r(CINdetailsID=2, DateOfInitialCPC="2024-05-01")]
    assert rows("8839", "Section47", Section47=s47) == [1, 2]


def test_8870q_8875_weekends():
    s47 = [
        r(InitialCPCtarget="2024-05-04", DateOfInitialCPC="2024-05-05"),
        r(InitialCPCtarget="2024-05-06", DateOfInitialCPC="2024-05-06"),
    ]
    assert rows("8870Q", "Section47", Section47=s47) == [1]
    assert rows("8875", "Section47", Section47=s47) == [1]


# -- Child protection plans ------------------------------------------------------------------
def test_1105_before_referral():
    episodes = [r(CINreferralDate="2024-05-10")]
    cpp = [r(CPPstartDate="2024-05-09"), r(CPPID=2, CPPstartDate="2024-05-10")]
    assert rows("1105", "ChildProtectionPlans", CINdetails=episodes, ChildProtectionPlans=cpp) == [
        1
    ]


def test_2883_more_plans_than_conferences():
    cpp = [r(CPPstartDate="2024-05-20"), r(CPPID=2, CPPstartDate="2024-06-20")]
    assert la_level("2883", ChildProtectionPlans=cpp, Section47=[r(DateOfInitialCPC="2024-05-20")])
    assert not la_level(
        "2883",
        ChildProtectionPlans=cpp,
        Section47=[r(DateOfInitialCPC="2024-05-20")],
        CINdetails=[r(DateOfInitialCPC="2024-06-20")],
    )


def test_2885_starts_on_conference():
    s47 = [r(DateOfInitialCPC="2024-05-20")]
    episodes = [r(CINdetailsID=2, DateOfInitialCPC="2024-06-20")]
    cpp = [
        r(CPPstartDate="2024-05-20"),
        r(CINdetailsID=2, CPPstartDate="2024-06-20"),
        r(CPPID=2, CPPstartDate="2024-05-21"),
        r(CPPID=3, CPPstartDate="2023-05-21"),
    ]
    assert rows(
        "2885", "ChildProtectionPlans", Section47=s47, CINdetails=episodes, ChildProtectionPlans=cpp
    ) == [3]


def test_8565_activity_after_closure():
    episodes = [r(CINclosureDate="2024-06-01"), r(CINdetailsID=2, CINclosureDate="2024-06-01")]
    assessments = [
        r(AssessmentActualStartDate="2024-06-02"),
        r(CINdetailsID=2, AssessmentActualStartDate="2024-06-01"),
    ]
    cpp = [r(CINdetailsID=2, CPPendDate="2024-06-02")]
    assert flagged(
        "8565", CINdetails=episodes, Assessments=assessments, ChildProtectionPlans=cpp
    ) == {
        ("CINdetails", 1),
        ("CINdetails", 2),
        ("Assessments", 1),
        ("ChildProtectionPlans", 1),
    }


def test_8720_8730_start_and_previous():
    cpp = [
        r(CPPstartDate="2025-03-31", NumberOfPreviousCPP="0"),
        r(CPPstartDate="2025-04-01", NumberOfPreviousCPP="1"),
        r(),
        r(CPPstartDate="2025-03-31", NumberOfPreviousCPP="-1"),
    ]
    assert rows("8720", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [2, 3]
    assert rows("8730", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [3, 4]


def test_8832_cpp_on_nfa():
    episodes = [r(ReferralNFA="true")]
    assert rows(
        "8832", "ChildProtectionPlans", CINdetails=episodes, ChildProtectionPlans=[r()]
    ) == [1]
    assert (
        rows(
            "8832",
            "ChildProtectionPlans",
            CINdetails=[r(ReferralNFA="0")],
            ChildProtectionPlans=[r()],
        )
        == []
    )


def test_8840_8925_8930_dates():
    cpp = [
        r(CPPstartDate="2024-05-01", CPPendDate="2024-05-01"),
        r(CPPstartDate="2024-05-01", CPPendDate="2024-04-30"),
        r(CPPstartDate="2023-05-01", CPPendDate="2024-03-31"),
    ]
    assert rows("8840", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [1]
    assert rows("8925", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [2]
    assert rows("8930", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [3]


def test_8841_review_not_after_start():
    cpp = [r(CPPstartDate="2024-05-01")]
    reviews = [r(CPPreviewDate="2024-05-01"), r(CPPreviewDate="2024-05-02")]
    assert flagged("8841", ChildProtectionPlans=cpp, Reviews=reviews) == {
        ("ChildProtectionPlans", 1),
        ("Reviews", 1),
    }


def test_8842q_review_missing_date():
    assert rows("8842Q", "Reviews", Reviews=[r(), r(CPPreviewDate="2024-05-01")]) == [1]


def test_8905_8910_categories():
    cpp = [
        r(InitialCategoryOfAbuse="NEG", LatestCategoryOfAbuse="XXX"),
        r(LatestCategoryOfAbuse="EMO"),
    ]
    assert rows("8905", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [2]
    assert rows("8910", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [1]


def test_8915_8920_death():
    ids = [{"LAchildID": "a", "PersonDeathDate": "2024-06-01"}]
    cpp = [
        r(CPPstartDate="2024-06-02"),
        r(CPPstartDate="2024-05-01", CPPendDate="2024-06-02"),
        r(CPPstartDate="2024-05-01", CPPendDate="2024-06-01"),
    ]
    assert rows("8915", "ChildProtectionPlans", ChildIdentifiers=ids, ChildProtectionPlans=cpp) == [
        1
    ]
    assert rows("8920", "ChildProtectionPlans", ChildIdentifiers=ids, ChildProtectionPlans=cpp) == [
        2
    ]


def test_8935_8940_open_and_overlap():
    cpp = [
        r(CPPstartDate="2024-05-01", CPPendDate="2024-06-01"),
        r(CPPID=2, CPPstartDate="2024-06-02"),
        {"LAchildID": "b", "CPPstartDate": "2024-05-01"},
    ]
    assert rows("8935", "ChildProtectionPlans", ChildProtectionPlans=cpp) == []
    assert rows("8940", "ChildProtectionPlans", ChildProtectionPlans=cpp) == []
    cpp.append(r(CPPID=3, CPPstartDate="2024-07-01"))
    assert rows("8935", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [2, 4]
    assert rows("8940", "ChildProtectionPlans", ChildProtectionPlans=cpp) == [2, 4]
