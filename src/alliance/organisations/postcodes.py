"""UK postcodes: the one way the service tidies and checks a postcode, and the ONS Postcode
Directory (in the shared data folder, no network at run time) to find where a postcode is and
which council's area holds it.

A service that works in one region loads only that region's postcode areas (for the North East
about 90,000 postcodes instead of 2.7 million): `PostcodeDirectory(("NE", "SR", ...))`. The first
use reads the gzipped directory once and writes a Parquet copy under the var folder
(`settings.VAR_DIR/postcodes/`), which later processes load in milliseconds. Grid references are
metres on the OS National Grid, so a straight-line distance is plain Pythagoras.
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError

# A postcode as `normalise` writes it: outward code, one space, inward code (digit, two letters).
POSTCODE_PATTERN = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}$")
INVALID_MESSAGE = "Enter a real postcode, like NE29 6DL"


def normalise(postcode: str) -> str:
    """'ne33 2rl' → 'NE33 2RL' (the inward code is always the last three characters)."""
    compact = compact_key(postcode)
    return f"{compact[:-3]} {compact[-3:]}" if len(compact) > 3 else compact


def compact_key(postcode: str) -> str:
    """'ne33 2rl' → 'NE332RL': how the directory is keyed."""
    return re.sub(r"\s+", "", postcode or "").upper()


def is_postcode(postcode: str) -> bool:
    """Whether this has the shape of a UK postcode (once tidied); not whether it exists."""
    return bool(POSTCODE_PATTERN.match(normalise(postcode)))


def valid_postcode(postcode: str, message: str = INVALID_MESSAGE) -> str:
    """The postcode tidied (`normalise`), or a `ValidationError` when it is not shaped like one."""
    tidied = normalise(postcode)
    if not POSTCODE_PATTERN.match(tidied):
        raise ValidationError(message, code="postcode")
    return tidied


def directory_path() -> Path:
    return Path(settings.SHARED_DATA_DIR) / "reference" / "onspd" / "onspd_postcodes.csv.gz"


@dataclass
class PostcodeDirectory:
    """The ONS Postcode Directory for some postcode areas (e.g. ("NE", "SR")), loaded on first
    use and kept for the life of the process."""

    areas: tuple[str, ...]
    _grid: dict[str, tuple[int, int]] | None = field(default=None, init=False, repr=False)
    _districts: dict[str, str] = field(default_factory=dict, init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    def table(self) -> dict[str, tuple[int, int]]:
        """Every postcode in the areas (compact, as `compact_key`) → (easting, northing)."""
        with self._lock:
            if self._grid is None:
                self._grid, self._districts = self._load()
            return self._grid

    def grid_reference(self, postcode: str) -> tuple[int, int] | None:
        """(easting, northing) of a postcode, or None when it is not in these areas' directory."""
        return self.table().get(compact_key(postcode))

    def council_code(self, postcode: str) -> str | None:
        """The ONS code of the English local authority whose area holds this postcode (for
        example E08000023, South Tyneside), or None when the directory does not say."""
        self.table()
        return self._districts.get(compact_key(postcode))

    def _cache_path(self, source: Path) -> Path:
        stat = source.stat()
        areas = "-".join(sorted(self.areas)).lower()
        return (
            Path(settings.VAR_DIR)
            / "postcodes"
            / f"onspd-{areas}-v2-{stat.st_size}-{int(stat.st_mtime)}.parquet"
        )

    def _read(self, source: Path) -> pl.DataFrame:
        area = pl.col("postcode").str.extract(r"^([A-Z]+)", 1)
        return (
            pl.scan_csv(
                source,
                schema_overrides={
                    "postcode": pl.String,
                    "easting": pl.Int64,
                    "northing": pl.Int64,
                    "lad_code": pl.String,
                },
            )
            .filter(area.is_in(self.areas) & pl.col("easting").is_not_null())
            .select(
                pl.col("postcode").str.replace_all(" ", "", literal=True).alias("key"),
                "easting",
                "northing",
                pl.col("lad_code").fill_null(""),
            )
            .collect()
        )

    def _load(self) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
        source = directory_path()
        cached = self._cache_path(source)
        frame: pl.DataFrame | None = None
        if cached.exists():
            try:
                frame = pl.read_parquet(cached)
            except (OSError, pl.exceptions.PolarsError):
                frame = None
        if frame is None:
            frame = self._read(source)
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
