"""Realistic synthetic SSDA903 returns for N children: this year's and last year's, consistent.

Each child gets one period of care on a timeline covering both collection years (and the years
before), split into episodes by placement and legal-status changes; each year's return is then
the slice a council would have sent that year (an episode still open at last year's 31 March
has no end date in last year's return). Around the episodes: Header, reviews, missing
episodes, UASC, OC2 (looked after 12 months at 31 March), care leavers' OC3 (17th-21st birthday
in the year), adoptions (AD1, PlacedAdoption), previous permanence and social worker episodes.

Everything is vectorised (numpy + Polars): 200,000 children take a few seconds. The data are
mostly valid; `error_rate` plants that share of rows with a typical mistake (bad code, date in
the wrong format or order, blank required item) so validation has something to find.
Postcodes are real (sampled from the ONS Postcode Directory in the shared data) when it is
there, so distance rules behave; otherwise made-up postcodes of the right shape.
"""

from __future__ import annotations

from statutory.ssda903.generator.children import upn
from statutory.ssda903.generator.files import generate_to, write_return
from statutory.ssda903.generator.mistakes import _MISTAKES, US_DATE, plant_errors
from statutory.ssda903.generator.shapes import NATIONAL
from statutory.ssda903.generator.timeline import generate, generate_with_planted

__all__ = [
    "NATIONAL",
    "US_DATE",
    "_MISTAKES",
    "generate",
    "generate_to",
    "generate_with_planted",
    "plant_errors",
    "upn",
    "write_return",
]
