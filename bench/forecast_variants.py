"""What was tried to bring the children's forecast's error 10% below persistence (issue #19).

Each variant changes one thing in `forecast.model.pooled_model` as it was before December 2026
(its first four measures; the model now also reads the two asylum measures, the kept row) (an extra measure, another fit, a
scaling) and is scored like the backtest, on the points only (no intervals): every council's
forecast from the figures up to each origin, compared with the published figure 1-3 years later,
City of London and the Isles of Scilly left out. Nothing here is kept in the model unless the
docs say so (docs/forecast.md, "What was tried").

    .venv/bin/python bench/forecast_variants.py [--origins 2019-2022] → prints a Markdown table
"""

from __future__ import annotations

import argparse
import warnings
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np

from forecast import backtest, model, published
from forecast.model import NOT_SCORED, Panel

INDICATORS = ("CPP_Num", "CareApplications", "Unacc_Asylmn_Seek_Childn", "Section_47",
              "CPP_Total_NumRef")  # fmt: skip


def load() -> Panel:
    panel = model.load_panel()
    index = {code: row for row, code in enumerate(panel.codes)}
    extra = {m: model.log_matrix(published.lait_measure(m), index, panel.years) for m in INDICATORS}
    extra["population"] = model.log_matrix(published.population(), index, panel.years)
    return replace(panel, indicators={**panel.indicators, **extra})


def asylum_excess(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    """Unaccompanied asylum-seeking children above the national transfer scheme's 0.1% of the
    council's children (last year's population estimate), per child looked after; a suppressed
    count (fewer than a handful) is taken as none."""
    asylum = np.exp(known.indicators["Unacc_Asylmn_Seek_Childn"][:, t])
    asylum = np.where(np.isnan(asylum), 0.0, asylum)
    population = np.exp(known.indicators["population"][:, t - 1]) if t >= 1 else np.nan
    return (asylum - 0.001 * population) / np.exp(known.log_count[:, t])


def _nanmedian(values: np.ndarray, axis: int | None = None) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=axis)


