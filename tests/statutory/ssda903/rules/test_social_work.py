"""Social worker episode rules SW01-SW17: hand-made cases that pass and fail each check.

Year 2025 (2024/25: 01/04/2024-31/03/2025) unless a test says otherwise.
"""

from __future__ import annotations

from builders import flagged_rows


def swe(child: str, decom: str | None, dec: str | None = None, **extra: str | None) -> dict:
    row = {"CHILD": child, "SW_ID": "SW1", "SW_DECOM": decom, "SW_DEC": dec, "SW_REASON": "MANAGE"}
    row.update(extra)
    return row


def test_sw01_looked_after_without_social_worker():
    eps = [
        {"CHILD": "1", "DECOM": "01/05/2023", "LS": "C2"},
        {"CHILD": "2", "DECOM": "01/05/2023", "LS": "C2"},
        {"CHILD": "3", "DECOM": "01/05/2023", "LS": "V3"},  # respite
        {"CHILD": "4", "DECOM": "01/05/2023", "DEC": "01/06/2024", "LS": "C2"},  # left care
        {"CHILD": "5", "DECOM": "01/05/2023", "LS": "C2"},
    ]
    sw = [swe("1", "01/05/2023"), swe("5", "01/05/2023", SW_ID=None)]
    assert flagged_rows("SW01STG1", Episodes=eps, SWEpisodes=sw) == [2, 5]
    sw_no_reason = [swe("1", "01/05/2023", SW_REASON=None), swe("5", "01/05/2023")]
    assert flagged_rows("SW01STG1", year=2024, Episodes=eps, SWEpisodes=sw_no_reason) == [1, 2]


def test_sw01a_sw01b_completeness_either_side_of_april_2023():
    sw = [
        swe("1", "01/01/2023", SW_ID=None),  # before: needs an id
        swe("2", "01/01/2023", SW_REASON=None),  # before: reason may be blank
        swe("3", "01/01/2024", SW_REASON=None),  # after: needs a reason
        swe("4", None),  # no start date
        swe("5", "01/01/2024"),
    ]
    assert flagged_rows("SW01aSTG1", SWEpisodes=sw) == [1, 4]
    assert flagged_rows("SW01bSTG1", SWEpisodes=sw) == [3, 4]


def test_sw02_id_prefix():
    sw = [
        swe("1", "01/05/2024", SW_ID="SW000"),
        swe("2", "01/05/2024", SW_ID="XX000"),
        swe("3", "01/05/2024", SW_ID="AB000"),
        swe("4", "01/05/2024", SW_ID="SW"),
    ]
    assert flagged_rows("SW02STG1", SWEpisodes=sw) == [3]
    assert flagged_rows("SW02STG1", year=2026, SWEpisodes=sw) == [3, 4]


def test_sw03_sw04_sw05_formats():
    sw = [
        swe("1", "01/05/2024", "02/06/2024"),
        swe("2", None),
        swe("3", "31/02/2024"),  # not a date
        swe("4", "01/05/2024", "not a date"),
        swe("5", "01/05/2024", None, SW_REASON=None),
    ]
    assert flagged_rows("SW03STG1", SWEpisodes=sw) == [2, 5]
    assert flagged_rows("SW04STG1", SWEpisodes=sw) == [2, 3]
    assert flagged_rows("SW05STG1", SWEpisodes=sw) == [4]


def test_sw06_sw07_dates_within_reporting_period():
    sw = [
        swe("1", "01/04/2025"),  # starts after 31 March
        swe("2", "01/01/2023", "31/03/2023"),  # ends before the two-year period
        swe("3", "01/01/2023", "02/04/2023"),
        swe("4", "01/01/2024", "01/04/2025"),  # ends after 31 March
        # A year is 365.2425 days back from 01/04/2024, past 29/02/2024: 01/04/2023 is out.
        swe("5", "01/01/2023", "01/04/2023"),
    ]
    assert flagged_rows("SW06STG2", SWEpisodes=sw) == [1]
    assert flagged_rows("SW07STG2", SWEpisodes=sw) == [2, 4, 5]
    # 2023/24: the period was the collection year alone.
    sw24 = [swe("1", "01/01/2023", "31/03/2023"), swe("2", "01/01/2023", "01/04/2023")]
    assert flagged_rows("SW07STG2", year=2024, SWEpisodes=sw24) == [1]


