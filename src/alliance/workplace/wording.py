"""How WorkPlace writes a few things in words: ordinal numbers ("21st birthday") and times of
day the GOV.UK way ("2:30pm"), and reading a time typed in any of the ways people write it."""

from __future__ import annotations

import datetime as dt
import re

from django.core.exceptions import ValidationError


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th ... 21st, 22nd, 23rd, 101st, 111th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def birthday_label(age: int) -> str:
    return f"{ordinal(age)} birthday"


def clock_time(value: dt.time | dt.datetime) -> str:
    """A time as the GOV.UK style guide writes it, "2:30pm", "9am", the same way the pages'
    `govuk_date(..., True)` filter shows an appointment's time."""
    hour = value.hour % 12 or 12
    minutes = f":{value.minute:02d}" if value.minute else ""
    return f"{hour}{minutes}{'am' if value.hour < 12 else 'pm'}"


_TIME = re.compile(
    r"^(?P<hour>\d{1,2})(?:\s*[:.]\s*(?P<minute>\d{2}))?\s*(?P<half>a\.?m\.?|p\.?m\.?)?$"
)
_WORDS = {"midday": dt.time(12), "noon": dt.time(12), "midnight": dt.time(0)}


class TimeNotUnderstood(ValidationError):
    """The text is not a time of day we can read."""


def parse_time(text: str) -> dt.time:
    """Read a time written as "2:30pm", "2.30pm", "2pm", "2:30 PM", "14:30", "14.30" or
    "midday". Not "1430" (too easily a typo), "25:00", "13pm", or "2" (am or pm?)."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in _WORDS:
        return _WORDS[cleaned]
    found = _TIME.match(cleaned)
    message = "Enter a time like 2:30pm or 14:30"
    if not found:
        raise TimeNotUnderstood(message)
    hour, minute = int(found["hour"]), int(found["minute"] or 0)
    half = (found["half"] or "").replace(".", "")
    if minute > 59:
        raise TimeNotUnderstood(message)
    if half:
        if not 1 <= hour <= 12:
            raise TimeNotUnderstood(message)
        hour = hour % 12 + (12 if half == "pm" else 0)
    elif found["minute"] is None or hour > 23:
        # "2" alone could be 2am or 2pm: ask for am or pm
        raise TimeNotUnderstood("Enter a time like 2:30pm or 14:30: say am or pm")
    return dt.time(hour, minute)
