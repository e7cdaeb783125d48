"""How numbers are written on pages. A negative number has a minus sign ("−5%"), as the GOV.UK
style guide writes it, not the hyphen Python writes ("-5%"), which reads as a dash."""

from __future__ import annotations

from decimal import Decimal

MINUS = "\u2212"


def with_minus(text: str) -> str:
    """A number as Python writes it ("-5.0", "-1,234", "-5%") with a minus sign for its hyphen;
    "-0.0" (a small negative rounded away) is written "0.0"."""
    if not text.startswith("-"):
        return text
    digits = text[1:]
    return digits if not digits.strip("0.,%") else MINUS + digits


def number(value: float | int | Decimal | None, places: int = 0, missing: str = "–") -> str:
    """1234.5 → "1,235"; with `places`, that many decimal places."""
    if value is None:
        return missing
    return with_minus(f"{value:,.{places}f}")


def percent(value: float | None, places: int = 0, missing: str = "–") -> str:
    """A percentage already multiplied by 100: 12.5 → "13%"."""
    if value is None:
        return missing
    return with_minus(f"{value:,.{places}f}%")


def signed(value: float | None, places: int = 1, missing: str = "–") -> str:
    """A change or difference with its sign: "+5.0", "−5.0", or "0.0" when there is none."""
    if value is None:
        return missing
    text = number(value, places)
    return text if text.startswith(MINUS) or not text.strip("0.,") else "+" + text
