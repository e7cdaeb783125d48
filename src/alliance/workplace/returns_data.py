"""What WorkPlace reads from the council's statutory returns: its own SSDA903 indicators by year,
through the returns app's interface (`alliance.returns.interface`), read here and nowhere else in
WorkPlace."""

from __future__ import annotations

from typing import Any

from alliance.organisations.models import Organisation
from alliance.returns import interface


def ssda903_indicator_history(organisation: Organisation) -> list[dict[str, Any]]:
    """The council's own SSDA903 indicator rows ({year, indicator, label, value, numerator,
    denominator, unit}) from its accepted uploads; [] when nothing is uploaded. WorkPlace's
    pages are the council's own, so the figures are exact."""
    return interface.own_indicator_history(organisation, "ssda903")
