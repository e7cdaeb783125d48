"""A council's care history from several years of its SSDA903 returns.

Each year's return holds the episodes open at any time in that year. The years are combined into
one history: a child's episode that appears in several returns is kept once, as the latest return
has it (it may have gained its end date). Checks, each refused in plain words:
- at least three years (`MIN_YEARS`), with no year missing between the first and the last, and
  no year twice;
- one council: children looked after at 31 March of one year must mostly appear, with the same
  date of birth, in the next year's return. Returns of different councils share no children, so
  fewer than half carrying over (`MIN_CARRIED_OVER`) means the years are not one council's;
- every return has its Header and Episodes, and dates that can be read.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from forecast.bottom_up.states import state_of

MIN_YEARS = 3
MIN_CARRIED_OVER = 0.5


class ForecastInputError(ValueError):
    """Returns that cannot make a forecast, with the reason in plain words."""


@dataclass(frozen=True)
class History:
    """One council's (or an alliance's pooled) episodes over `years` (collection years, e.g.
    2023 = April 2022 to March 2023): columns child, birth (date), start, end (date or null:
    still open at the end of the last year), state (index into STATES)."""

    years: tuple[int, ...]
    spells: pl.DataFrame

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.years[0] - 1, 4, 1)

    @property
    def last_day(self) -> dt.date:
        return dt.date(self.years[-1], 3, 31)


def _table(tables: Mapping[str, pl.DataFrame], name: str, year: int) -> pl.DataFrame:
    for key, frame in tables.items():
        if key.lower() == name.lower():
            return frame
    raise ForecastInputError(f"The {year} return has no {name} table.")


def _as_date(frame: pl.DataFrame, column: str, year: int) -> pl.Expr:
    dtype = frame.schema[column]
    if dtype == pl.Date:
        return pl.col(column)
    if dtype == pl.Datetime:
        return pl.col(column).dt.date()
    return pl.col(column).cast(pl.String).str.strip_chars().str.to_date("%d/%m/%Y", strict=False)


def _episodes(year: int, tables: Mapping[str, pl.DataFrame]) -> pl.DataFrame:
    episodes = _table(tables, "Episodes", year)
    header = _table(tables, "Header", year)
    for frame, columns in (
        (episodes, ("CHILD", "DECOM", "DEC", "PLACE")),
        (header, ("CHILD", "DOB")),
    ):
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ForecastInputError(f"The {year} return is missing {', '.join(missing)}.")
    provider = "PLACE_PROVIDER" if "PLACE_PROVIDER" in episodes.columns else None
    out = episodes.select(
        pl.col("CHILD").cast(pl.String).str.strip_chars().alias("child"),
        _as_date(episodes, "DECOM", year).alias("start"),
        _as_date(episodes, "DEC", year).alias("end"),
        state_of(
            pl.col("PLACE").cast(pl.String).fill_null(""),
            (pl.col(provider).cast(pl.String) if provider else pl.lit("")).fill_null(""),
        ).alias("state"),
    ).filter(pl.col("child").is_not_null() & pl.col("start").is_not_null())
    births = header.select(
        pl.col("CHILD").cast(pl.String).str.strip_chars().alias("child"),
        _as_date(header, "DOB", year).alias("birth"),
    ).unique("child", keep="last")
    out = out.join(births, on="child", how="left").with_columns(pl.lit(year).alias("year"))
    if out.is_empty():
        raise ForecastInputError(f"The {year} return has no episodes with a start date.")
    return out


def _open_at_year_end(frame: pl.DataFrame, year: int) -> pl.DataFrame:
    end = dt.date(year, 3, 31)
    return frame.filter(
        (pl.col("start") <= end) & (pl.col("end").is_null() | (pl.col("end") > end))
    ).select("child", "start", "birth")


def history_from_tables(tables_by_year: Mapping[int, Mapping[str, pl.DataFrame]]) -> History:
    """The history from each year's tables by name (at least "Header" and "Episodes")."""
    years = sorted(tables_by_year)
    if len(years) < MIN_YEARS:
        have = ", ".join(str(y) for y in years) or "none"
        raise ForecastInputError(
            f"A forecast needs at least {MIN_YEARS} consecutive years of returns; there "
            f"{'is' if len(years) == 1 else 'are'} {len(years)} ({have})."
        )
    gaps = [y for y in range(years[0], years[-1] + 1) if y not in tables_by_year]
    if gaps:
        raise ForecastInputError(
            "The years of returns must follow on from each other; missing: "
            + ", ".join(str(y) for y in gaps)
            + "."
        )
    frames = {year: _episodes(year, tables_by_year[year]) for year in years}
    for year in years[:-1]:
        was = _open_at_year_end(frames[year], year)
        if was.height == 0:
            continue
        carried = was.join(frames[year + 1], on=["child", "start"], how="semi").height
        if carried / was.height < MIN_CARRIED_OVER:
            raise ForecastInputError(
                f"The {year} and {year + 1} returns do not look like one council's: of the "
                f"{was.height:,} children looked after at 31 March {year}, {carried:,} appear in "
                f"the {year + 1} return. Returns of different councils cannot be mixed."
            )
    combined = (
        pl.concat(list(frames.values()), how="vertical_relaxed")
        .sort("year")
        .unique(["child", "start"], keep="last", maintain_order=True)
    )
    births = combined.group_by("child").agg(pl.col("birth").drop_nulls().last())
    spells = (
        combined.drop("birth", "year")
        .join(births, on="child", how="left")
        .filter(pl.col("birth").is_not_null())
        .sort("child", "start")
    )
    return History(years=tuple(years), spells=spells)


_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


def _year_of(path: Path, episodes: pl.DataFrame) -> int:
    named = _YEAR.findall(path.name)
    if len(named) == 1:
        return int(named[0])
    latest = episodes.select(pl.max_horizontal("DECOM", "DEC").max()).item()
    if latest is None:
        raise ForecastInputError(f"Cannot tell which year {path} is: it has no dates.")
    return int(latest.year + (1 if latest.month >= 4 else 0))


def load_history(paths: Sequence[Path]) -> History:
    """Read each path (a folder, zip or XML export of one year's return; the year from its name,
    e.g. 2024/, else from its latest date) and combine them."""
    from statutory.engine.errors import InputError  # noqa: PLC0415
    from statutory.ssda903.reader import read_return  # noqa: PLC0415
    from statutory.ssda903.schemas import supported_years  # noqa: PLC0415

    newest = max(supported_years())
    tables: dict[int, Mapping[str, pl.DataFrame]] = {}
    for path in paths:
        if not path.exists():
            raise ForecastInputError(f"{path}: no such file or folder.")
        named = _YEAR.findall(path.name)
        guess = int(named[0]) if len(named) == 1 else newest
        try:
            read = read_return(
                path, min(max(guess, min(supported_years())), newest), check_year=False
            )
        except InputError as error:
            raise ForecastInputError(f"{path}: {error}") from error
        if "Episodes" not in read.supplied or "Header" not in read.supplied:
            raise ForecastInputError(f"{path}: a return needs its Header and Episodes tables.")
        year = _year_of(path, read.tables["Episodes"])
        if year in tables:
            raise ForecastInputError(f"Two returns are for the same year ({year}).")
        tables[year] = read.tables
    return history_from_tables(tables)
