"""What Edge of Care reads from the council's statutory returns (SSDA903 and the CIN census):
the latest tables, a child's pseudonym, and whether a child is in care today. The returns app is
loaded by name here and nowhere else in Edge of Care."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

import polars as pl

from alliance.organisations.models import Organisation
from alliance.returns import interface
from statutory.ssda903.code_meanings import with_meaning


class ReturnsFunctions(Protocol):
    """The two functions of the returns app's interface Edge of Care uses."""

    def latest_tables(
        self, organisation: Organisation | int, kind: str, year: int | None = None
    ) -> dict[str, pl.DataFrame]: ...

    def pseudonymise_id(
        self, organisation: Organisation | int, child_id: str, kind: str = "ssda903"
    ) -> str: ...


def _returns() -> ReturnsFunctions:
    """The returns app's interface (a function, so tests can give Edge of Care other returns)."""
    return interface


def returns_tables(organisation: Organisation, kind: str) -> dict[str, pl.DataFrame]:
    """The council's latest accepted returns of `kind` ("ssda903" or "cin"), every year stacked;
    {} when nothing is uploaded."""
    return _returns().latest_tables(organisation, kind)


def pseudonym(organisation: Organisation, child_id: str, kind: str = "ssda903") -> str | None:
    """The child's pseudonym as the council's returns hold it; None for no id."""
    if not child_id:
        return None
    return _returns().pseudonymise_id(organisation, child_id, kind=kind) or None


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


@dataclass(frozen=True)
class CareEpisode:
    """One episode of care from the council's SSDA903 returns, each code with its meaning."""

    started: dt.date | None
    ended: dt.date | None
    reason_started: str
    legal_status: str
    placement: str
    reason_ended: str


def _day(value: object) -> dt.date | None:
    return value if isinstance(value, dt.date) else None


def care_episodes(organisation: Organisation, child_ids: list[str]) -> dict[str, list[CareEpisode]]:
    """Each child's episodes of care in the council's uploaded SSDA903 returns (by the council's
    own child id), oldest first; an episode in two years' returns is shown once, as the later
    return has it. {} when nothing is uploaded or no id is given."""
    ids = [c for c in child_ids if c]
    if not ids:
        return {}
    episodes = table_named(returns_tables(organisation, "ssda903"), "Episodes")
    if episodes is None or not {"CHILD", "DECOM"} <= set(episodes.columns):
        return {}
    keys = {key: cid for cid in ids if (key := pseudonym(organisation, cid)) is not None}
    mine = episodes.filter(pl.col("CHILD").is_in(list(keys)))
    if "YEAR" in mine.columns:
        mine = mine.sort("YEAR").unique(subset=["CHILD", "DECOM"], keep="last")
    found: dict[str, list[CareEpisode]] = {}
    for row in mine.sort("DECOM").iter_rows(named=True):
        found.setdefault(keys[row["CHILD"]], []).append(
            CareEpisode(
                started=_day(row.get("DECOM")),
                ended=_day(row.get("DEC")),
                reason_started=with_meaning("RNE", row.get("RNE")),
                legal_status=with_meaning("LS", row.get("LS")),
                placement=with_meaning("PLACE", row.get("PLACE")),
                reason_ended=with_meaning("REC", row.get("REC")),
            )
        )
    return found
