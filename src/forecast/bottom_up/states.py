"""The states a child can be in, and how an SSDA903 episode's placement maps onto them.

- fostering by the council's own carers (`in_house`): foster placements U1-U6 whose provider is
  the council (PR1), another council (PR2) or another public body (PR3);
- fostering through an agency (`agency`): U1-U6 with a private (PR4) or voluntary (PR5) provider;
- `residential`: children's homes and secure homes (K1, K2), residential care homes (R1), NHS or
  medical care (R2), young offender institutions (R5), residential schools (S1) and residential
  employment (P3);
- `supported`: supported accommodation (K3, H5) and independent living (P2);
- `with_parents`: placed with parents or others with parental responsibility (P1);
- `adoption`: placed for adoption (A3-A6);
- `other`: family centres and mother-and-baby units (R3), temporary placements (T0-T4), other
  placements (Z1), and anything not listed.
A foster placement with no provider recorded counts as in-house (how most councils' own carers
are recorded when the item is left blank).
"""

from __future__ import annotations

import polars as pl

STATES = ("in_house", "agency", "residential", "supported", "with_parents", "adoption", "other")
STATE_NAMES = {
    "in_house": "Fostering by the council's own carers",
    "agency": "Fostering through an agency",
    "residential": "Residential (children's homes and similar)",
    "supported": "Supported accommodation and independent living",
    "with_parents": "Placed with parents",
    "adoption": "Placed for adoption",
    "other": "Other placements",
}
# age bands as the DfE's national tables give them; a child leaves care at 18 at the latest
AGE_BANDS = ("under 1", "1-4", "5-9", "10-15", "16-17")
BAND_OF_AGE = (0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4)
_FOSTER = ["U1", "U2", "U3", "U4", "U5", "U6"]
_RESIDENTIAL = ["K1", "K2", "R1", "R2", "R5", "S1", "P3"]
_SUPPORTED = ["K3", "H5", "P2"]


def state_of(place: pl.Expr, provider: pl.Expr) -> pl.Expr:
    """The state (index into STATES) of each episode, from its PLACE and PLACE_PROVIDER."""
    place = place.str.strip_chars().str.to_uppercase()
    provider = provider.str.strip_chars().str.to_uppercase()
    return (
        pl.when(place.is_in(_FOSTER) & provider.is_in(["PR4", "PR5"]))
        .then(1)
        .when(place.is_in(_FOSTER))
        .then(0)
        .when(place.is_in(_RESIDENTIAL))
        .then(2)
        .when(place.is_in(_SUPPORTED))
        .then(3)
        .when(place == "P1")
        .then(4)
        .when(place.is_in(["A3", "A4", "A5", "A6"]))
        .then(5)
        .otherwise(6)
        .cast(pl.Int8)
    )