def test_sw08_sw14_earlier_episode_not_ended():
    sw = [
        swe("1", "01/05/2024", None),  # open, but a later one starts
        swe("1", "07/05/2024", None),
        swe("2", "01/05/2024", "06/05/2024"),
        swe("2", "06/05/2024", None),
    ]
    assert flagged_rows("SW08STG2", SWEpisodes=sw) == [1]
    assert flagged_rows("SW14STG2", SWEpisodes=sw) == [1]


def test_sw09_under_24_hours():
    sw = [
        swe("1", "01/05/2024", "01/05/2024"),
        swe("2", "01/05/2024", "02/05/2024"),
        swe("3", "01/05/2024", "04/05/2024"),
    ]
    assert flagged_rows("SW09STG2", SWEpisodes=sw) == [1]
    assert flagged_rows("SW09STG2", year=2026, SWEpisodes=sw) == [1, 2]


def test_sw10_started_before_previous_ended():
    sw = [
        swe("1", "01/01/2024", "09/01/2024"),
        swe("1", "02/01/2024", "03/01/2024"),  # within 7 days of 09/01
        swe("2", "01/01/2023", "09/01/2024"),
        swe("2", "01/01/2024", "10/01/2024"),  # 8 days before the previous ended
        swe("3", "01/01/2023", "09/01/2024"),
        swe("3", "01/01/2024", "10/01/2024", SW_REASON="FCONTA"),  # exempt from 2024/25
        swe("4", "01/01/2024", None),
        swe("4", "01/02/2024", None),  # previous still open
    ]
    assert flagged_rows("SW10STG2", SWEpisodes=sw) == [4, 8]
    assert flagged_rows("SW10STG2", year=2024, SWEpisodes=sw) == [4, 6, 8]


def test_sw11a_ended_early_next_episode_not_following_on():
    sw = [
        swe("1", "01/01/2025", "10/02/2025"),
        swe("1", "12/02/2025"),  # within 5 days
        swe("2", "01/01/2025", "10/02/2025"),
        swe("2", "20/02/2025"),  # 10 days later
        swe("3", "01/01/2025", "29/03/2025"),  # ended in the last 5 days: SW11b's case
        swe("3", None),
    ]
    assert flagged_rows("SW11aSTG2", SWEpisodes=sw) == [4]


def test_sw11b_ended_in_last_five_days_with_no_next_episode():
    sw = [
        swe("1", "01/01/2025", "28/03/2025"),
        swe("1", None),  # follows, but no start date
        swe("2", "01/01/2025", "29/03/2025"),  # nothing follows
        swe("3", "01/01/2025", "29/03/2025"),
        swe("3", "29/03/2025"),
        swe("4", "01/01/2025", "01/03/2025"),  # ended early: SW11a's case
    ]
    assert flagged_rows("SW11bSTG2", SWEpisodes=sw) == [2, 3]


