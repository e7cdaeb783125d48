"""Money as whole pence: parsed from what people type ("£1,234.56"), never through floats."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError

from alliance.common.numbers import MINUS

_MONEY = re.compile(r"^-?\d+(\.\d{1,2})?$")


def parse_pence(text: str, label: str = "Amount") -> int:
    """'£1,234.56' → 123456. Commas between thousands and a leading £ are allowed; at most two
    decimal places; a negative amount as typed ("-£5") or as the pages write it ("−£5", a minus
    sign). Raises ValidationError with a GOV.UK-style message."""
    cleaned = (text or "").strip().replace(MINUS, "-", 1).replace("£", "", 1)
    cleaned = cleaned.replace(",", "").replace(" ", "")
    if not cleaned:
        raise ValidationError(f"Enter {label.lower()}", code="required")
    if not _MONEY.match(cleaned):
        raise ValidationError(
            f"{label} must be a number of pounds and pence, like £1,234.56", code="invalid"
        )
    try:
        amount = Decimal(cleaned)
    except InvalidOperation:  # pragma: no cover - the pattern already rules this out
        raise ValidationError(
            f"{label} must be a number of pounds and pence, like £1,234.56", code="invalid"
        ) from None
    return int(amount * 100)


def pence_as_text(pence: int | None) -> str:
    """123456 → '1234.56' (for a form field's initial value)."""
    if pence is None:
        return ""
    sign = "-" if pence < 0 else ""
    pounds, rem = divmod(abs(pence), 100)
    return f"{sign}{pounds}.{rem:02d}"


def pounds_and_pence(pence: int) -> str:
    """123456 → '£1,234.56' (for text kept in the history, written as on the pages)."""
    sign = "-" if pence < 0 else ""
    pounds, rem = divmod(abs(pence), 100)
    return f"{sign}£{pounds:,}.{rem:02d}"


def split_pence(total: int, weights: list[int]) -> list[int]:
    """Split `total` pence in proportion to `weights` so the parts add up to `total` exactly: each
    part is its share rounded down, and the pence left over go one each to the parts that lost
    the most in rounding (largest remainder; ties to the earlier part). Equal weights give parts
    that differ by at most a penny."""
    if not weights:
        raise ValueError("Give at least one weight to split money between")
    if any(w < 0 for w in weights) or sum(weights) == 0:
        raise ValueError("Weights must be zero or more, and not all zero")
    whole = sum(weights)
    parts = [total * w // whole for w in weights]
    remainders = [total * w % whole for w in weights]
    left = total - sum(parts)
    for index in sorted(range(len(weights)), key=lambda i: (-remainders[i], i))[:left]:
        parts[index] += 1
    return parts
