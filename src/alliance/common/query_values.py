"""Numbers read from an address or a form's raw value (`?programme=3`, `?year=2025`), where a
person can type anything. `str.isdigit()` is not enough: it is true of "²" and "١٢", which
`int()` refuses or reads differently, and of forty nines, which no database column holds — both
gave server errors."""

from __future__ import annotations

# A bigint holds 19 digits; 18 always fit, and no id or year here comes near it.
MOST_DIGITS = 18


def whole_number(text: object) -> int | None:
    """The number when `text` is 1 to 18 of the digits 0-9 and nothing else, else None."""
    if not isinstance(text, str) or not 0 < len(text) <= MOST_DIGITS:
        return None
    if not (text.isascii() and text.isdigit()):
        return None
    return int(text)