def test_sw12_care_episodes_need_a_social_worker():
    eps = [
        {"CHILD": "1", "DECOM": "01/01/2024", "RNE": "S", "LS": "C1"},
        {"CHILD": "2", "DECOM": "01/01/2024", "RNE": "S", "LS": "C1"},  # no SW episode
        {"CHILD": "3", "DECOM": "01/01/2024", "RNE": "S", "LS": "V4"},  # respite
        {
            "CHILD": "4",
            "DECOM": "01/01/2024",
            "RNE": "S",
            "LS": "C1",
            "DEC": "10/04/2024",
            "REC": "X1",
        },
        {
            "CHILD": "4",
            "DECOM": "10/04/2024",
            "RNE": "P",
            "LS": "C1",
            "DEC": "01/06/2024",
            "REC": "E4A",
        },
        {
            "CHILD": "5",
            "DECOM": "01/01/2022",
            "RNE": "S",
            "LS": "C1",
            "DEC": "10/03/2023",
            "REC": "E4A",
        },
        {"CHILD": "6", "DECOM": "01/01/2024", "RNE": "P", "LS": "C1"},  # open, not starting care
        {"CHILD": "7", "DECOM": "01/04/2024", "RNE": "S", "LS": "C1"},  # SW episode before care
    ]
    sw = [
        swe("1", "01/01/2024"),
        swe("4", "01/02/2024"),
        swe("6", "01/01/2024"),
        swe("7", "01/02/2024", "01/05/2024"),
        swe("7", "01/05/2024"),
    ]
    assert flagged_rows("SW12STG2", Episodes=eps, SWEpisodes=sw) == [2, 7, 8]


def test_sw13_reason_valid():
    sw = [
        swe("1", "01/03/2024", None, SW_REASON=None),  # open at 1 April: may be blank
        swe("2", "01/05/2024", "01/06/2024", SW_REASON=None),  # first in year: may be blank
        swe("2", "01/06/2024", None, SW_REASON=None),  # a change: needs a reason
        swe("3", "01/05/2024", None, SW_REASON="LAZY"),
    ]
    assert flagged_rows("SW13STG1", SWEpisodes=sw) == [3, 4]
    assert flagged_rows("SW13STG1", year=2024, SWEpisodes=sw) == [4]


def test_sw15_reason_missing():
    sw = [
        swe("1", "02/01/2024", SW_REASON=None),
        swe("2", "02/01/2023", SW_REASON=None),  # before 1 April 2023
        swe("3", "02/01/2024"),
    ]
    assert flagged_rows("SW15STG2", SWEpisodes=sw) == [1]


def test_sw16_first_episode_carries_on_last_years_open_one():
    previous = {
        "SWEpisodes": [
            swe("1", "01/01/2023", None, SW_ID="SW2"),
            swe("2", "01/01/2023", None),
            swe("3", "01/01/2023", "02/01/2024"),  # ended: nothing to carry on
        ]
    }
    sw = [
        swe("1", "01/01/2023", None, SW_ID="SW9"),  # different worker
        swe("2", "02/01/2023", None, SW_REASON="OTHERS"),  # different start and reason
        swe("3", "03/01/2024", None, SW_ID="SW7"),
    ]
    assert flagged_rows("SW16aSTG2", SWEpisodes=sw, previous=previous) == [1]
    assert flagged_rows("SW16bSTG2", SWEpisodes=sw, previous=previous) == [2]
    assert flagged_rows("SW16cSTG2", SWEpisodes=sw, previous=previous) == [2]
    assert flagged_rows("SW16aSTG2", SWEpisodes=sw) == []


def test_sw17_latest_episode_open_at_31_march():
    sw = [
        swe("1", "01/01/2024", "01/02/2024"),
        swe("1", "01/02/2024", None),
        swe("2", "01/01/2024", "01/02/2024"),
        swe("2", "02/02/2024", "01/03/2025"),
    ]
    assert flagged_rows("SW17STG2", year=2026, SWEpisodes=sw) == [4]


def test_sw17_an_end_date_that_does_not_parse_still_closes_the_episode():
    sw = [swe("1", "01/01/2024", "not a date")]
    assert flagged_rows("SW17STG2", year=2026, SWEpisodes=sw) == [1]


def test_sw17_an_undated_episode_is_not_the_latest():
    # The validator councils use picks the latest *dated* episode (blank or invalid starts
    # sort last there): child 1's open episode is its latest, so nothing is flagged for it,
    # while child 2's latest dated episode has ended.
    sw = [
        swe("1", "01/02/2024", None),
        swe("1", None, "01/03/2024"),
        swe("2", "01/02/2024", "01/03/2025"),
        swe("2", "31/02/2024", None),
    ]
    assert flagged_rows("SW17STG2", year=2026, SWEpisodes=sw) == [3]
