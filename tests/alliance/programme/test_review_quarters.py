"""Quarterly reviews fall due every three months from an engagement's start, counted as every
other date in the service is (dateutil's relativedelta): from the 31st into a shorter month, its
last day."""

from __future__ import annotations

import datetime as dt

from alliance.programme.services.engagements import _quarters


def test_reviews_fall_due_every_three_months_keeping_the_day_or_the_month_end() -> None:
    assert _quarters(dt.date(2026, 1, 31), dt.date(2027, 1, 31)) == [
        dt.date(2026, 4, 30),
        dt.date(2026, 7, 31),
        dt.date(2026, 10, 31),
        dt.date(2027, 1, 31),
    ]
    assert _quarters(dt.date(2027, 11, 30), dt.date(2028, 6, 1)) == [
        dt.date(2028, 2, 29),
        dt.date(2028, 5, 30),
    ]


def test_an_engagement_shorter_than_a_quarter_has_no_review_due() -> None:
    assert _quarters(dt.date(2026, 5, 1), dt.date(2026, 7, 31)) == []
