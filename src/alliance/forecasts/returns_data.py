"""What the forecast reads from the returns app, in one small module that imports only
`alliance/returns/interface.py` (an import-linter contract enforces it)."""

from __future__ import annotations

import polars as pl

from alliance.organisations.models import Organisation
from alliance.returns import interface as returns

SSDA903 = "ssda903"


def accepted_versions(council: Organisation) -> dict[int, int]:
    """{collection year: the upload the forecast reads for it}."""
    return returns.accepted_versions(council, SSDA903)


def yearly_tables(council: Organisation) -> dict[int, dict[str, pl.DataFrame]]:
    """The council's pseudonymised SSDA903 tables, one set per collection year."""
    return returns.tables_by_year(council, SSDA903)


def pooled_councils(alliance: Organisation) -> list[Organisation]:
    """The councils sharing their SSDA903 returns with the alliance under an agreement in force
    today, by name."""
    return returns.sharing_councils(alliance, SSDA903)
