"""Where a referred family lives: whether the postcode exists and whether it is in the area of the
council that runs the service, from the ONS Postcode Directory through the service's one postcode
module (`alliance.organisations.postcodes`). Each postcode area ("NE", "SW", ...) is loaded the
first time a family's postcode is in it, and kept for the process."""

from __future__ import annotations

import functools
import re
import threading
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import polars as pl
from django.conf import settings

from alliance.organisations import postcodes
from alliance.organisations.loaders import LTLA_UTLA
from alliance.organisations.models import Council, Organisation

_AREA = re.compile(r"^[A-Z]{1,2}")
_directories: dict[str, postcodes.PostcodeDirectory] = {}
_lock = threading.Lock()


class Where(StrEnum):
    INSIDE = "inside"  # in the council's area
    OUTSIDE = "outside"  # a real postcode in another council's area (or outside England)
    UNKNOWN = "unknown"  # not in the directory: most likely mistyped
    UNCHECKED = "unchecked"  # no directory to check with (it is not in the shared data folder)


@dataclass(frozen=True)
class FamilyPostcode:
    where: Where
    council_code: str | None = None  # the ONS code of the council whose area holds it


def _directory(postcode: str) -> postcodes.PostcodeDirectory | None:
    found = _AREA.match(postcodes.compact_key(postcode))
    if found is None:
        return None
    area = found.group(0)
    with _lock:
        if area not in _directories:
            _directories[area] = postcodes.PostcodeDirectory((area,))
        return _directories[area]


@functools.cache
def _upper_tier() -> dict[str, str]:
    """District (lower-tier) ONS code → the county or unitary council over it: the directory
    names districts, and a county council's area is its districts'."""
    path = Path(settings.SHARED_DATA_DIR) / LTLA_UTLA
    if not path.exists():
        return {}
    frame = pl.read_csv(path, columns=["LTLA23CD", "UTLA23CD"], encoding="utf8-lossy")
    return dict(frame.iter_rows())


def locate(organisation: Organisation, postcode: str) -> FamilyPostcode:
    """Is `postcode` (already tidied) a real postcode in the council's area?"""
    if not postcodes.directory_path().exists():
        return FamilyPostcode(Where.UNCHECKED)
    directory = _directory(postcode)
    if directory is None or directory.grid_reference(postcode) is None:
        return FamilyPostcode(Where.UNKNOWN)
    code = directory.council_code(postcode)
    council = getattr(organisation, "council", None)
    if council is None or council.ons_code in (code, _upper_tier().get(code or "")):
        return FamilyPostcode(Where.INSIDE, code)
    return FamilyPostcode(Where.OUTSIDE, code)


def area_name(place: FamilyPostcode) -> str:
    """Whose area a postcode outside the council is in, in words: "Westminster's area"."""
    codes = [c for c in (place.council_code, _upper_tier().get(place.council_code or "")) if c]
    council = Council.objects.filter(ons_code__in=codes).order_by("name").first()
    return f"{council.name}'s area" if council else "an area outside England's councils"
