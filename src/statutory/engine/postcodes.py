"""Postcode lookups from the ONS Postcode Directory in `../shared/data/reference/onspd/`.

Loaded once per process, and only when a check asks for it (2.7M postcodes). Postcodes are
matched without spaces, upper case. Grid references are OS eastings/northings in metres, so
distances are plain Euclidean; `distance_miles` converts to miles as the DfE reports
`PL_DISTANCE`. The first load writes a Parquet copy to `$ALLIANCE_CACHE_DIR` (default
`~/.cache/alliance`), so later runs load in a fraction of a second, and a copy split by
postcode district (`onspd-…-areas/NE33.parquet`, …): `Postcodes.rows_for(keys)` reads only the areas a
return's postcodes are in (a council's return touches a few hundred of the 3,000), which is what the
SSDA903 location rules need; loading all 2.7M rows took most of a small return's check time.
"""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import ClassVar

import polars as pl

from statutory.engine.cache import cache_dir
from statutory.reference import shared_path

METRES_PER_MILE = 1609.344
SCHEMA = {
    "postcode_key": pl.String,
    "easting": pl.Int64,
    "northing": pl.Int64,
    "lad_code": pl.String,
}
ONSPD = ("reference", "onspd", "onspd_postcodes.csv.gz")
# A postcode area: the letters a postcode (or a district file's name) starts with.
_AREA = re.compile(r"^[A-Z]+")


def postcode_key(expr: pl.Expr) -> pl.Expr:
    """Normalise a postcode column for matching: upper case, no spaces."""
    return expr.str.to_uppercase().str.replace_all(r"\s+", "")


def _cache_path(source: Path) -> Path | None:
    """`$ALLIANCE_CACHE_DIR` (default ~/.cache/alliance)/onspd-<size>-<mtime>.parquet."""
    try:
        stat = source.stat()
    except OSError:
        return None
    return cache_dir() / f"onspd-{stat.st_size}-{int(stat.st_mtime)}.parquet"


def _areas_path(cached: Path) -> Path:
    return cached.with_name(cached.stem + "-areas")


# The outward code (the postcode without its last three characters, "NE33" of "NE33 4AD"): the
# directory is split into one small file per district (about 3,000), so a return's postcodes
# read a few hundred.
def _district(expr: pl.Expr) -> pl.Expr:
    return expr.str.slice(0, pl.max_horizontal(expr.str.len_chars() - 3, pl.lit(1)))


def _write_areas(frame: pl.DataFrame, target: Path) -> None:
    """One Parquet file per postcode area, written beside the cache and renamed into place."""
    temp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        temp.mkdir(parents=True, exist_ok=True)
        with_area = frame.with_columns(
            _district(pl.col("postcode_key")).fill_null("_").alias("__area")
        )
        for (area,), part in with_area.group_by("__area"):
            part.drop("__area").write_parquet(temp / f"{area}.parquet")
        os.replace(temp, target)
    except OSError:
        pass
    finally:
        shutil.rmtree(temp, ignore_errors=True)


def _read_directory(source: Path) -> pl.DataFrame:
    """The whole directory (postcode_key, easting, northing, lad_code) from `source`, through its
    Parquet copy in the cache folder (written on first read when the folder is writable)."""
    cached = _cache_path(source)
    if cached is not None and cached.exists():
        try:
            return pl.read_parquet(cached)
        except (OSError, pl.exceptions.PolarsError):
            pass
    raw = pl.read_csv(
        source,
        schema_overrides={
            "postcode": pl.String,
            "easting": pl.Int64,
            "northing": pl.Int64,
            "lad_code": pl.String,
        },
    )
    # The directory holds each postcode once; its spaces are removed literally (no regex).
    frame = raw.select(
        pl.col("postcode")
        .str.to_uppercase()
        .str.replace_all(" ", "", literal=True)
        .alias("postcode_key"),
        "easting",
        "northing",
        "lad_code",
    )
    if cached is not None:
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temp = cached.with_suffix(f".{os.getpid()}.tmp")
            frame.write_parquet(temp)
            os.replace(temp, cached)
        except OSError:
            pass
    return frame


