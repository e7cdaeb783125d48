"""Helpers shared by the SSDA903 checks (and the indicators): ages, episode chains, date ranges.

All are Polars expressions or frame -> frame functions, so checks stay vectorised. Derived frames
that several checks need (the episode chain, placement distances) are built once per run through
`ctx.memo`. Conventions:

- An open date range has a null end; `overlaps` and `open_on` treat it as open-ended.
- Ages count whole years with calendar birthdays; a 29 February birthday is reached on 1 March
  in other years (as the law reads it). `add_years` clamps 29 February to 28 February.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from statutory.engine import ROW_NUMBER, Context
from statutory.engine.columns import same_cleaned
from statutory.engine.postcodes import SCHEMA as POSTCODE_SCHEMA
from statutory.engine.postcodes import Postcodes

CHILD = "CHILD"

DateLike = pl.Expr | dt.date


def _expr(value: DateLike) -> pl.Expr:
    return value if isinstance(value, pl.Expr) else pl.lit(value, dtype=pl.Date)


def age_at(dob: DateLike, on: DateLike) -> pl.Expr:
    """Whole years between `dob` and `on` (null if either is null)."""
    birth, date = _expr(dob), _expr(on)
    years = date.dt.year() - birth.dt.year()
    before_birthday = (date.dt.month() < birth.dt.month()) | (
        (date.dt.month() == birth.dt.month()) & (date.dt.day() < birth.dt.day())
    )
    return (years - before_birthday.cast(pl.Int32)).cast(pl.Int32)


def add_years(date: DateLike, years: int) -> pl.Expr:
    """`date` plus whole years (29 February -> 28 February in other years)."""
    return _expr(date).dt.offset_by(f"{years}y")


def birthday_in(dob: DateLike, age: int, start: DateLike, end: DateLike) -> pl.Expr:
    """True when the child's `age`th birthday falls in [start, end]."""
    birthday = add_years(dob, age)
    return (birthday >= _expr(start)) & (birthday <= _expr(end))


def overlaps(start_a: DateLike, end_a: DateLike, start_b: DateLike, end_b: DateLike) -> pl.Expr:
    """Whether [start_a, end_a] and [start_b, end_b] share a day; a null end is open."""
    a_end_ok = _expr(end_a).is_null() | (_expr(end_a) >= _expr(start_b))
    b_end_ok = _expr(end_b).is_null() | (_expr(end_b) >= _expr(start_a))
    return (_expr(start_a) <= _expr(end_b).fill_null(dt.date(9999, 12, 31))) & a_end_ok & b_end_ok


def open_on(start: DateLike, end: DateLike, on: DateLike) -> pl.Expr:
    """Whether a range [start, end] (null end = still open) includes the day `on`."""
    return (_expr(start) <= _expr(on)) & (_expr(end).is_null() | (_expr(end) >= _expr(on)))


def in_year(ctx: Context, date: DateLike) -> pl.Expr:
    """Whether a date falls in the collection year (1 April .. 31 March)."""
    value = _expr(date)
    return (value >= ctx.collection_start) & (value <= ctx.reference_date)


def in_year_open_end(ctx: Context, start: DateLike, end: DateLike) -> pl.Expr:
    """Whether a range touches the collection year."""
    return overlaps(start, end, ctx.collection_start, ctx.reference_date)


def rows_of(table: pl.DataFrame, flagged: pl.DataFrame) -> pl.DataFrame:
    """The rows of `table` whose ROW_NUMBER appears in `flagged` (after joins that fanned out
    or dropped columns), in table order, each once."""
    numbers = flagged.get_column(ROW_NUMBER).unique()
    return table.filter(pl.col(ROW_NUMBER).is_in(numbers.implode()))


def with_header(ctx: Context, frame: pl.DataFrame, *columns: str) -> pl.DataFrame:
    """`frame` with Header columns (default DOB) joined on CHILD (first Header row per child).
    Joined columns are suffixed `_header` when `frame` already has them (e.g. DOB)."""
    wanted = list(columns) or ["DOB"]
    header = ctx.table("Header").select(CHILD, *wanted).unique(subset=CHILD, keep="first")
    return frame.join(header, on=CHILD, how="left", suffix="_header", maintain_order="left")


def episodes_in_order(ctx: Context, previous: bool = False) -> pl.DataFrame:
    """This year's (or last year's) Episodes sorted by CHILD, DECOM, ROW_NUMBER (blank DECOM
    last): the order most chain checks need, sorted once per run (memoised)."""

    def build() -> pl.DataFrame:
        episodes = ctx.previous("Episodes") if previous else ctx.table("Episodes")
        ordered = episodes.sort([CHILD, "DECOM", ROW_NUMBER], nulls_last=True)
        return same_cleaned(episodes, ordered)

    return ctx.memo(("episodes_in_order", previous), build)


