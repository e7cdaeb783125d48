"""Which published measures moved before improvement: associations, not causes.

For every pair of consecutive overall judgements of a council (`transitions.consecutive_pairs`)
where the first was requires improvement or inadequate, the change in a published measure
between the two inspections is compared between the pairs where the next judgement was good or
outstanding ("improved") and those where it was not. Choices:

- Measures (DfE statistics in the shared data's `dfe-csc-outcomes-enablers/` folder):
  children and family social worker turnover (FTE, %), agency workers (FTE rate, %) and average
  caseload (cases per FTE case-holder) from the workforce statistics (2017 onwards), and
  re-referrals within 12 months (%) from the children in need statistics (2013 onwards).
- The value "before" a judgement is the figure for the statistics year labelled with the
  calendar year before the judgement's publication (the latest year that had ended); the change
  is the value before the later judgement minus the value before the earlier one. Pairs with
  either value missing, suppressed or the same statistics year are left out.
- The difference is the mean change of the improved pairs minus that of the others, with a 95%
  confidence interval from Welch's t-test (scipy), which does not assume equal variances.
  Pairs of the same council are treated as independent, which they are not quite.
- This is an association. Councils that improved differed in many ways; a measure moving with
  improvement does not show that it caused it, nor the reverse.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from insight.judgements import GOOD_OR_BETTER, History, InsightDataError
from insight.transitions import consecutive_pairs
from statutory.reference import shared_data_dir

FOLDER = ("reference", "dfe-csc-outcomes-enablers")
WORKFORCE = "csww_indicators_2017_to_2025.csv"
REFERRALS = "c1_children_in_need_referrals_and_rereferrals_2013_to_2025.csv"
# measure -> (file, column, label); the label is as the page shows it.
MEASURES: dict[str, tuple[str, str, str]] = {
    "turnover": (WORKFORCE, "turnover_rate_fte", "Social worker turnover (FTE, %)"),
    "agency": (WORKFORCE, "agency_rate_fte", "Agency social workers (FTE rate, %)"),
    "caseload": (WORKFORCE, "caseload_fte", "Average caseload (cases per FTE case-holder)"),
    "re-referrals": (REFERRALS, "rereferral_percent", "Re-referrals within 12 months (%)"),
}
REFERRALS_CATEGORY = "Referrals and Re-referrals"

Values = dict[tuple[str, int], float]  # (ONS code, statistics year) -> value


def read_measures(data_dir: Path | None = None) -> dict[str, Values]:
    """Every council's value of every measure by statistics year, from the published files."""
    folder = (data_dir or shared_data_dir()).joinpath(*FOLDER)
    found: dict[str, Values] = {}
    for measure, (name, column, _label) in MEASURES.items():
        path = folder / name
        values: Values = {}
        try:
            with path.open(newline="", encoding="utf-8-sig") as handle:
                reader = csv.DictReader(handle)
                for needed in ("time_period", "geographic_level", "new_la_code", column):
                    if needed not in (reader.fieldnames or ()):
                        raise InsightDataError(path, "column missing", column=needed)
                for row in reader:
                    if row["geographic_level"] != "Local authority":
                        continue
                    if name == REFERRALS and row.get("category") != REFERRALS_CATEGORY:
                        continue
                    try:
                        value = float(row[column])
                    except ValueError:  # suppressed or not published: x, c, z, low
                        continue
                    values[(row["new_la_code"], int(row["time_period"][:4]))] = value
        except FileNotFoundError:
            raise InsightDataError(path, "file not found") from None
        found[measure] = values
    return found


def before(values: Values, council: str, published: dt.date) -> tuple[int, float] | None:
    """The figure for the statistics year before the judgement's publication, with that year."""
    year = published.year - 1
    value = values.get((council, year))
    return None if value is None else (year, value)


@dataclass(frozen=True)
class Association:
    measure: str
    label: str
    improved: int  # pairs that ended in good or better, with both values
    not_improved: int
    mean_change_improved: float
    mean_change_not_improved: float
    difference: float  # improved minus not improved
    lower95: float
    upper95: float


def changes(history: History, values: Values) -> tuple[list[float], list[float]]:
    """The measure's change between consecutive judgements from a not-good one: (improved, not)."""
    improved: list[float] = []
    others: list[float] = []
    for first, then in consecutive_pairs(history):
        if first.overall in GOOD_OR_BETTER:
            continue
        start, end = (
            before(values, first.council, first.published),
            before(values, then.council, then.published),
        )
        if start is None or end is None or start[0] == end[0]:
            continue
        (improved if then.overall in GOOD_OR_BETTER else others).append(end[1] - start[1])
    return improved, others


def _mean(items: Sequence[float]) -> float:
    return sum(items) / len(items) if items else math.nan


def associations(history: History, measures: dict[str, Values]) -> list[Association]:
    """For each measure, the difference in its change between improved and other pairs."""
    from scipy import stats  # noqa: PLC0415  scipy is slow to import: only when estimating

    found: list[Association] = []
    for measure, values in measures.items():
        improved, others = changes(history, values)
        if len(improved) < 2 or len(others) < 2:
            low = high = math.nan
        else:
            interval = stats.ttest_ind(improved, others, equal_var=False).confidence_interval(0.95)
            low, high = float(interval.low), float(interval.high)
        found.append(
            Association(
                measure=measure,
                label=MEASURES[measure][2],
                improved=len(improved),
                not_improved=len(others),
                mean_change_improved=_mean(improved),
                mean_change_not_improved=_mean(others),
                difference=_mean(improved) - _mean(others),
                lower95=low,
                upper95=high,
            )
        )
    return found
