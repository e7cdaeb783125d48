"""What WorkPlace reads from the council's statutory returns: the SSDA903 indicators by year. The
returns app is loaded by name here and nowhere else in WorkPlace."""

from __future__ import annotations

import importlib
from typing import Any, Protocol, cast

from alliance.organisations.models import Organisation


class ReturnsFunctions(Protocol):
    """The one function of the returns app (`alliance.returns.services`) WorkPlace uses."""

    def indicator_history(
        self, organisation: Organisation | int, kind: str
    ) -> list[dict[str, Any]]: ...


def ssda903_indicator_history(organisation: Organisation) -> list[dict[str, Any]] | None:
    """The council's SSDA903 indicator rows ({year, indicator, label, value, numerator,
    denominator, unit}) from its accepted uploads; None when the returns app does not provide
    them yet."""
    try:
        # Imported by name: the returns app provides this interface when its engineer lands it.
        returns = cast(ReturnsFunctions, importlib.import_module("alliance.returns.services"))
        return returns.indicator_history(organisation, "ssda903")
    except (ImportError, AttributeError):
        return None