class Postcodes:
    _shared: ClassVar[Postcodes | None] = None
    _lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, frame: pl.DataFrame) -> None:
        # columns: postcode_key, easting, northing, lad_code
        self.frame = frame

    @classmethod
    def shared(cls) -> Postcodes:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls.load()
            return cls._shared

    @classmethod
    def load(cls, source: Path | None = None) -> Postcodes:
        """From a Parquet copy in the cache folder when there is one (0.2s), else from the
        shared CSV (seconds), writing the copy for next time when the folder is writable."""
        return cls(_read_directory(source or shared_path(*ONSPD)))

    @classmethod
    def rows_for(cls, keys: pl.Series) -> pl.DataFrame:
        """The directory's rows (postcode_key, easting, northing, lad_code) for these keys
        (upper case, no spaces): exactly `shared().frame` filtered to them, read from the
        per-area copy when there is one (made on first use), so the whole directory is not
        loaded."""
        wanted = keys.drop_nulls().unique()
        cached = _cache_path(shared_path(*ONSPD))
        areas_dir = _areas_path(cached) if cached is not None else None
        if cls._shared is not None or areas_dir is None or not areas_dir.is_dir():
            # already in memory (a long-running process), or no per-area copy yet: make it
            shared = cls.shared()
            if areas_dir is not None and not areas_dir.is_dir():
                _write_areas(shared.frame, areas_dir)
            return shared.frame.filter(pl.col("postcode_key").is_in(wanted.implode()))
        areas = wanted.to_frame("k").select(_district(pl.col("k"))).to_series().unique().to_list()
        files = [areas_dir / f"{area}.parquet" for area in areas if area.isalnum()]
        files = [f for f in files if f.exists()]
        if not files:
            return pl.DataFrame(schema=SCHEMA)
        found = pl.scan_parquet(files).filter(pl.col("postcode_key").is_in(wanted.implode()))
        return found.collect()

    @classmethod
    def in_areas(cls, areas: Iterable[str], source: Path | None = None) -> pl.DataFrame:
        """The directory's rows (postcode_key, easting, northing, lad_code) whose postcode area,
        the letters it starts with ("NE" of "NE33 4AD"), is one of `areas`: exactly the whole
        directory filtered to them, read from the per-district copies when there are, so a
        service working in one region never holds the whole directory. `source`: another copy of
        the directory (default: the shared data folder's)."""
        wanted = sorted({area.upper() for area in areas})
        default = source is None
        source = source or shared_path(*ONSPD)
        cached = _cache_path(source)
        areas_dir = _areas_path(cached) if cached is not None else None
        in_memory = default and cls._shared is not None
        if not in_memory and areas_dir is not None and areas_dir.is_dir():
            files = [
                path
                for path in sorted(areas_dir.glob("*.parquet"))
                if (found := _AREA.match(path.stem)) is not None and found.group(0) in wanted
            ]
            return pl.read_parquet(files) if files else pl.DataFrame(schema=SCHEMA)
        whole = cls.shared().frame if default else _read_directory(source)
        if areas_dir is not None and not areas_dir.is_dir():
            _write_areas(whole, areas_dir)
        area = pl.col("postcode_key").str.extract(r"^([A-Z]+)", 1)
        return whole.filter(area.is_in(wanted))

    def lookup(self, frame: pl.DataFrame, column: str, prefix: str | None = None) -> pl.DataFrame:
        """`frame` with `<prefix>easting`, `<prefix>northing`, `<prefix>lad_code` added
        (null where the postcode is missing or unknown). Prefix defaults to `<column>_`."""
        prefix = f"{column}_" if prefix is None else prefix
        right = self.frame.rename(
            {
                "easting": f"{prefix}easting",
                "northing": f"{prefix}northing",
                "lad_code": f"{prefix}lad_code",
            }
        )
        # Normalise each distinct value once (a return repeats its postcodes many times), then
        # join the rows to that small value -> location table.
        located = (
            frame.select(pl.col(column).unique().alias("__pc_value"))
            .with_columns(postcode_key(pl.col("__pc_value")).alias("__pc_key"))
            .join(right, left_on="__pc_key", right_on="postcode_key", how="inner")
            .drop("__pc_key")
        )
        return frame.join(
            located, left_on=column, right_on="__pc_value", how="left", maintain_order="left"
        )

    def distance_miles(
        self, frame: pl.DataFrame, from_column: str, to_column: str, name: str = "PL_DISTANCE"
    ) -> pl.DataFrame:
        """Add the straight-line distance in miles between two postcode columns (1 decimal),
        null when either postcode is missing or unknown."""
        a = self.lookup(frame, from_column, "__a_")
        b = self.lookup(a, to_column, "__b_")
        distance = (
            (
                (pl.col("__a_easting") - pl.col("__b_easting")).pow(2)
                + (pl.col("__a_northing") - pl.col("__b_northing")).pow(2)
            ).sqrt()
            / METRES_PER_MILE
        ).round(1)
        temp = [f"{p}{c}" for p in ("__a_", "__b_") for c in ("easting", "northing", "lad_code")]
        return b.with_columns(distance.alias(name)).drop(temp)
