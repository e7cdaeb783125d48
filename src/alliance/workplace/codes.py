"""The DfE SSDA903 care-leaver codes (OC3: IN_TOUCH, ACTIV, ACCOM) WorkPlace records, so the
council's figures match its return.

The code *lists* come from the statutory library's year-versioned schema files (never retyped
here): a code the schema does not hold is refused. The schema files carry codes only, so the
plain-English *labels* an adviser reads are kept here, from the DfE's SSDA903 guidance; a code the
schema adds later without a label here is still accepted and shown by its code.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from statutory.ssda903.schemas import LAST_YEAR, load_schema, supported_years

ACTIVITY_LABELS = {
    "F1": "Full time in higher education",
    "P1": "Part time in higher education",
    "F2": "Full time in education other than higher education",
    "P2": "Part time in education other than higher education",
    "F4": "Full time in training or employment",
    "P4": "Part time in training or employment",
    "F5": "Full time in an apprenticeship",
    "P5": "Part time in an apprenticeship",
    "G4": "Not in education, training or employment: illness or disability",
    "G5": "Not in education, training or employment: other reasons",
    "G6": "Not in education, training or employment: pregnancy or parenting",
    "0": "Not required (the young person has died or refuses contact)",
}

# The SSDA903 accommodation codes pair a type (letter) with suitability (1 suitable, 2 not).
ACCOMMODATION_TYPES = {
    "B": "With parents or relatives",
    "C": "Community home or other form of residential care",
    "D": "Semi-independent, transitional accommodation",
    "E": "Supported lodgings",
    "G": "Gone abroad",
    "H": "Deported",
    "K": "Ordinary lodgings, without formal support",
    "R": "Residence not known",
    "S": "No fixed abode or homeless",
    "T": "Foyers and similar supported accommodation",
    "U": "Independent living",
    "V": "Emergency accommodation",
    "W": "Bed and breakfast",
    "X": "In custody",
    "Y": "Other accommodation",
    "Z": "With former foster carers (staying put)",
}

IN_TOUCH_LABELS = {
    "YES": "Yes, in touch",
    "NO": "No, not in touch",
    "DIED": "The young person has died",
    "REFU": "The young person refuses contact",
    "NREQ": "Not required: no longer a care leaver",
    "RHOM": "Returned home to parents for 6 months or more",
}


def schema_year(today: dt.date | None = None) -> int:
    """The collection year in progress (ending 31 March), clamped to those the library knows."""
    today = today or dt.date.today()
    year = today.year + 1 if today.month >= 4 else today.year
    years = supported_years()
    return min(max(year, years.start), LAST_YEAR)


@cache
def code_list(name: str, year: int | None = None) -> tuple[str, ...]:
    return load_schema(year or schema_year()).codes[name]


def activity_codes() -> tuple[str, ...]:
    return code_list("ACTIV")


def accommodation_codes() -> tuple[str, ...]:
    return code_list("ACCOM")


def in_touch_codes() -> tuple[str, ...]:
    return code_list("IN_TOUCH")


def eet_codes() -> frozenset[str]:
    return frozenset(code_list("ACTIV_EET"))


def suitable_accommodation_codes() -> frozenset[str]:
    return frozenset(code_list("ACCOM_SUITABLE"))


def activity_label(code: str | None) -> str:
    if not code:
        return "Not recorded"
    return f"{ACTIVITY_LABELS.get(code, 'Code')} ({code})"


def accommodation_label(code: str | None) -> str:
    if not code:
        return "Not recorded"
    if code == "0":
        return "Not required (0)"
    kind = ACCOMMODATION_TYPES.get(code[:1], "Accommodation")
    suitable = {"1": "suitable", "2": "not suitable"}.get(code[1:], "")
    return f"{kind}, {suitable} ({code})" if suitable else f"{kind} ({code})"


def in_touch_label(code: str | None) -> str:
    if not code:
        return "Not recorded"
    return f"{IN_TOUCH_LABELS.get(code, 'Code')} ({code})"


def activity_choices() -> list[tuple[str, str]]:
    return [(c, activity_label(c)) for c in activity_codes()]


def accommodation_choices() -> list[tuple[str, str]]:
    return [(c, accommodation_label(c)) for c in accommodation_codes()]


def in_touch_choices() -> list[tuple[str, str]]:
    return [(c, in_touch_label(c)) for c in in_touch_codes()]
