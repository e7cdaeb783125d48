"""What a check sees: the return's tables for the year, last year's, code lists and dates."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

from statutory.engine.errors import NotRun
from statutory.engine.postcodes import Postcodes

if TYPE_CHECKING:
    from statutory.engine.postcodes import Postcodes

T = TypeVar("T")

# How a report names each table when it says a table was not supplied.
TABLE_NAMES: dict[str, str] = {
    "Header": "header",
    "Episodes": "episodes",
    "Reviews": "reviews",
    "UASC": "UASC",
    "OC2": "OC2",
    "OC3": "OC3",
    "AD1": "AD1",
    "PlacedAdoption": "placed for adoption",
    "PrevPerm": "previous permanence",
    "Missing": "missing",
    "SWEpisodes": "social worker episodes",
    "DoLo": "deprivation of liberty",
}


def not_supplied_reason(name: str, *, last_year: bool = False) -> str:
    """`not run: the social worker episodes table (SWEpisodes) was not supplied`."""
    described = TABLE_NAMES.get(name, name)
    label = f"{name} table" if described == name else f"{described} table ({name})"
    whose = "last year's" if last_year else "the"
    return f"not run: {whose} {label} was not supplied"


LAST_YEAR_NOT_SUPPLIED = "not run: last year's return was not supplied"

# Tables every SSDA903 return has (the reader refuses one without them): only a hand-made return
# lacks them, and then they read as empty.
ALWAYS_SUPPLIED = frozenset({"Header", "Episodes"})


@dataclass
class Return:
    """One year's return as typed frames (every table of the year present; unsupplied = empty).

    `supplied` names the tables the input actually held. `previous` is last year's return when
    given (its `supplied` is empty when not). `codes` are the year's code lists from the schema.
    `sources` maps table -> the file it came from (for messages and reports).
    """

    kind: str
    year: int
    tables: dict[str, pl.DataFrame]
    supplied: frozenset[str]
    codes: Mapping[str, Sequence[str]]
    child_id: str = "CHILD"
    previous: Return | None = None
    sources: dict[str, str] = field(default_factory=dict)
    source_format: str = "csv"
    notes: list[str] = field(default_factory=list)
    # When True (SSDA903), a check that reads a table the input did not hold - this year's or
    # last year's - does not run (`NotRun`, with the table named) rather than seeing it empty:
    # a missing file is not a file with no rows. A CIN census is one XML file, so its absent
    # modules are empty, never missing.
    absent_tables_not_run: bool | None = None
    # The submitting council's ONS code (E06…/E08…/E09…/E10…), when the caller knows it: a
    # return does not name its council. (`statutory.reference.council(code)` converts a DfE
    # 3-digit code.)
    la_code: str | None = None

    def __post_init__(self) -> None:
        if self.absent_tables_not_run is None:
            self.absent_tables_not_run = self.kind == "903"

    def table(self, name: str) -> pl.DataFrame:
        try:
            return self.tables[name]
        except KeyError:
            known = ", ".join(self.tables)
            raise KeyError(
                f"no table {name!r} in the {self.year} return (tables: {known})"
            ) from None

    @property
    def has_previous(self) -> bool:
        return self.previous is not None and bool(self.previous.supplied)

    def row_counts(self) -> dict[str, int]:
        return {name: frame.height for name, frame in self.tables.items()}


class Context:
    """The one argument every check takes (see docs/statutory/rule-engine.md)."""

    def __init__(
        self, return_: Return, *, year: int | None = None, absent_as_empty: bool = False
    ) -> None:
        """`absent_as_empty`: read tables the input did not hold as empty even for SSDA903
        (the indicators count what is there; only rules are reported as not run)."""
        self._return = return_
        self._not_run_absent = bool(return_.absent_tables_not_run) and not absent_as_empty
        self.year: int = year if year is not None else return_.year
        self.reference_date: dt.date = dt.date(self.year, 3, 31)
        self.collection_start: dt.date = dt.date(self.year - 1, 4, 1)
        self.child_id: str = return_.child_id
        self.source_format: str = return_.source_format
        self.la_code: str | None = return_.la_code
        self._memo: dict[Any, Any] = {}
        self._memo_lock = threading.RLock()
        self._postcodes: Postcodes | None = None

    @property
    def return_(self) -> Return:
        return self._return

    def table(self, name: str) -> pl.DataFrame:
        """This year's table. One the input did not hold raises `NotRun` naming it (SSDA903), so
        the check is reported as not run; for CIN it is an empty frame with the year's columns.
        Check `ctx.supplied(name)` first where the table is optional to the rule."""
        return_ = self._return
        if (
            self._not_run_absent
            and name not in return_.supplied
            and name not in ALWAYS_SUPPLIED
            and name in return_.tables
        ):
            raise NotRun(not_supplied_reason(name))
        return return_.table(name)

    def previous(self, name: str) -> pl.DataFrame:
        """Last year's table. When it was not supplied: `NotRun` naming it (SSDA903), else an
        empty frame with this year's columns."""
        prev = self._return.previous
        if prev is not None and name in prev.supplied:
            return prev.tables[name]
        if self._not_run_absent:
            if prev is None or not prev.supplied:
                raise NotRun(LAST_YEAR_NOT_SUPPLIED)
            raise NotRun(not_supplied_reason(name, last_year=True))
        if prev is not None and name in prev.tables:
            return prev.tables[name]
        return self._return.table(name).clear()

    def optional(self, name: str) -> pl.DataFrame:
        """This year's table, or an empty frame with the year's columns when it was not
        supplied: for a table a rule only consults (e.g. UASC status to leave children out),
        so the rule still runs without it."""
        if name in self._return.supplied:
            return self._return.table(name)
        return self._return.table(name).clear()

    def optional_previous(self, name: str) -> pl.DataFrame:
        """Last year's table, or an empty frame with this year's columns when not supplied."""
        prev = self._return.previous
        if prev is not None and name in prev.supplied:
            return prev.tables[name]
        return self._return.table(name).clear()

    @property
    def has_previous(self) -> bool:
        return self._return.has_previous

    def supplied(self, name: str) -> bool:
        """Whether the input held this table (only rules about a table's absence need this)."""
        return name in self._return.supplied

    def previous_supplied(self, name: str) -> bool:
        prev = self._return.previous
        return prev is not None and name in prev.supplied

    def codes(self, list_name: str) -> list[str]:
        """The year's code list (e.g. "ETHNIC", "LS", "PLACE") from the schema data file."""
        try:
            return list(self._return.codes[list_name])
        except KeyError:
            known = ", ".join(sorted(self._return.codes))
            raise KeyError(f"no code list {list_name!r} for {self.year} (lists: {known})") from None

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """Build a derived frame once per run and share it between checks (e.g. episode chains)."""
        with self._memo_lock:
            if key not in self._memo:
                self._memo[key] = build()
            value: T = self._memo[key]
            return value

    @property
    def postcodes(self) -> Postcodes:
        """Postcode -> grid reference and district, loaded on first use (see engine.postcodes)."""
        if self._postcodes is None:
            self._postcodes = Postcodes.shared()
        return self._postcodes