def _centred(table: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(np.where(np.isfinite(table), table, np.nan), axis=0)
    return table - np.where(np.isnan(centre), 0.0, centre)


Extra = Callable[[Panel, int, np.ndarray], np.ndarray]  # (known, column, base measures) -> column


def change_in(name: str) -> Extra:
    def measure(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
        values = known.indicators[name]
        return values[:, t] - values[:, t - 1] if t >= 1 else np.full(len(known.codes), np.nan)

    return measure


def per_child(name: str) -> Extra:
    return lambda known, t, _: known.indicators[name][:, t] - known.log_count[:, t]


def against_neighbours(name: str) -> Extra:
    def measure(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
        values = known.indicators[name][:, t]
        theirs = np.where(known.neighbours >= 0, values[known.neighbours], np.nan)
        return values - _nanmedian(theirs, axis=1)

    return measure


def neighbours_change(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    theirs = np.where(known.neighbours >= 0, known.growth[:, t][known.neighbours], np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmean(theirs, axis=1)


def own_five_year_mean(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return known.log_count[:, t] - np.nanmean(known.log_count[:, max(0, t - 4) : t + 1], axis=1)


def rate_against_england(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return known.log_rate[:, t] - _nanmedian(known.log_rate[:, t])


def flows_two_years(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    now = known.log_started[:, t] - known.log_ceased[:, t]
    before = known.log_started[:, t - 1] - known.log_ceased[:, t - 1] if t >= 1 else now
    return np.where(np.isnan(before), now, (now + before) / 2)


def squared(known: Panel, t: int, base: np.ndarray) -> np.ndarray:
    return base[:, 2] * np.abs(base[:, 2])


@dataclass
class Variant:
    name: str
    base: tuple[int, ...] = (0, 1, 2, 3)  # forecast.model.features' first four measures
    extra: tuple[Extra, ...] = ()
    fit: Callable[[np.ndarray, np.ndarray, float], np.ndarray] = model.median_regression
    alpha: float = model.RIDGE_ALPHA
    scale: float = 1.0
    recent_weight: float | None = None  # rows from k years before the latest weighted w**k
    drift: bool = False  # add back the past median error

    def measures(self, known: Panel, year: int) -> np.ndarray:
        base = model.features(known, year)
        t = known.column(year)
        columns = [base[:, i] for i in self.base] + [m(known, t, base) for m in self.extra]
        table = np.stack(columns, axis=1)
        table[np.isnan(known.log_count[:, t])] = np.nan
        return _centred(table)

    def __call__(self, panel: Panel, origin: int, horizon: int) -> np.ndarray:
        known = panel.up_to(origin)
        level = known.log_count[:, -1]
        table = {y: self.measures(known, y) for y in range(int(known.years[0]), origin + 1)}
        now = np.nan_to_num(table[origin], nan=0.0)
        out = np.repeat(level[:, None], horizon, axis=1)
        scored = np.array([code not in NOT_SCORED for code in known.codes])
        for h in range(1, horizon + 1):
            rows, targets = [], []
            for year, measures in table.items():
                if year + h > origin:
                    continue
                change = (
                    known.log_count[:, known.column(year + h)]
                    - known.log_count[:, known.column(year)]
                )
                usable = ~np.isnan(measures[:, : len(self.base)]).any(axis=1)
                use = scored & ~np.isnan(change) & usable
                copies = 1
                if self.recent_weight is not None:
                    copies = max(1, round(4 * self.recent_weight ** (origin - h - year)))
                for _ in range(copies):
                    rows.append(np.nan_to_num(measures[use], nan=0.0))
                    targets.append(change[use])
            if sum(len(r) for r in rows) < 30:
                continue
            x, y = np.concatenate(rows), np.concatenate(targets)
            weights = self.fit(x, y, self.alpha)
            out[:, h - 1] = level + self.scale * (now @ weights)
            if self.drift:
                out[:, h - 1] += np.median(y - x @ weights)
        return out


VARIANTS = [
    Variant("ridge regression, the four measures (the model until December 2026)", fit=model.ridge),
    Variant("median regression, the same four measures (kept)"),
    Variant("**+ asylum-seeking children above the transfer scheme's 0.1%, and their change, "
            "per child looked after (kept: the model now)**", base=(0, 1, 2, 3, 4, 5)),
    Variant("+ change in children on child protection plans, and plans per child looked after",
            extra=(change_in("CPP_Num"), per_child("CPP_Num"))),
    Variant("+ change in Cafcass care applications per 10,000", extra=(change_in("CareApplications"),)),
    Variant("+ Cafcass care applications compared with the neighbours'",
            extra=(against_neighbours("CareApplications"),)),
    Variant("+ unaccompanied asylum-seeking children per child looked after",
            extra=(per_child("Unacc_Asylmn_Seek_Childn"),)),
    Variant("+ change in unaccompanied asylum-seeking children",
            extra=(change_in("Unacc_Asylmn_Seek_Childn"),)),
    Variant("+ asylum-seeking children above the transfer scheme's 0.1% only",
            extra=(asylum_excess,)),
    Variant("+ change in section 47 enquiries per 10,000", extra=(change_in("Section_47"),)),
    Variant("+ change in referrals", extra=(change_in("CPP_Total_NumRef"),)),
    Variant("+ the neighbours' average change last year", extra=(neighbours_change,)),
    Variant("+ the level against the council's own five-year average", extra=(own_five_year_mean,)),
    Variant("+ rate per 10,000 against England's median council", extra=(rate_against_england,)),
    Variant("+ starts against ceasings averaged over two years", extra=(flows_two_years,)),
    Variant("+ squared distance from the neighbours' rate", extra=(squared,)),
    Variant("recent years weighted more in the fit (0.7 a year)", recent_weight=0.7),
    Variant("the past median error added back (England's drift)", drift=True),
    Variant("the model's adjustment × 1.5", scale=1.5),
    Variant("the model's adjustment doubled", scale=2.0),
    Variant("penalty 1 instead of 0.1", alpha=1.0),
    Variant("penalty 0.01 instead of 0.1", alpha=0.01),
]  # fmt: skip


def mape(
    panel: Panel, method: Callable[[Panel, int, int], np.ndarray], origins: list[int]
) -> list[float]:
    errors: list[list[np.ndarray]] = [[], [], []]
    scored = np.array([code not in NOT_SCORED for code in panel.codes])
    for origin in origins:
        points = method(panel, origin, 3)
        for h in range(1, 4):
            if origin + h > panel.last_year:
                continue
            actual = panel.log_count[:, panel.column(origin + h)]
            use = scored & ~np.isnan(actual) & ~np.isnan(points[:, h - 1])
            errors[h - 1].append(np.abs(np.exp(points[use, h - 1] - actual[use]) - 1))
    return [100 * float(np.concatenate(e).mean()) for e in errors]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--origins", default="2019-2022")
    args = parser.parse_args()
    origins = backtest.parse_origins(args.origins)
    panel = load()
    naive = mape(panel, model.persistence, origins)
    print(
        f"Origins {args.origins}; naive persistence {naive[0]:.2f} / {naive[1]:.2f} / {naive[2]:.2f}.\n"
    )
    print("| change to the model | 1 year | 2 years | 3 years | lower at 2 / 3 years |")
    print("|---|---:|---:|---:|---:|")
    for variant in VARIANTS:
        one, two, three = mape(panel, variant, origins)
        lower = f"{100 * (1 - two / naive[1]):.1f}% / {100 * (1 - three / naive[2]):.1f}%"
        print(f"| {variant.name} | {one:.2f} | {two:.2f} | {three:.2f} | {lower} |", flush=True)


if __name__ == "__main__":
    main()
