"""Weekly unit costs of each kind of placement, and where the defaults come from.

Published figures (DfE LAIT, `../shared/data/reference/dfe-lait/bds_long_0.parquet`, from the
councils' section 251 outturn returns): `FosteringFinance`, the average weekly cost of a child in
foster care, and `RescareFinance`, the average weekly cost of a child in residential care, for
each council and England, 2016-17 to 2024-25. The defaults take the council's own latest figure
(England's where the council has none):
- fostering by the council's own carers and through an agency both take the fostering figure: the
  published figure does not separate them (agency fostering usually costs more: enter your own);
- residential takes the residential figure;
- supported accommodation, placed with parents, placed for adoption and other placements have no
  published weekly cost here: they are left unset (shown as such, and left out of spending until
  the council enters its own).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache

import polars as pl

from forecast.bottom_up.states import STATES

_ITEMS = {"fostering": "FosteringFinance", "residential": "RescareFinance"}
_USES = {"in_house": "fostering", "agency": "fostering", "residential": "residential"}


@dataclass(frozen=True)
class UnitCosts:
    """Weekly cost (£) per state; None where not set. `sources` says where each came from."""

    weekly: dict[str, float | None]
    sources: dict[str, str] = field(default_factory=dict)

    def vector(self) -> list[float]:
        return [float(self.weekly.get(state) or 0.0) for state in STATES]

    @property
    def unset(self) -> list[str]:
        return [state for state in STATES if self.weekly.get(state) is None]


@cache
def _published() -> pl.DataFrame:
    from statutory.reference import shared_path  # noqa: PLC0415

    frame = pl.read_parquet(
        shared_path("reference", "dfe-lait", "bds_long_0.parquet"),
        columns=["Short Desc", "Years", "LA and Regions", "LA Number", "Values"],
    )
    return (
        frame.filter(pl.col("Short Desc").is_in(list(_ITEMS.values())))
        .with_columns(
            value=pl.col("Values").cast(pl.String).str.strip_chars().cast(pl.Float64, strict=False),
            year=pl.col("Years").str.slice(0, 4).cast(pl.Int32, strict=False) + 1,
            la=pl.col("LA Number").cast(pl.String),
        )
        .filter(pl.col("value").is_not_null() & pl.col("year").is_not_null())
    )


def default_unit_costs(la_number: str | int | None = None) -> UnitCosts:
    """The council's latest published weekly costs (England's without a council or figure)."""
    published = _published()
    weekly: dict[str, float | None] = dict.fromkeys(STATES)
    sources: dict[str, str] = {}
    for state, kind in _USES.items():
        item = published.filter(pl.col("Short Desc") == _ITEMS[kind])
        own = item.filter(pl.col("la") == str(la_number)) if la_number is not None else item.clear()
        pick, where = (
            (own, "the council's")
            if own.height
            else (
                item.filter(pl.col("LA and Regions") == "England"),
                "England's",
            )
        )
        if pick.height:
            latest = pick.sort("year").row(-1, named=True)
            weekly[state] = round(float(latest["value"]), 2)
            sources[state] = (
                f"{where} average weekly cost of a child in {kind} care, "
                f"{latest['year'] - 1}-{str(latest['year'])[-2:]} (DfE LAIT: {_ITEMS[kind]})"
            )
    for state in STATES:
        sources.setdefault(state, "No published figure: enter the council's own.")
    return UnitCosts(weekly=weekly, sources=sources)
