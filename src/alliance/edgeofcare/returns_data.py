"""What Edge of Care reads from the council's statutory returns (SSDA903 and the CIN census):
the latest tables, a child's pseudonym, and whether a child is in care today. The returns app is
loaded by name here and nowhere else in Edge of Care."""

from __future__ import annotations

import importlib
import logging
from typing import Protocol, cast

import polars as pl

from alliance.organisations.models import Organisation

log = logging.getLogger(__name__)


class ReturnsFunctions(Protocol):
    """The two functions of the returns app (`alliance.returns.services`) Edge of Care uses."""

    def latest_tables(
        self, organisation: Organisation | int, kind: str, year: int | None = None
    ) -> dict[str, pl.DataFrame]: ...

    def pseudonymise_id(
        self, organisation: Organisation | int, child_id: str, kind: str = "ssda903"
    ) -> str: ...


def _returns() -> ReturnsFunctions | None:
    """`alliance.returns.services` when the returns app provides it, else None."""
    try:
        # Imported by name: the returns app is built by another team and may not have it yet.
        returns_services = importlib.import_module("alliance.returns.services")
    except ImportError:
        return None
    if not all(hasattr(returns_services, n) for n in ("pseudonymise_id", "latest_tables")):
        return None
    return cast(ReturnsFunctions, returns_services)


def returns_tables(organisation: Organisation, kind: str) -> dict[str, pl.DataFrame]:
    """The council's latest accepted returns of `kind` ("ssda903" or "cin"), every year stacked;
    {} when the returns app is not there yet or nothing is uploaded."""
    module = _returns()
    if module is None:
        return {}
    try:
        return module.latest_tables(organisation, kind) or {}
    except Exception:  # the returns app is another team's: never let it break case work
        log.exception("could not read %s returns for %s", kind, organisation)
        return {}


def pseudonym(organisation: Organisation, child_id: str, kind: str = "ssda903") -> str | None:
    """The child's pseudonym as the council's `kind` returns hold it (SSDA903 `CHILD` and the CIN
    census `LAchildID` are pseudonymised differently)."""
    module = _returns()
    if module is None or not child_id:
        return None
    try:
        return str(module.pseudonymise_id(organisation, child_id, kind=kind))
    except Exception:  # e.g. the council has no key yet: nothing can be matched
        log.exception("could not pseudonymise a child id for %s", organisation)
        return None


def table_named(tables: dict[str, pl.DataFrame], *names: str) -> pl.DataFrame | None:
    lowered = {k.lower(): v for k, v in tables.items()}
    for name in names:
        if name.lower() in lowered:
            return lowered[name.lower()]
    return None


def looked_after_now(organisation: Organisation, child_id: str) -> bool:
    """Is this child in care today, as far as the council's latest SSDA903 upload says (an
    episode with no end date)?"""
    if not child_id:
        return False
    episodes = table_named(returns_tables(organisation, "ssda903"), "Episodes", "episodes")
    if episodes is None or "CHILD" not in episodes.columns:
        return False  # nothing uploaded: the practitioner's answer on the form is what we have
    key = pseudonym(organisation, child_id)
    if key is None:
        return False
    open_ = episodes.filter(pl.col("CHILD") == key)
    if "DEC" in open_.columns:
        open_ = open_.filter(pl.col("DEC").is_null())
    return open_.height > 0
