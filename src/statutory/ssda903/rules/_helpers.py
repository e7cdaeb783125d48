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
from collections.abc import Iterable, Sequence

import polars as pl

from statutory.engine import ROW_NUMBER, Context, Flag
from statutory.engine.columns import cleaned, same_cleaned
from statutory.engine.postcodes import SCHEMA as POSTCODE_SCHEMA
from statutory.engine.postcodes import Postcodes, postcode_key

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
        keys = values.select(postcode_key(pl.col("postcode_key")))
        wanted = keys.get_column("postcode_key").drop_nulls().unique()
        if wanted.is_empty():
            return pl.DataFrame(schema=POSTCODE_SCHEMA)
        return Postcodes.rows_for(wanted)

    return ctx.memo("return_postcodes", build)


# ---------------------------------------------------------------------------------------------
# Reading cells as supplied (the `<COLUMN>__raw` text, stripped and upper-cased): "provided"
# means the cell held text; rules 101-399 and 1000-1016 read cells this way.
# ---------------------------------------------------------------------------------------------


def raw(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The cell as supplied: stripped, upper-cased text; null when blank or absent."""
    source = f"{column}__raw"
    # A table as typed by the reader already holds cleaned text: skip cleaning it again
    # (the same values, without a strip and a case change per use).
    done = cleaned(frame)
    if source in frame.columns:
        if done is not None and source in done.stripped:
            return pl.col(source).str.to_uppercase()
        expr = pl.col(source).cast(pl.String)
    elif column in frame.columns:
        if done is not None and column in done.upper:
            return pl.col(column)
        expr = pl.col(column).cast(pl.String)
    else:
        return pl.lit(None, dtype=pl.String)
    expr = expr.str.strip_chars().str.to_uppercase()
    return pl.when(expr.str.len_chars() > 0).then(expr).otherwise(None)


def provided(frame: pl.DataFrame, column: str) -> pl.Expr:
    return raw(frame, column).is_not_null()


def blank(frame: pl.DataFrame, column: str) -> pl.Expr:
    return raw(frame, column).is_null()


def is_code(frame: pl.DataFrame, column: str, codes: Iterable[str]) -> pl.Expr:
    """True where the supplied value is one of `codes` (False for blanks)."""
    return raw(frame, column).is_in([str(c).upper() for c in codes]).fill_null(False)


def bad_code(frame: pl.DataFrame, column: str, codes: Iterable[str]) -> pl.Expr:
    """Provided but not one of `codes` (blanks pass)."""
    return provided(frame, column) & ~is_code(frame, column, codes)


def date(frame: pl.DataFrame, column: str) -> pl.Expr:
    """The typed date (null when blank or not a date)."""
    if column not in frame.columns:
        return pl.lit(None, dtype=pl.Date)
    return pl.col(column)


def bad_date(frame: pl.DataFrame, column: str) -> pl.Expr:
    """Provided but not a valid date."""
    return provided(frame, column) & date(frame, column).is_null()


def any_provided(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Expr:
    return pl.any_horizontal([provided(frame, c) for c in columns])


def all_provided(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Expr:
    return pl.all_horizontal([provided(frame, c) for c in columns])


def any_blank(frame: pl.DataFrame, columns: Sequence[str]) -> pl.Expr:
    return pl.any_horizontal([blank(frame, c) for c in columns])


def codes(ctx: Context, name: str, fallback: Sequence[str]) -> list[str]:
    """The year's code list from the schema; the DfE list quoted here if the schema lacks it."""
    try:
        found = ctx.codes(name)
    except KeyError:
        return list(fallback)
    return [str(c).upper() for c in found] or list(fallback)


def flagged(frame: pl.DataFrame, mask: pl.Expr) -> pl.DataFrame:
    """Rows of `frame` where `mask` is true (null counts as false)."""
    return frame.filter(mask.fill_null(False))


def date_if_provided(ctx: Context, table: str, column: str) -> pl.DataFrame:
    """Rows of `table` whose `column` is given but is not a valid date (the "If provided, X must
    be a valid date" rules)."""
    frame = ctx.table(table)
    return flagged(frame, bad_date(frame, column))


def code_if_provided(
    ctx: Context, table: str, column: str, fallback: Sequence[str]
) -> pl.DataFrame:
    """Rows of `table` whose `column` is given but is not in the year's code list for it
    (`fallback` when the schema lacks one): the "If provided, X must be one of …" rules."""
    frame = ctx.table(table)
    return flagged(frame, bad_code(frame, column, codes(ctx, column, fallback)))


def rows_of(frame: pl.DataFrame, row_numbers: pl.DataFrame | pl.Series) -> pl.DataFrame:
    """Rows of `frame` whose ROW_NUMBER is in `row_numbers` (one row each, file order)."""
    numbers = row_numbers if isinstance(row_numbers, pl.Series) else row_numbers[ROW_NUMBER]
    return frame.filter(pl.col(ROW_NUMBER).is_in(numbers.drop_nulls().unique().implode()))


def first_per_child(frame: pl.DataFrame, by: str, *, descending: bool = False) -> pl.DataFrame:
    """One row per child: the earliest (or latest) non-null `by`; ties go to the first row."""
    return (
        frame.filter(pl.col(by).is_not_null())
        .sort([CHILD, by, ROW_NUMBER], descending=[False, descending, False])
        .unique(subset=CHILD, keep="first", maintain_order=True)
    )


def male_code(ctx: Context) -> str:
    """SEX coded 1/2 up to 2023/24; M/F/U from 2024/25 (DfE 2024-25 spec, rule 101)."""
    return "M" if ctx.year >= 2025 else "1"


def female_code(ctx: Context) -> str:
    return "F" if ctx.year >= 2025 else "2"


def continuously_looked_after(ctx: Context) -> pl.DataFrame:
    """CHILD -> CLA (looked after continuously for 12 months at 31 March).

    The DfE definition as the validation rules use it (and as the validator councils use
    implements it): a child with an episode open at some point in the year is continuously
    looked after unless an episode (a) started care (RNE S) after 1 April, (b) ended, for a
    reason other than X1, on or after 1 April and before 31 March, or (c) is a V3/V4 short
    break open during the year. Children with no episode in the year are not.
    """

    def build() -> pl.DataFrame:
        eps = ctx.table("Episodes")
        start, end = ctx.collection_start, ctx.reference_date
        dec, decom = date(eps, "DEC"), date(eps, "DECOM")
        during = ((decom <= end) & ((dec >= start) | dec.is_null())).fill_null(False)
        enters = ((raw(eps, "RNE") == "S") & (decom > start) & (decom <= end)).fill_null(False)
        leaves = (raw(eps, "REC").ne_missing("X1") & (dec >= start) & (dec < end)).fill_null(False)
        short_breaks = is_code(eps, "LS", ["V3", "V4"]) & during
        return (
            eps.filter(pl.col(CHILD).is_not_null())
            .group_by(CHILD)
            .agg((during.any() & ~(enters | leaves | short_breaks).any()).alias("CLA"))
        )

    return ctx.memo(("ssda903.B", "continuously_looked_after", ctx.year), build)


def with_cla(ctx: Context, frame: pl.DataFrame) -> pl.DataFrame:
    cla = continuously_looked_after(ctx)
    return frame.join(cla, on=CHILD, how="left", maintain_order="left").with_columns(
        pl.col("CLA").fill_null(False)
    )


def header_uasc(ctx: Context, previous: bool = False) -> pl.DataFrame | None:
    """CHILD, ROW_NUMBER (of Header) and UASC status ("1"/"0"/other) as the rules see it.

    XML returns carry the child's UASC status in the header (`UASC`, `UASC_STATUS` from
    2024/25). CSV returns do not: as the DfE's loader does, a child is UASC when they have a
    row in the UASC table. None when neither is available (no status to check against).
    """
    header = ctx.optional_previous("Header") if previous else ctx.table("Header")
    uasc = ctx.optional_previous("UASC") if previous else ctx.optional("UASC")
    header_supplied = ctx.previous_supplied("Header") if previous else ctx.supplied("Header")
    uasc_supplied = ctx.previous_supplied("UASC") if previous else ctx.supplied("UASC")
    for column in ("UASC_STATUS", "UASC"):
        if column in header.columns and header[column].is_not_null().any():
            return header.select(CHILD, ROW_NUMBER, raw(header, column).alias("UASC"))
    if not uasc_supplied:
        return None
    if header_supplied:
        members = uasc.select(CHILD).unique()
        return header.select(
            CHILD,
            ROW_NUMBER,
            pl.when(pl.col(CHILD).is_in(members[CHILD].implode()))
            .then(pl.lit("1"))
            .otherwise(pl.lit("0"))
            .alias("UASC"),
        )
    # No header supplied: a UASC row with any item besides CHILD and DOB is a UASC child.
    items = [c for c in ("SEX", "DUC") if c in uasc.columns]
    return uasc.select(
        CHILD,
        pl.lit(None, dtype=uasc.schema[ROW_NUMBER]).alias(ROW_NUMBER),
        pl.when(any_provided(uasc, items)).then(pl.lit("1")).otherwise(pl.lit("0")).alias("UASC"),
    )


# ---------------------------------------------------------------------------------------------
# Reading typed values (a value that did not parse still counts as "supplied"), row order and
# flags: rules 406-699 read cells this way.
# ---------------------------------------------------------------------------------------------


def supplied(frame: pl.DataFrame, column: str) -> pl.Expr:
    """True where the council wrote something in ``column``, valid or not.

    A typed value that did not parse is null but keeps its text in ``<column>__raw``; the
    DfE's "is provided" / "is not null" conditions are about what was written, so both count.
    """
    raw = f"{column}__raw"
    if raw in frame.columns:
        return pl.col(column).is_not_null() | pl.col(raw).is_not_null()
    return pl.col(column).is_not_null()


def not_supplied(frame: pl.DataFrame, column: str) -> pl.Expr:
    """True where ``column`` was left empty (the complement of :func:`supplied`)."""
    return ~supplied(frame, column)


def text(column: str) -> pl.Expr:
    """The column as text, whatever type the year's schema gives it (codes like ``1``)."""
    return pl.col(column).cast(pl.String)


def upper(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.to_uppercase()


def is_in(column: str, codes: Iterable[str]) -> pl.Expr:
    """Membership that is False (never null) for a blank value."""
    return text(column).is_in(list(codes)).fill_null(False)


def not_in(column: str, codes: Iterable[str]) -> pl.Expr:
    """Non-membership that is True for a blank value (a blank is not one of the codes)."""
    return ~is_in(column, codes)


def known(expr: pl.Expr) -> pl.Expr:
    """A comparison involving a missing value is not a finding."""
    return expr.fill_null(False)


def years_after(column: str, years: int) -> pl.Expr:
    """The date ``years`` after ``column`` (29 February moves to 28 February)."""
    return pl.col(column).dt.offset_by(f"{years}y")


def has_columns(frame: pl.DataFrame, *columns: str) -> bool:
    return all(c in frame.columns for c in columns)


def flags(
    fields: Sequence[str], **tables: tuple[pl.DataFrame, pl.DataFrame | pl.Series]
) -> list[Flag]:
    """One Flag per table: ``name=(table frame, rows or ROW_NUMBERs to flag)``."""
    return [
        Flag(table=name, rows=rows_of(frame, rows), fields=tuple(fields))
        for name, (frame, rows) in tables.items()
    ]


def in_order(episodes: pl.DataFrame, *by: str) -> pl.DataFrame:
    """Episodes in each child's date order; undated rows last, file order breaks ties."""
    return episodes.sort([CHILD, *by, ROW_NUMBER], nulls_last=True)


# On a frame sorted by child (see in_order): the previous/next row is the same child's.
HAS_PREVIOUS = (pl.col(CHILD) == pl.col(CHILD).shift(1)).fill_null(False)
HAS_NEXT = (pl.col(CHILD) == pl.col(CHILD).shift(-1)).fill_null(False)


def previous(column: str) -> pl.Expr:
    """The value on the child's previous row (frame already in child order); null on a
    child's first row."""
    return pl.when(HAS_PREVIOUS).then(pl.col(column).shift(1)).otherwise(None)


def following(column: str) -> pl.Expr:
    return pl.when(HAS_NEXT).then(pl.col(column).shift(-1)).otherwise(None)


def episodes_by_start(ctx: Context) -> pl.DataFrame:
    """This year's Episodes in each child's DECOM order (shared by the chain checks)."""
    return ctx.memo(("r400s", "episodes_by_start"), lambda: episodes_in_order(ctx))


def first_rows(frame: pl.DataFrame, date: str) -> pl.DataFrame:
    """Each child's row with the earliest ``date`` (first in file order on a tie)."""
    dated = frame.filter(pl.col(date).is_not_null())
    return in_order(dated, date).unique(subset=CHILD, keep="first", maintain_order=True)


def last_rows(frame: pl.DataFrame, date: str) -> pl.DataFrame:
    """Each child's row with the latest ``date`` (first in file order on a tie)."""
    dated = frame.filter(pl.col(date).is_not_null())
    ordered = dated.sort([CHILD, date, ROW_NUMBER], descending=[False, True, False])
    return ordered.unique(subset=CHILD, keep="first", maintain_order=True)


def date_lit(value: dt.date) -> pl.Expr:
    return pl.lit(value, dtype=pl.Date)


def continuously_looked_after_in(episodes: pl.DataFrame, ctx: Context) -> pl.DataFrame:
    """Children looked after continuously for the 12 months to 31 March (``CHILD``, ``CLA``).

    The DfE's CONTINUOUSLY_LOOKED_AFTER: in care at some point in the year, and no episode
    that starts a period of care (RNE S) after 1 April, ends care (REC not X1) between
    1 April and 30 March, or is short-term-break care (V3/V4) during the year.
    """
    start, end = date_lit(ctx.collection_start), date_lit(ctx.reference_date)
    during = known((pl.col("DECOM") <= end) & ((pl.col("DEC") >= start) | pl.col("DEC").is_null()))
    enters = known((pl.col("RNE") == "S") & (pl.col("DECOM") > start) & (pl.col("DECOM") <= end))
    leaves = known(
        pl.col("REC").ne_missing("X1") & (pl.col("DEC") >= start) & (pl.col("DEC") < end)
    )
    short_break = is_in("LS", ("V3", "V4")) & during
    return episodes.group_by(CHILD).agg(
        (during.any() & ~(enters | leaves | short_break).any()).alias("CLA")
    )


# ---------------------------------------------------------------------------------------------
# Rules 331-399 (as first written for them): plain membership, rows by a key column, the same
# child's neighbouring row, the Header's DOB for every Header row.
# ---------------------------------------------------------------------------------------------


def is_one_of(column: str, codes: Iterable[str]) -> pl.Expr:
    """Membership that is False (never null) for a blank value."""
    return pl.col(column).is_in(list(codes)).fill_null(False)


def rows_where(frame: pl.DataFrame, keep: pl.DataFrame, on: str = ROW_NUMBER) -> pl.DataFrame:
    """The rows of ``frame`` whose ``on`` value is in ``keep[on]`` (original columns, once)."""
    return frame.filter(pl.col(on).is_in(keep[on].implode()))


def same_child_shift(column: str, n: int) -> pl.Expr:
    """``column`` from ``n`` rows earlier (negative: later) when that row is the same child's;
    for frames sorted by child (a plain shift is much faster than a window over children)."""
    same = pl.col(CHILD).shift(n).eq_missing(pl.col(CHILD))
    return pl.when(same).then(pl.col(column).shift(n))


def header_dob(ctx: Context) -> pl.DataFrame:
    """CHILD -> DOB from the Header (every Header row, as a pandas merge would use them)."""
    return ctx.table("Header").select(CHILD, pl.col("DOB").alias("__DOB"))
