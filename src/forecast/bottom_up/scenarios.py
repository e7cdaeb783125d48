"""What-if changes to the baseline, and the difference they make.

- `entry_change`: the change in children starting care, by age band (-0.1 = 10% fewer; an edge
  of care service keeping a tenth of adolescents out of care is {"10-15": -0.1, "16-17": -0.1});
- `step_down_share`: the share of children in residential care who move to the council's own
  foster carers each year, over and above the moves the returns show;
- `in_house_recruitment`: extra places with the council's own foster carers each year, taken by
  children who would otherwise be with agency carers (as many as there are);
- `cost_inflation`: the rise in every weekly cost each year (0.05 = 5%).
A change that would make a number of children negative (fewer than no starters, a negative share
or number of places) is refused.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import polars as pl

from forecast.bottom_up.history import ForecastInputError
from forecast.bottom_up.states import AGE_BANDS


@dataclass(frozen=True)
class Scenario:
    entry_change: dict[str, float] = field(default_factory=dict)
    step_down_share: float = 0.0
    in_house_recruitment: float = 0.0
    cost_inflation: float = 0.0

    def check(self) -> None:
        for band, change in self.entry_change.items():
            if band not in AGE_BANDS:
                raise ForecastInputError(
                    f"No age band {band!r}: the bands are {', '.join(AGE_BANDS)}."
                )
            if change < -1:
                raise ForecastInputError(
                    f"A change of {change:.0%} in children starting care aged {band} would make "
                    "the number starting negative: the most it can fall is 100%."
                )
            if change > 5:
                raise ForecastInputError(
                    f"A change of {change:.0%} in children starting care aged {band} is more "
                    "than this forecast can model (at most +500%)."
                )
        if not 0 <= self.step_down_share <= 1:
            raise ForecastInputError(
                "The share of children stepping down from residential care each year must be "
                "between 0% and 100%."
            )
        if self.in_house_recruitment < 0:
            raise ForecastInputError(
                "Extra places with the council's own foster carers cannot be negative: that "
                "would make a number of children negative."
            )
        if not -0.5 <= self.cost_inflation <= 1:
            raise ForecastInputError("Cost inflation must be between -50% and 100% a year.")

    def entry_factors(self) -> np.ndarray:
        return np.array([1 + self.entry_change.get(band, 0.0) for band in AGE_BANDS])

    @property
    def is_baseline(self) -> bool:
        return self == Scenario()


def _interval(draws: np.ndarray) -> dict[str, float]:
    lo80, hi80, lo95, hi95 = np.percentile(draws, [10, 90, 2.5, 97.5])
    return {
        "mean": float(draws.mean()),
        "lower80": float(lo80),
        "upper80": float(hi80),
        "lower95": float(lo95),
        "upper95": float(hi95),
    }


def compare(baseline: object, scenario: object) -> pl.DataFrame:
    """Baseline against scenario for each year and measure ("children looked after" at 31 March
    and, given unit costs, "spend"): both means and the difference with its 80% and 95% range.
    Both projections must come from the same model and seed, so their random draws are paired."""
    from forecast.bottom_up.simulate import Projection  # noqa: PLC0415  (one imports the other)

    if not isinstance(baseline, Projection) or not isinstance(scenario, Projection):
        raise TypeError("compare takes two projections")
    if baseline.years != scenario.years or baseline.seed != scenario.seed:
        raise ForecastInputError("Compare projections of the same years made with the same seed.")
    rows = []
    measures = [("children looked after", baseline.total_draws, scenario.total_draws)]
    if baseline.spend_draws is not None and scenario.spend_draws is not None:
        measures.append(("spend", baseline.spend_draws, scenario.spend_draws))
    for name, base, other in measures:
        for i, year in enumerate(baseline.years):
            difference = _interval(other[:, i] - base[:, i])
            rows.append(
                {
                    "year": year,
                    "measure": name,
                    "baseline": float(base[:, i].mean()),
                    "scenario": float(other[:, i].mean()),
                    "difference": difference["mean"],
                    **{k: v for k, v in difference.items() if k != "mean"},
                }
            )
    return pl.DataFrame(rows)
