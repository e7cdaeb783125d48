"""What a check sees: the return's tables for the year, last year's, code lists and dates."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

import polars as pl

if TYPE_CHECKING:
    from statutory.engine.postcodes import Postcodes

T = TypeVar("T")


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
    # The submitting council's ONS code (E06…/E08…/E09…/E10…), when the caller knows it: a
    # return does not name its council. (`statutory.reference.council(code)` converts a DfE
    # 3-digit code.)
    la_code: str | None = None

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

    def __init__(self, return_: Return, *, year: int | None = None) -> None:
        self._return = return_
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
        """This year's table (an empty frame with the year's columns if it was not supplied)."""
        return self._return.table(name)

    def previous(self, name: str) -> pl.DataFrame:
        """Last year's table; an empty frame with this year's columns when not supplied."""
        prev = self._return.previous
        if prev is not None and name in prev.tables:
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
            from statutory.engine.postcodes import Postcodes

            self._postcodes = Postcodes.shared()
        return self._postcodes
