"""What other apps may read from Edge of Care: the one module they import (an import-linter
contract enforces it).

- `kept_out_of_care`: the council's own evaluation of whether Edge of Care kept children out of
  care, as a number of children a year with its 95% interval, for the forecast's "Edge of Care
  keeps adolescents out of care" scenario. No family's or child's record leaves the app: only
  the evaluation's headline figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from alliance.edgeofcare import effect
from alliance.organisations.models import Organisation


@dataclass(frozen=True)
class KeptOutOfCare:
    """The evaluation's estimate for the children Edge of Care supported in `year`."""

    year: int  # the year the families were referred in
    design: str  # "randomised", "waiting list" or "matched"
    children_supported: int
    # entering care within the follow-up, supported children minus the comparison group, in
    # percentage points (negative: fewer supported children entered care), with its 95% interval
    difference_points: float
    low_points: float
    high_points: float
    comparison_rate: float  # share of the comparison group that entered care (0-1)

    @property
    def children_kept_out(self) -> float:
        """Children a year the estimate says were kept out of care (negative: more entered)."""
        return -self.difference_points / 100 * self.children_supported

    @property
    def relative_reduction(self) -> float | None:
        """How much lower the supported children's rate of entering care was than the comparison
        group's, in per cent of the comparison group's (None when that rate is 0)."""
        if self.comparison_rate <= 0:
            return None
        return -self.difference_points / (100 * self.comparison_rate) * 100

    @property
    def significant(self) -> bool:
        return self.high_points < 0 or self.low_points > 0


def kept_out_of_care(council: Organisation) -> KeptOutOfCare | None:
    """The council's Edge of Care estimate for its default evaluation year (the dashboard's
    headline, cached until the council's outcomes change), or None when there is none: no
    referrals, or too few children to compare."""
    estimate = effect.headline(council)
    if estimate is None or estimate.outcome.result is None:
        return None
    result = estimate.outcome.result
    return KeptOutOfCare(
        year=estimate.year,
        design=result.design.replace("_", " "),
        children_supported=result.n_treated,
        difference_points=100 * result.difference,
        low_points=100 * result.ci_low,
        high_points=100 * result.ci_high,
        comparison_rate=result.rate_comparison,
    )
