"""Property tests where inputs are wide: working days, UPN check letters, UPN pseudonyms."""

from __future__ import annotations

import datetime as dt

import polars as pl
from cin_builders import rows
from hypothesis import given, settings
from hypothesis import strategies as st

from statutory.cin.generator import upn_for
from statutory.cin.pseudonymise import upn_pseudonym
from statutory.cin.workdays import bank_holidays, working_days_between

DAYS = st.dates(min_value=dt.date(2022, 1, 1), max_value=dt.date(2026, 12, 31))
UPN_CHARS = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", min_size=1, max_size=14)
KEY = b"property-test-key-0123"


@settings(max_examples=200, deadline=None)
@given(DAYS, DAYS)
def test_working_days_match_a_plain_count(a: dt.date, b: dt.date) -> None:
    holidays = {dt.date.fromisoformat(str(d)) for d in bank_holidays(2021, 2027)}
    start, end = min(a, b), max(a, b)
    expected = sum(
        1
        for n in range(1, (end - start).days + 1)
        if (day := start + dt.timedelta(days=n)).weekday() < 5 and day not in holidays
    )
    got = working_days_between(pl.Series([start]), pl.Series([end]))[0]
    assert got == expected


@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**9 - 1), st.sampled_from(["201", "202", "873", "942"]))
def test_generated_upns_carry_the_right_check_letter(serial: int, la: str) -> None:
    upn = upn_for(la, serial)
    wrong = ("A" if upn[0] != "A" else "B") + upn[1:]
    ids = [{"LAchildID": "a", "UPN": upn}, {"LAchildID": "b", "UPN": wrong}]
    assert rows("1510", "ChildIdentifiers", ChildIdentifiers=ids) == [2]


@settings(max_examples=40, deadline=None)
@given(st.lists(UPN_CHARS, min_size=1, max_size=6))
def test_upn_pseudonyms_keep_what_the_upn_rules_find(upns: list[str]) -> None:
    before = [{"LAchildID": f"c{i}", "UPN": u} for i, u in enumerate(upns)]
    after = [{"LAchildID": f"c{i}", "UPN": upn_pseudonym(KEY, u)} for i, u in enumerate(upns)]
    for code in ("1510", "1520", "1530", "1540", "1550"):
        assert rows(code, "ChildIdentifiers", ChildIdentifiers=before) == rows(
            code, "ChildIdentifiers", ChildIdentifiers=after
        ), code
