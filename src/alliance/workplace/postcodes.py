"""Postcodes to OS grid references, from the ONS Postcode Directory in the shared data folder
(no network at run time).

WorkPlace works in the North East, so only the North East's postcode areas are kept (about 90,000
postcodes instead of 2.7 million): the first use reads the gzipped directory once and writes a
Parquet copy under the var folder (`settings.VAR_DIR/workplace/`), which later processes load in
milliseconds. Grid references are metres on the OS National Grid, so a straight-line distance is
plain Pythagoras.
"""

from __future__ import annotations

import math
import os
import re
import threading
from pathlib import Path

import polars as pl
from django.conf import settings

METRES_PER_MILE = 1609.344
# Postcode areas of the North East: Newcastle (NE), Sunderland (SR), Durham (DH), Darlington (DL)
# and Cleveland (TS).
AREAS = ("NE", "SR", "DH", "DL", "TS")
POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")

_lock = threading.Lock()
_tables: dict[str, dict[str, tuple[int, int]]] = {}
_districts: dict[str, dict[str, str]] = {}


def source_path() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "reference" / "onspd" / "onspd_postcodes.csv.gz"


def normalise(postcode: str) -> str:
    """'ne33 2rl' → 'NE33 2RL' (the inward code is always the last three characters)."""
    compact = re.sub(r"\s+", "", postcode or "").upper()
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def _key(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode or "").upper()


def _cache_path(source: Path) -> Path:
    stat = source.stat()
    return (
        Path(settings.VAR_DIR)
        / "workplace"
        / f"onspd-north-east-v2-{stat.st_size}-{int(stat.st_mtime)}.parquet"
    )


def _load() -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
    source = source_path()
    cached = _cache_path(source)
    frame: pl.DataFrame | None = None
    if cached.exists():
        try:
            frame = pl.read_parquet(cached)
        except (OSError, pl.exceptions.PolarsError):
            frame = None
    if frame is None:
        area = pl.col("postcode").str.extract(r"^([A-Z]+)", 1)
        frame = (
            pl.scan_csv(
                source,
                schema_overrides={
                    "postcode": pl.String,
                    "easting": pl.Int64,
                    "northing": pl.Int64,
                    "lad_code": pl.String,
                },
            )
            .filter(area.is_in(AREAS) & pl.col("easting").is_not_null())
            .select(
                pl.col("postcode").str.replace_all(" ", "", literal=True).alias("key"),
                "easting",
                "northing",
                pl.col("lad_code").fill_null(""),
            )
            .collect()
        )
        try:
            cached.parent.mkdir(parents=True, exist_ok=True)
            temp = cached.with_suffix(f".{os.getpid()}.tmp")
            frame.write_parquet(temp)
            os.replace(temp, cached)
        except OSError:
            pass  # a read-only var folder: keep the table in memory only
    grid = {
        key: (int(e), int(n))
        for key, e, n in zip(frame["key"], frame["easting"], frame["northing"], strict=True)
    }
    districts = {
        key: code
        for key, code in zip(frame["key"], frame["lad_code"], strict=True)
        if code and code.startswith("E")
    }
    return grid, districts


def table() -> dict[str, tuple[int, int]]:
    with _lock:
        if "north-east" not in _tables:
            _tables["north-east"], _districts["north-east"] = _load()
        return _tables["north-east"]


def council_code(postcode: str) -> str | None:
    """The ONS code of the local authority whose area holds this North East postcode (for
    example E08000023, South Tyneside), or None when the directory does not say."""
    table()
    return _districts["north-east"].get(_key(postcode))


def grid_reference(postcode: str) -> tuple[int, int] | None:
    """(easting, northing) of a North East postcode, or None when it is not in the directory."""
    return table().get(_key(postcode))


def miles_between(a: tuple[int, int] | None, b: tuple[int, int] | None) -> float | None:
    if a is None or b is None or None in a or None in b:
        return None
    return math.hypot(a[0] - b[0], a[1] - b[1]) / METRES_PER_MILE