def episode_chain(ctx: Context, previous: bool = False) -> pl.DataFrame:
    """Episodes in order per child (CHILD, DECOM, ROW_NUMBER) with neighbour columns:

    `EPISODE_INDEX` (0-based within the child), `IS_FIRST`, `IS_LAST`, and `PREV_<C>` /
    `NEXT_<C>` for DECOM, DEC, RNE, LS, PLACE, PLACE_PROVIDER, REC, REASON_PLACE_CHANGE,
    PL_POST, URN and ROW_NUMBER. Built once per run (memoised)."""

    def build() -> pl.DataFrame:
        ordered = episodes_in_order(ctx, previous)
        carried = [
            c
            for c in (
                "DECOM",
                "DEC",
                "RNE",
                "LS",
                "PLACE",
                "PLACE_PROVIDER",
                "REC",
                "REASON_PLACE_CHANGE",
                "PL_POST",
                "URN",
                ROW_NUMBER,
            )
            if c in ordered.columns
        ]
        # Sorted by child: neighbours are one shift away, masked where the child changes
        # (much faster than per-child window functions with tens of thousands of children).
        same_prev = (pl.col(CHILD) == pl.col(CHILD).shift(1)).fill_null(False)
        same_next = (pl.col(CHILD) == pl.col(CHILD).shift(-1)).fill_null(False)
        index = pl.int_range(pl.len(), dtype=pl.Int64)
        first_index = pl.when(~same_prev).then(index).forward_fill()
        return ordered.with_columns(
            (index - first_index).alias("EPISODE_INDEX"),
            *(pl.when(same_prev).then(pl.col(c).shift(1)).alias(f"PREV_{c}") for c in carried),
            *(pl.when(same_next).then(pl.col(c).shift(-1)).alias(f"NEXT_{c}") for c in carried),
            (~same_prev).alias("IS_FIRST"),
            (~same_next).alias("IS_LAST"),
        )

    return ctx.memo(("episode_chain", previous), build)


def periods_of_care(ctx: Context, previous: bool = False) -> pl.DataFrame:
    """One row per period of care: a run of episodes where each starts on the day the last
    ended. Columns: CHILD, PERIOD (0-based), START, END (null = still looked after),
    EPISODES, FIRST_ROW, LAST_ROW, LS_FIRST, REC_LAST. Memoised."""

    def build() -> pl.DataFrame:
        chain = episode_chain(ctx, previous)
        starts_period = (
            pl.col("IS_FIRST")
            | pl.col("PREV_DEC").is_null()
            | (pl.col("PREV_DEC") != pl.col("DECOM"))
        )
        return (
            chain.with_columns(starts_period.cast(pl.Int64).cum_sum().alias("P"))
            .group_by(CHILD, "P", maintain_order=True)
            .agg(
                pl.col("DECOM").first().alias("START"),
                pl.col("DEC").last().alias("END"),
                pl.len().alias("EPISODES"),
                pl.col(ROW_NUMBER).first().alias("FIRST_ROW"),
                pl.col(ROW_NUMBER).last().alias("LAST_ROW"),
                pl.col("LS").first().alias("LS_FIRST"),
                pl.col("REC").last().alias("REC_LAST"),
            )
            .with_columns(
                (pl.col("P") - pl.col("P").min().over(CHILD)).cast(pl.Int32).alias("PERIOD")
            )
            .drop("P")
        )

    return ctx.memo(("periods_of_care", previous), build)


def looked_after_on(ctx: Context, on: dt.date) -> pl.Series:
    """The CHILD ids with an episode open on `on`."""
    episodes = ctx.table("Episodes")
    return episodes.filter(open_on(pl.col("DECOM"), pl.col("DEC"), on)).get_column(CHILD).unique()


def placement_distances(ctx: Context) -> pl.DataFrame:
    """Episodes with `PL_DISTANCE` (miles, home postcode to placement postcode, 1 decimal) and
    `PL_LA_DISTRICT` (ONS district code of the placement postcode), the way the DfE derives
    them from the ONS Postcode Directory. Loads the postcodes on first use; memoised."""

    def build() -> pl.DataFrame:
        episodes = ctx.table("Episodes")
        postcodes = Postcodes(return_postcodes(ctx))
        with_distance = postcodes.distance_miles(episodes, "HOME_POST", "PL_POST")
        located = postcodes.lookup(with_distance, "PL_POST", "__pl_")
        return located.rename({"__pl_lad_code": "PL_LA_DISTRICT"}).drop(
            "__pl_easting", "__pl_northing"
        )

    return ctx.memo("placement_distances", build)


def return_postcodes(ctx: Context) -> pl.DataFrame:
    """The rows of the national postcode directory (postcode_key, easting, northing, lad_code)
    for every HOME_POST and PL_POST in this year's and last year's Episodes: read from the
    per-area copy of the directory (see `Postcodes.rows_for`) once per run, shared by every check that locates a postcode (lookups against
    this subset find exactly what they would find in the whole directory). Memoised."""

    def build() -> pl.DataFrame:
        values = pl.concat(
            [
                frame.select(pl.col(column).cast(pl.String).alias("postcode_key"))
                for frame in (ctx.table("Episodes"), ctx.optional_previous("Episodes"))
                for column in ("HOME_POST", "PL_POST")
                if column in frame.columns
            ]
        ).unique()
        keys = values.select(pl.col("postcode_key").str.to_uppercase().str.replace_all(r"\s+", ""))
        wanted = keys.get_column("postcode_key").drop_nulls().unique()
        if wanted.is_empty():
            return pl.DataFrame(schema=POSTCODE_SCHEMA)
        return Postcodes.rows_for(wanted)

    return ctx.memo("return_postcodes", build)
