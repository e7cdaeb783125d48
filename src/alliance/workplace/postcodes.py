"""WorkPlace's own use of postcodes: the North East's postcode areas and straight-line miles.

Tidying and checking a postcode, and reading the ONS Postcode Directory (with its Parquet cache),
are `alliance.organisations.postcodes`; this module only says which areas WorkPlace loads
(`NORTH_EAST`, about 107,000 postcodes instead of 2.7 million) and turns two OS grid references
(metres) into miles.
"""

from __future__ import annotations

import math

from alliance.organisations.postcodes import PostcodeDirectory

METRES_PER_MILE = 1609.344
# Postcode areas of the North East: Newcastle (NE), Sunderland (SR), Durham (DH), Darlington (DL)
# and Cleveland (TS).
AREAS = ("NE", "SR", "DH", "DL", "TS")
# The ONS Postcode Directory for those areas, loaded on first use and kept for the process.
NORTH_EAST = PostcodeDirectory(AREAS)


def miles_between(a: tuple[int, int] | None, b: tuple[int, int] | None) -> float | None:
    if a is None or b is None or None in a or None in b:
        return None
    return math.hypot(a[0] - b[0], a[1] - b[1]) / METRES_PER_MILE
