"""UK postcodes: the one way the service tidies and checks a postcode, and the ONS Postcode
Directory (in the shared data folder, no network at run time) to find where a postcode is and
which council's area holds it.

A service that works in one region loads only that region's postcode areas (for the North East
about 90,000 postcodes instead of 2.7 million): `PostcodeDirectory(("NE", "SR", ...))`. It reads
them through the statutory library's one cached copy of the directory
(`statutory.engine.postcodes.Postcodes.in_areas`: one small Parquet file per postcode district
in `ALLIANCE_CACHE_DIR`, written on first use), so later processes load a region in
milliseconds. Grid references are
metres on the OS National Grid, so a straight-line distance is plain Pythagoras.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.exceptions import ValidationError

from statutory.engine.postcodes import Postcodes

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

    def _load(self) -> tuple[dict[str, tuple[int, int]], dict[str, str]]:
        frame = Postcodes.in_areas(self.areas, directory_path()).filter(
            pl.col("easting").is_not_null() & pl.col("northing").is_not_null()
        )
        grid = {
            key: (int(e), int(n))
            for key, e, n in zip(
                frame["postcode_key"], frame["easting"], frame["northing"], strict=True
            )
        }
        districts = {
            key: code
            for key, code in zip(
                frame["postcode_key"], frame["lad_code"].fill_null(""), strict=True
            )
            if code and code.startswith("E")
        }
        return grid, districts
