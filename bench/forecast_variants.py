"""What was tried to bring the children's forecast's error 10% below persistence (issue #19).

Each variant changes one thing in `forecast.model.pooled_model` (an extra measure, another fit,
a scaling) and is scored like the backtest, on the points only (no intervals): every council's
forecast from the figures up to each origin, compared with the published figure 1-3 years later,
City of London and the Isles of Scilly left out. The variants build on the model's own code
(`model.features`, `model.training_pairs`, `model.median_regression`); the first row is the
model as it is, so it must give the backtest's figures. `forecast_alternatives.py` adds the
methods that change more than one measure (the asylum-seeking children forecast on their own,
combinations with other methods, other ways of pooling). Nothing here is kept in the model unless
the docs say so (docs/forecast.md, "What was tried").

Every variant was judged on the same origins the goal is measured on, so the best of them looks
better there than it would on years not yet seen. `--held-out` also prints two honest checks of
that: choosing the best row on three origins and scoring it on the fourth (each origin in turn),
and choosing on 2019-2020 and scoring on 2021-2022.

    .venv/bin/python bench/forecast_variants.py [--origins 2019-2022] [--held-out]
        → prints Markdown tables
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import cache

import numpy as np
import polars as pl

from forecast import backtest, model, published, regression
from forecast.model import NOT_SCORED, Panel
from statutory.reference import shared_path

INDICATORS = ("CPP_Num", "CareApplications", "Unacc_Asylmn_Seek_Childn", "Section_47",
              "CPP_Total_NumRef", "LAC_ceased_SGO", "No_of LAC Adopted", "NoCareLeavers")  # fmt: skip
# Not logs, unlike the other indicators: the share of children looked after aged 16 or over
# (DfE releases 2013-2017; each year the latest share known) and the latest Ofsted grade of the
# whole service known at 31 March (0 outstanding .. 3 inadequate) and the one before it.
AGED_16_OR_OVER = "share aged 16 or over"
GRADE, PREVIOUS_GRADE = "Ofsted grade", "previous Ofsted grade"


def _older_share_aged_16_or_over(index: dict[str, int], years: np.ndarray) -> np.ndarray:
    files = {**published._OLDER_FILES, 2017: "SFR_2017_SFR50_CLA2017.csv"}
    share = np.full((len(index), len(years)), np.nan)
    for year, name in files.items():
        path = shared_path(*published.OLDER) / name
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            for row in csv.DictReader(handle):
                code = row["geog_c"].strip().zfill(3)
                older = published.number(row.get("CLA_16over"))
                total = published.number(row.get(f"CLA_Mar{year}"))
                is_council = (row.get("geog_l") or "").strip().upper() == "LA"
                if is_council and code in index and older is not None and total:
                    share[index[code], year - years[0]] = older / total
    for t in range(1, len(years)):  # the latest share known by each year
        share[:, t] = np.where(np.isnan(share[:, t]), share[:, t - 1], share[:, t])
    return share


def _ofsted_grades(index: dict[str, int], years: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from insight.judgements import load_history  # only this bench reads inspections

    history = load_history()
    dfe_code = {c.code: c.dfe_code for c in history.councils.values()}
    points = {"outstanding": 0, "good": 1, "requires-improvement": 2, "inadequate": 3}
    latest = np.full((len(index), len(years)), np.nan)
    before = np.full_like(latest, np.nan)
    for t, year in enumerate(years):
        known: dict[str, list[int]] = {}
        for judgement in history.overall():  # sorted by council and publication date
            code = dfe_code.get(judgement.council, "")
            if code in index and judgement.published <= dt.date(int(year), 3, 31):
                known.setdefault(code, []).append(points[judgement.overall])
        for code, grades in known.items():
            latest[index[code], t] = grades[-1]
            before[index[code], t] = grades[-2] if len(grades) > 1 else np.nan
    return latest, before


CHILDREN_IN_NEED = "children in need at 31 March"


def _children_in_need(index: dict[str, int], years: np.ndarray) -> np.ndarray:
    """Children in need at 31 March (DfE, `b1_children_in_need_2013_to_2025.csv`), as logs."""
    path = shared_path(
        "reference", "dfe-csc-outcomes-enablers", "b1_children_in_need_2013_to_2025.csv"
    )
    raw = pl.read_csv(path, infer_schema_length=0)
    tidy = raw.filter(pl.col("geographic_level") == "Local authority").select(
        la_number=pl.col("old_la_code").str.zfill(3),
        year=pl.col("time_period").cast(pl.Int64),
        value=pl.col("At31_episodes").map_elements(published.number, return_dtype=pl.Float64),
    )
    return model.log_matrix(tidy, index, years)


@cache
def regions(codes: tuple[str, ...]) -> np.ndarray:
    """One column per region (LAIT's `Region`, London inner and outer apart): 1 for the
    council's own, 0 for the others."""
    raw = pl.read_parquet(
        shared_path(*published.LAIT), columns=["Short Desc", "LA Number", "Region"]
    )
    rows = raw.filter(
        pl.col("Short Desc") == published.LOOKED_AFTER, pl.col("LA Number").is_not_null()
    )
    region = {
        str(int(code)).zfill(3): name
        for code, name in rows.select("LA Number", "Region").iter_rows()
    }
    names = sorted({region[c] for c in codes if region.get(c) not in (None, "NA")})
    return np.array([[float(region.get(code) == name) for name in names] for code in codes])


def load() -> Panel:
    panel = model.load_panel()
    index = {code: row for row, code in enumerate(panel.codes)}
    extra = {m: model.log_matrix(published.lait_measure(m), index, panel.years) for m in INDICATORS}
    extra["population"] = model.log_matrix(published.population(), index, panel.years)
    extra[CHILDREN_IN_NEED] = _children_in_need(index, panel.years)
    extra[AGED_16_OR_OVER] = _older_share_aged_16_or_over(index, panel.years)
    extra[GRADE], extra[PREVIOUS_GRADE] = _ofsted_grades(index, panel.years)
    return replace(panel, indicators={**panel.indicators, **extra})


def _nanmedian(values: np.ndarray, axis: int | None = None) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(values, axis=axis)


def _centred(table: np.ndarray) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        centre = np.nanmean(np.where(np.isfinite(table), table, np.nan), axis=0)
    return table - np.where(np.isnan(centre), 0.0, centre)


# ---------------------------------------------------------------------------------------------
# Extra measures: (known panel, column, the model's measures) -> one value per council

Extra = Callable[[Panel, int, np.ndarray], np.ndarray]


def _unknown(known: Panel) -> np.ndarray:
    return np.full(len(known.codes), np.nan)


def asylum_excess(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    """Unaccompanied asylum-seeking children above the national transfer scheme's 0.1% of the
    council's children (last year's population estimate), per child looked after; a suppressed
    count (fewer than a handful) is taken as none."""
    asylum = np.exp(known.indicators["Unacc_Asylmn_Seek_Childn"][:, t])
    asylum = np.where(np.isnan(asylum), 0.0, asylum)
    population = np.exp(known.indicators["population"][:, t - 1]) if t >= 1 else np.nan
    return (asylum - 0.001 * population) / np.exp(known.log_count[:, t])


def change_in(name: str) -> Extra:
    def measure(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
        values = known.indicators[name]
        return values[:, t] - values[:, t - 1] if t >= 1 else _unknown(known)

    return measure


def per_child(name: str) -> Extra:
    return lambda known, t, _: known.indicators[name][:, t] - known.log_count[:, t]


def indicator(name: str) -> Extra:
    return lambda known, t, _: known.indicators[name][:, t]


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


def neighbours_rate_change(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    if t < 3:
        return _unknown(known)
    change = known.log_rate[:, t] - known.log_rate[:, t - 3]
    return _nanmedian(np.where(known.neighbours >= 0, change[known.neighbours], np.nan), axis=1)


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


def size(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return known.log_count[:, t]


def started_per_child(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return known.log_started[:, t] - known.log_count[:, t]


def ceased_per_child(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return known.log_ceased[:, t] - known.log_count[:, t]


def change_in_starts(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return known.log_started[:, t] - known.log_started[:, t - 1] if t >= 1 else _unknown(known)


def change_in_ceasings(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return known.log_ceased[:, t] - known.log_ceased[:, t - 1] if t >= 1 else _unknown(known)


def starts_against_neighbours(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    """Children starting per 10,000 children against the neighbours' median."""
    starts = known.log_started[:, t] - known.log_count[:, t] + known.log_rate[:, t]
    theirs = np.where(known.neighbours >= 0, starts[known.neighbours], np.nan)
    return starts - _nanmedian(theirs, axis=1)


def population_change_three_years(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    """The yearly change in children aged 0-17 over the three years to mid-year T-1 (ONS)."""
    population = known.indicators["population"]
    return (population[:, t - 1] - population[:, t - 4]) / 3 if t >= 4 else _unknown(known)


def last_change_if_small(known: Panel, t: int, base: np.ndarray) -> np.ndarray:
    return base[:, 0] * np.exp(-(known.log_count[:, t] - np.log(300)))


def stock_and_flow(years: int) -> Extra:
    """Log change in children if the last year's starters kept coming and the same share of
    children looked after kept leaving, for `years` years."""

    def measure(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
        now = np.exp(known.log_count[:, t])
        before = np.exp(known.log_count[:, t - 1]) if t >= 1 else now
        before = np.where(np.isnan(before), now, before)
        leaving = np.exp(known.log_ceased[:, t]) / ((now + before) / 2)
        count = now.copy()
        for _ in range(years):
            count = count * (1 - leaving) + np.exp(known.log_started[:, t])
        return np.log(count) - np.log(now)

    return measure


def ofsted_inadequate(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return (known.indicators[GRADE][:, t] == 3).astype(float)


def ofsted_grade(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    return np.nan_to_num(known.indicators[GRADE][:, t], nan=1.5)


def ofsted_improved(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    grade, before = known.indicators[GRADE][:, t], known.indicators[PREVIOUS_GRADE][:, t]
    return ((before == 3) & (grade < 3)).astype(float)


def region(column: int) -> Extra:
    return lambda known, t, _: regions(known.codes)[:, column]


def regional_change(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    """The median council's change a year over the last three years, in the council's region."""
    if t < 2:
        return _unknown(known)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        change = np.nanmean(known.growth[:, t - 2 : t + 1], axis=1)
        membership = regions(known.codes)
        out = np.full(len(known.codes), np.nan)
        for column in range(membership.shape[1]):
            inside = membership[:, column] == 1
            out[inside] = np.nanmedian(change[inside])
    return out


def model_surprise(known: Panel, t: int, _: np.ndarray) -> np.ndarray:
    """Last year's figure against the model's own one-year forecast of it (from the year
    before, that year's past only)."""
    year = int(known.years[t])
    if t < 2:
        return _unknown(known)
    return known.log_count[:, t] - model.pooled_model(known, year - 1, 1)[:, 0]


# ---------------------------------------------------------------------------------------------
# Fits

Fit = Callable[[np.ndarray, np.ndarray, float], np.ndarray]


def percentage_weighted(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Median regression with each row also weighted by children at the start / at the end:
    the absolute percentage error the backtest scores, rather than the error in logs."""
    weights = regression.ridge(x, y, alpha)
    for _ in range(50):
        scale = np.exp(-y) / np.maximum(np.abs(y - x @ weights), 1e-3)
        weighted = x * scale[:, None]
        weights = np.linalg.solve(weighted.T @ x + alpha * np.eye(x.shape[1]), weighted.T @ y)
    return weights


def penalties_averaged(x: np.ndarray, y: np.ndarray, _: float) -> np.ndarray:
    """The weights of median regressions with penalties 0.01, 0.1, 1 and 10, averaged."""
    fits = [regression.median_regression(x, y, alpha) for alpha in (0.01, 0.1, 1.0, 10.0)]
    return np.mean(fits, axis=0)


def bagged(x: np.ndarray, y: np.ndarray, alpha: float) -> np.ndarray:
    """Median regression on 20 bootstrap samples of the rows, the weights averaged."""
    rng = np.random.default_rng(0)
    fits = []
    for _ in range(20):
        rows = rng.integers(0, len(y), len(y))
        fits.append(regression.median_regression(x[rows], y[rows], alpha))
    return np.mean(fits, axis=0)


FIRST_ROUND = 22  # the rows tried before the second round of December 2026
MODEL = (0, 1, 2, 3, 4, 5)  # forecast.model.features' six measures
BEFORE_ASYLUM = (0, 1, 2, 3)


@dataclass
class Variant:
    name: str
    base: tuple[int, ...] = MODEL
    extra: tuple[Extra, ...] = ()
    fit: Fit = regression.median_regression
    alpha: float = regression.RIDGE_ALPHA
    scale: float = 1.0
    recent_weight: float | None = None  # rows from k years before the latest weighted w**k
    drift: bool = False  # add back the past median error

    def measures(self, known: Panel, year: int) -> np.ndarray:
        """The chosen measures of `model.features`, then the extra ones (unknown: the average
        council's), relative to that year's average council."""
        base = model.features(known, year)
        t = known.column(year)
        columns = [base[:, i] for i in self.base] + [m(known, t, base) for m in self.extra]
        table = np.stack(columns, axis=1)
        table[np.isnan(known.log_count[:, t])] = np.nan
        table = _centred(table)
        usable = ~np.isnan(table[:, : len(self.base)]).any(axis=1)
        extras = table[:, len(self.base) :]
        table[:, len(self.base) :] = np.where(usable[:, None] & np.isnan(extras), 0.0, extras)
        return table

    def __call__(self, panel: Panel, origin: int, horizon: int) -> np.ndarray:
        known = panel.up_to(origin)
        level = known.log_count[:, -1]
        table = {y: self.measures(known, y) for y in range(int(known.years[0]), origin + 1)}
        now = np.nan_to_num(table[origin], nan=0.0)
        out = np.repeat(level[:, None], horizon, axis=1)
        for h in range(1, horizon + 1):
            x, y, years = model.training_pairs(known, table, h)
            if self.recent_weight is not None:  # recent years' rows repeated
                copies = np.maximum(1, np.round(4 * self.recent_weight ** (origin - h - years)))
                x, y = np.repeat(x, copies.astype(int), axis=0), np.repeat(y, copies.astype(int))
            if len(x) < 30:
                continue
            weights = self.fit(x, y, self.alpha)
            out[:, h - 1] = level + self.scale * (now @ weights)
            if self.drift:
                out[:, h - 1] += np.median(y - x @ weights)
        return out


VARIANTS = [
    Variant("ridge regression, the four measures (the model until December 2026)",
            base=BEFORE_ASYLUM, fit=regression.ridge),
    Variant("median regression, the same four measures (kept)", base=BEFORE_ASYLUM),
    Variant("**+ asylum-seeking children above the transfer scheme's 0.1%, and their change, "
            "per child looked after (kept: the model now)**"),
    # Tried before the asylum measures were kept: each adds one thing to the four measures.
    Variant("+ change in children on child protection plans, and plans per child looked after",
            base=BEFORE_ASYLUM, extra=(change_in("CPP_Num"), per_child("CPP_Num"))),
    Variant("+ change in Cafcass care applications per 10,000", base=BEFORE_ASYLUM,
            extra=(change_in("CareApplications"),)),
    Variant("+ Cafcass care applications compared with the neighbours'", base=BEFORE_ASYLUM,
            extra=(against_neighbours("CareApplications"),)),
    Variant("+ unaccompanied asylum-seeking children per child looked after", base=BEFORE_ASYLUM,
            extra=(per_child("Unacc_Asylmn_Seek_Childn"),)),
    Variant("+ change in unaccompanied asylum-seeking children", base=BEFORE_ASYLUM,
            extra=(change_in("Unacc_Asylmn_Seek_Childn"),)),
    Variant("+ asylum-seeking children above the transfer scheme's 0.1% only", base=BEFORE_ASYLUM,
            extra=(asylum_excess,)),
    Variant("+ change in section 47 enquiries per 10,000", base=BEFORE_ASYLUM,
            extra=(change_in("Section_47"),)),
    Variant("+ change in referrals", base=BEFORE_ASYLUM, extra=(change_in("CPP_Total_NumRef"),)),
    Variant("+ the neighbours' average change last year", base=BEFORE_ASYLUM,
            extra=(neighbours_change,)),
    Variant("+ the level against the council's own five-year average", base=BEFORE_ASYLUM,
            extra=(own_five_year_mean,)),
    Variant("+ rate per 10,000 against England's median council", base=BEFORE_ASYLUM,
            extra=(rate_against_england,)),
    Variant("+ starts against ceasings averaged over two years", base=BEFORE_ASYLUM,
            extra=(flows_two_years,)),
    Variant("+ squared distance from the neighbours' rate", base=BEFORE_ASYLUM, extra=(squared,)),
    Variant("recent years weighted more in the fit (0.7 a year)", base=BEFORE_ASYLUM,
            recent_weight=0.7),
    Variant("the past median error added back (England's drift)", base=BEFORE_ASYLUM, drift=True),
    Variant("the model's adjustment × 1.5", base=BEFORE_ASYLUM, scale=1.5),
    Variant("the model's adjustment doubled", base=BEFORE_ASYLUM, scale=2.0),
    Variant("penalty 1 instead of 0.1", base=BEFORE_ASYLUM, alpha=1.0),
    Variant("penalty 0.01 instead of 0.1", base=BEFORE_ASYLUM, alpha=0.01),
    # December 2026, second round: each adds one thing to the six measures of the model now.
    Variant("+ share of children looked after aged 16 or over (latest known: 2017)",
            extra=(indicator(AGED_16_OR_OVER),)),
    Variant("+ care leavers aged 19-21 per child looked after", extra=(per_child("NoCareLeavers"),)),
    Variant("+ children adopted in the year per child looked after",
            extra=(per_child("No_of LAC Adopted"),)),
    Variant("+ special guardianship orders in the year per child looked after",
            extra=(per_child("LAC_ceased_SGO"),)),
    Variant("+ change in children in need at 31 March", extra=(change_in(CHILDREN_IN_NEED),)),
    Variant("+ children in need per child looked after", extra=(per_child(CHILDREN_IN_NEED),)),
    Variant("+ children starting, per child looked after", extra=(started_per_child,)),
    Variant("+ children ceasing, per child looked after", extra=(ceased_per_child,)),
    Variant("+ change in children starting", extra=(change_in_starts,)),
    Variant("+ change in children ceasing", extra=(change_in_ceasings,)),
    Variant("+ children starting per 10,000 against the neighbours'",
            extra=(starts_against_neighbours,)),
    Variant("+ stock and flow: last year's starters and leaving rate carried on 3 years",
            extra=(stock_and_flow(3),)),
    Variant("+ the neighbours' change in rate over three years", extra=(neighbours_rate_change,)),
    Variant("+ change in children aged 0-17 over three years (ONS)",
            extra=(population_change_three_years,)),
    Variant("+ size (log children looked after)", extra=(size,)),
    Variant("+ last year's change, more for small councils", extra=(last_change_if_small,)),
    Variant("+ region (one measure for each)", extra=tuple(region(c) for c in range(10))),
    Variant("+ the region's median change over three years", extra=(regional_change,)),
    Variant("+ Ofsted: latest judgement inadequate", extra=(ofsted_inadequate,)),
    Variant("+ Ofsted: latest grade (outstanding 0 to inadequate 3)", extra=(ofsted_grade,)),
    Variant("+ Ofsted: judged better after an inadequate", extra=(ofsted_improved,)),
    Variant("+ last year's surprise (the figure against the model's one-year forecast)",
            extra=(model_surprise,)),
    Variant("fit weighted to the percentage error", fit=percentage_weighted),
    Variant("weights averaged over penalties 0.01, 0.1, 1 and 10", fit=penalties_averaged),
    Variant("weights averaged over 20 bootstrap samples", fit=bagged),
    Variant("the model's adjustment × 0.8", scale=0.8),
    Variant("the model's adjustment × 1.2", scale=1.2),
    Variant("the best of these together: + the region's change, care leavers, change in children "
            "in need, judged better after an inadequate; weights averaged over penalties",
            extra=(regional_change, per_child("NoCareLeavers"), change_in(CHILDREN_IN_NEED),
                   ofsted_improved), fit=penalties_averaged),
]  # fmt: skip

Method = Callable[[Panel, int, int], np.ndarray]
# Per origin, per horizon 1-3: the absolute percentage errors of the scored councils.
Errors = dict[int, list[np.ndarray]]


def errors(panel: Panel, method: Method, origins: Sequence[int]) -> Errors:
    scored = np.array([code not in NOT_SCORED for code in panel.codes])
    out: Errors = {}
    for origin in origins:
        points = method(panel, origin, 3)
        out[origin] = []
        for h in range(1, 4):
            if origin + h > panel.last_year:
                out[origin].append(np.empty(0))
                continue
            actual = panel.log_count[:, panel.column(origin + h)]
            use = scored & ~np.isnan(actual) & ~np.isnan(points[:, h - 1])
            out[origin].append(np.abs(np.exp(points[use, h - 1] - actual[use]) - 1))
    return out


def mape(found: Errors, origins: Sequence[int]) -> list[float]:
    pooled = [np.concatenate([found[o][h] for o in origins]) for h in range(3)]
    return [100 * float(e.mean()) if len(e) else float("nan") for e in pooled]


def row(name: str, found: Errors, naive: Errors, origins: Sequence[int]) -> str:
    one, two, three = mape(found, origins)
    base = mape(naive, origins)
    lower = f"{100 * (1 - two / base[1]):.1f}% / {100 * (1 - three / base[2]):.1f}%"
    return f"| {name} | {one:.2f} | {two:.2f} | {three:.2f} | {lower} |"


def held_out(
    results: dict[str, Errors], naive: Errors, origins: list[int], kept: str, among: str
) -> list[str]:
    """The honest checks of choosing among `results` (`among` says which rows) on the same
    origins it is scored on."""

    def score(name: str, on: Sequence[int]) -> float:
        two, three = mape(results[name], on)[1:]
        return (two + three) / 2

    lines = ["", f"Held out, choosing among {among}: each origin scored by the row that was best "
             "(two- and three-year MAPE averaged) on the other origins.", "",
             "| held-out origin | chosen | 2 years | 3 years | persistence 2 / 3 years |",
             "|---|---|---:|---:|---:|"]  # fmt: skip
    chosen: Errors = {}
    for origin in origins:
        others = [o for o in origins if o != origin]
        best = min(results, key=lambda name: score(name, others))
        chosen[origin] = results[best][origin]
        _, two, three = mape(results[best], [origin])
        _, n2, n3 = mape(naive, [origin])
        lines.append(f"| {origin} | {best} | {two:.2f} | {three:.2f} | {n2:.2f} / {n3:.2f} |")
    lines += ["", "| method | 1 year | 2 years | 3 years | lower at 2 / 3 years |",
              "|---|---:|---:|---:|---:|",
              row("choosing on the other origins, each origin held out", chosen, naive, origins),
              row(f"{kept} (chosen on these origins)", results[kept], naive, origins)]  # fmt: skip
    first, last = origins[: len(origins) // 2], origins[len(origins) // 2 :]
    if first and last:
        best = min(results, key=lambda name: score(name, first))
        lines += ["", f"Chosen on {first[0]}-{first[-1]}: {best}; scored on "
                  f"{last[0]}-{last[-1]}:", "",
                  "| method | 1 year | 2 years | 3 years | lower at 2 / 3 years |",
                  "|---|---:|---:|---:|---:|",
                  row(best, results[best], naive, last),
                  row(kept, results[kept], naive, last)]  # fmt: skip
    return lines


def main() -> None:
    from forecast_alternatives import alternatives  # bench/ is on the path

    parser = argparse.ArgumentParser()
    parser.add_argument("--origins", default="2019-2022")
    parser.add_argument("--held-out", action="store_true")
    args = parser.parse_args()
    origins = backtest.parse_origins(args.origins)
    panel = load()
    naive = errors(panel, model.persistence, origins)
    base = mape(naive, origins)
    model_now = mape(errors(panel, model.pooled_model, origins), origins)
    print(f"Origins {args.origins}; naive persistence {base[0]:.2f} / {base[1]:.2f} / "
          f"{base[2]:.2f}; the model {model_now[0]:.2f} / {model_now[1]:.2f} / "
          f"{model_now[2]:.2f}.\n")  # fmt: skip
    header = "| change to the model | 1 year | 2 years | 3 years | lower at 2 / 3 years |"
    results: dict[str, Errors] = {}
    others = alternatives(panel)
    for title, rows in (("", VARIANTS), ("Other methods:\n\n", others)):
        print(f"{title}{header}\n|---|---:|---:|---:|---:|")
        for variant in rows:
            found = errors(panel, variant, origins)
            if getattr(variant, "choosable", True):  # not one that reads the future
                results[variant.name] = found
            print(row(variant.name, found, naive, origins), flush=True)
        print()
    if args.held_out:
        kept = VARIANTS[2].name
        first_round = {v.name: results[v.name] for v in VARIANTS[:FIRST_ROUND]}
        print("\n".join(held_out(first_round, naive, origins, kept, "the first round's rows")))
        print("\n".join(held_out(results, naive, origins, kept, "every row")))
        later = list(range(max(origins) + 1, panel.last_year))
        if later:
            fresh, fresh_naive = (
                errors(panel, model.pooled_model, later),
                errors(panel, model.persistence, later),
            )
            one, two, _ = mape(fresh, later)
            n1, n2, _ = mape(fresh_naive, later)
            print(f"\nOrigins after these ({later[0]}-{later[-1]}; two years ahead from "
                  f"{later[0]} only): the model {one:.2f} / {two:.2f} one and two years ahead, "
                  f"persistence {n1:.2f} / {n2:.2f} ({100 * (1 - one / n1):.1f}% and "
                  f"{100 * (1 - two / n2):.1f}% lower).")  # fmt: skip


if __name__ == "__main__":
    main()
