"""Did Edge of Care keep children out of care? The statistics, with no database in them.

Input is one row per child (Polars DataFrame): `treated` (1 = supported by Edge of Care, 0 = a
child in the council's CIN/SSDA903 records who was not), the outcome `entered_care` (1/0, within
the follow-up period) and the baseline covariates recorded at referral, in CIN/SSDA903 terms:

    age, disabled, uasc, prior_referrals, cp_history, need_N1 … need_N8

Three designs:
- `randomised(...)`: where the council allocated at random, the difference in proportions between
  the arms, with a Wald (normal) 95% confidence interval. No matching is needed or done.
- `waiting_list(...)`: where the council allocated in waiting-list order, children whose families
  had to wait for a place (`treated` = 0) against children whose families started at once
  (`treated` = 1), on the outcome at a check that falls during the wait; families wait because the
  services are full when they are referred, not because of who they are. Compared as they were
  allocated (a family that got a place before the check still counts as waiting), so the
  difference understates the effect of the service; the write-up says by how many. Beside the
  plain difference, `adjusted_difference(...)` weights the children by the inverse of their
  probability of starting at once given what was recorded at referral (inverse-probability
  weighting, logistic regression in scikit-learn, made doubly robust with an outcome regression),
  so that a waiting group that happens to be older or less urgent does not pass for an effect; its
  interval is a bootstrap.
- `matching.matched(...)`: otherwise, propensity-score matching against children in the council's
  CIN/SSDA903 records (the comparison group is built there; this module holds what it shares).

Matching can only balance what was recorded: the write-up says so (`write_up.plain_english`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import polars as pl
from django.core.exceptions import ValidationError

from statutory.ssda903.code_meanings import with_meaning

if TYPE_CHECKING:
    from sklearn.linear_model import LogisticRegression

NEED_CODES = ("N1", "N2", "N3", "N4", "N5", "N6", "N7", "N8")
COVARIATES = (
    "age",
    "disabled",
    "uasc",
    "prior_referrals",
    "cp_history",
    *(f"need_{c}" for c in NEED_CODES),
)
COVARIATE_LABELS = {
    "age": "Age at referral",
    "disabled": "Disabled",
    "uasc": "Unaccompanied asylum-seeking child",
    "prior_referrals": "Referrals in the previous 12 months",
    "cp_history": "Ever had a child protection plan",
    **{f"need_{c}": f"Primary need {with_meaning('CIN', c)}" for c in NEED_CODES},
}
# Urgency at referral, where the frame has it (one 0/1 column per level, e.g. `urgency_same_day`):
# used by the adjusted waiting-list comparison, not by matching against CIN/SSDA903 children (the
# statutory returns do not record it).
URGENCY_PREFIX = "urgency_"
Z95 = 1.959963984540054


@dataclass(frozen=True)
class Balance:
    covariate: str
    label: str
    smd_before: float
    smd_after: float | None


@dataclass
class Result:
    design: str  # "randomised" or "matched"
    n_treated: int
    n_comparison: int
    n_matched: int  # pairs (matched) or 0 (randomised)
    n_unmatched: int
    rate_treated: float
    rate_comparison: float
    difference: float  # rate_treated - rate_comparison (negative: fewer entered care)
    ci_low: float
    ci_high: float
    balance: list[Balance] = field(default_factory=list)
    # Waiting-list design: how many of the children who waited had a place before the check, and
    # the median wait in days of those who got one.
    started_before_check: int = 0
    median_wait_days: float | None = None
    # Waiting-list design: the comparison adjusted for what was recorded at referral (None when it
    # could not be estimated; `adjustment_note` says why).
    adjusted: Adjusted | None = None
    adjustment_note: str = ""

    @property
    def significant(self) -> bool:
        return self.ci_high < 0 or self.ci_low > 0

    @property
    def balanced(self) -> bool:
        return all(b.smd_after is None or abs(b.smd_after) < 0.1 for b in self.balance)


@dataclass
class Adjusted:
    """The difference in entry to care after inverse-probability weighting: each child counts
    1/p if the family started at once and 1/(1-p) if it waited, p being the probability of
    starting at once given the baseline. The weighted groups both look like all the children
    compared, so the difference is the average effect over them, had the recorded
    characteristics been the only difference between those who waited and those who did not."""

    rate_treated: float
    rate_comparison: float
    difference: float
    ci_low: float
    ci_high: float
    balance: list[Balance]
    bootstrap: int  # resamples behind the interval
    # Kish effective sample sizes: how many children the weighted groups are worth. Far below
    # the counts means a few children carry heavy weights and the estimate leans on them.
    effective_treated: float
    effective_comparison: float
    trimmed: int  # children whose probability was held inside [TRIM, 1 - TRIM]
    covariates: tuple[str, ...] = ()

    @property
    def significant(self) -> bool:
        return self.ci_high < 0 or self.ci_low > 0

    @property
    def balanced(self) -> bool:
        return all(b.smd_after is None or abs(b.smd_after) < 0.1 for b in self.balance)


class NotEnoughData(ValidationError):
    """Too few children in one group for the analysis to mean anything (a `ValidationError`, the
    service's one kind of refusal, so a page can show it like any other)."""


def check_groups(frame: pl.DataFrame, outcome: str) -> None:
    missing = [c for c in ("treated", outcome) if c not in frame.columns]
    if missing:
        raise ValueError(f"missing columns: {', '.join(missing)}")
    counts = frame.group_by("treated").len()
    n = dict(zip(counts["treated"].to_list(), counts["len"].to_list(), strict=True))
    if n.get(1, 0) < 10 or n.get(0, 0) < 10:
        raise NotEnoughData(
            f"{n.get(1, 0)} children supported and {n.get(0, 0)} in the comparison group: "
            "at least 10 of each are needed"
        )


def smd(treated: np.ndarray, control: np.ndarray) -> float:
    """Standardised mean difference: difference in means over the pooled standard deviation."""
    if len(treated) == 0 or len(control) == 0:
        return float("nan")
    pooled = math.sqrt((float(np.var(treated, ddof=0)) + float(np.var(control, ddof=0))) / 2)
    diff = float(np.mean(treated) - np.mean(control))
    return 0.0 if pooled == 0 else diff / pooled


def randomised(frame: pl.DataFrame, outcome: str = "entered_care") -> Result:
    return _two_groups(frame, outcome, "randomised")


def waiting_list(
    frame: pl.DataFrame,
    outcome: str = "entered_care",
    started_before_check: int = 0,
    median_wait_days: float | None = None,
) -> Result:
    """Children who started at once (`treated` 1) against children who waited (0), as allocated.
    `started_before_check`: children who waited but had a place before the outcome was checked."""
    result = _two_groups(frame, outcome, "waiting-list")
    result.started_before_check = started_before_check
    result.median_wait_days = median_wait_days
    try:
        result.adjusted = adjusted_difference(frame, outcome)
    except NotEnoughData as exc:
        result.adjustment_note = " ".join(exc.messages)
    return result


# Probabilities of starting at once are held inside [TRIM, 1 - TRIM] so that no single child's
# weight can exceed 1/TRIM (= 50): a child almost certain to wait who started at once would
# otherwise decide the estimate alone.
TRIM = 0.02
BOOTSTRAP = 200


def adjustment_covariates(frame: pl.DataFrame) -> tuple[str, ...]:
    """The baseline columns present in `frame` that vary (a constant tells the model nothing)."""
    names = [c for c in COVARIATES if c in frame.columns]
    names += sorted(c for c in frame.columns if c.startswith(URGENCY_PREFIX))
    return tuple(c for c in names if frame[c].n_unique() > 1)


def _propensity_model() -> LogisticRegression:
    """P(started at once | baseline): a lightly penalised logistic regression (the penalty keeps
    a rare need code from sending a weight to infinity). `warm_start`: each bootstrap refit starts
    from the last coefficients, a few iterations instead of a cold fit, to keep the page quick."""
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415  seconds to import

    return LogisticRegression(C=100.0, max_iter=500, warm_start=True, solver="newton-cholesky")


def _fit_scores(model: LogisticRegression, z: np.ndarray, treated: np.ndarray) -> np.ndarray:
    model.fit(z, treated)
    return np.asarray(model.predict_proba(z)[:, 1], dtype=float)


def _weights(scores: np.ndarray, treated: np.ndarray) -> np.ndarray:
    p = np.clip(scores, TRIM, 1 - TRIM)
    return np.where(treated == 1, 1 / p, 1 / (1 - p))


def _weighted_difference(
    y: np.ndarray, treated: np.ndarray, w: np.ndarray, x: np.ndarray
) -> tuple[float, float, float]:
    """Each group's rate over all the children compared, doubly robust (augmented inverse-
    probability weighting): a regression of the outcome on the baseline in each group predicts
    every child's chance both ways, and the weighted residuals of the group's own children
    correct what the regression got wrong. Right if either the weights or the regression are
    right, and steadier than weighting alone when a few children carry heavy weights."""
    design = np.column_stack([np.ones(len(y)), x])
    rates = []
    for arm in (1, 0):
        mask = treated == arm
        # Least squares (a linear probability model): closed form, so the bootstrap stays quick.
        coef = np.linalg.lstsq(design[mask], y[mask], rcond=None)[0]
        predicted = design @ coef
        # Normalised (Hájek) weights on the residuals: the group's weights sum to one.
        residual = float(np.average(y[mask] - predicted[mask], weights=w[mask]))
        rates.append(float(np.clip(predicted.mean() + residual, 0.0, 1.0)))
    return rates[0], rates[1], rates[0] - rates[1]


def _effective(w: np.ndarray) -> float:
    return float(w.sum() ** 2 / (w**2).sum()) if len(w) else 0.0


def _weighted_smd(x: np.ndarray, treated: np.ndarray, w: np.ndarray) -> float:
    """SMD of the weighted means over the *unweighted* pooled SD, so before and after share one
    yardstick."""
    t = treated == 1
    pooled = math.sqrt((float(np.var(x[t])) + float(np.var(x[~t]))) / 2)
    diff = float(np.average(x[t], weights=w[t]) - np.average(x[~t], weights=w[~t]))
    return 0.0 if pooled == 0 else diff / pooled


def adjusted_difference(
    frame: pl.DataFrame,
    outcome: str = "entered_care",
    bootstrap: int = BOOTSTRAP,
    seed: int = 0,
) -> Adjusted:
    """The waiting-list difference adjusted for the baseline by inverse-probability weighting
    (doubly robust: see `_weighted_difference`), with a percentile bootstrap 95% interval (the whole fit redone on each resample, within each
    group so both stay the size they were) and the balance before and after weighting."""
    check_groups(frame, outcome)
    covariates = adjustment_covariates(frame)
    if not covariates:
        raise NotEnoughData("no recorded characteristic varies between the children")
    x = frame.select(covariates).to_numpy().astype(float)
    treated = frame["treated"].to_numpy().astype(int)
    y = frame[outcome].to_numpy().astype(float)
    # Standardised once, on the whole sample, so every refit treats every column alike.
    sd = x.std(axis=0)
    sd[sd == 0] = 1
    z = (x - x.mean(axis=0)) / sd
    model = _propensity_model()
    scores = _fit_scores(model, z, treated)
    trimmed = int(((scores < TRIM) | (scores > 1 - TRIM)).sum())
    w = _weights(scores, treated)
    r1, r0, d = _weighted_difference(y, treated, w, x)
    balance = [
        Balance(
            cov,
            _label(cov),
            smd(x[treated == 1, k], x[treated == 0, k]),
            _weighted_smd(x[:, k], treated, w),
        )
        for k, cov in enumerate(covariates)
    ]
    rng = np.random.default_rng(seed)
    idx_t = np.flatnonzero(treated == 1)
    idx_c = np.flatnonzero(treated == 0)
    estimates = []
    for _ in range(bootstrap):
        rows = np.concatenate([rng.choice(idx_t, len(idx_t)), rng.choice(idx_c, len(idx_c))])
        ts, zs, ys = treated[rows], z[rows], y[rows]
        ws = _weights(_fit_scores(model, zs, ts), ts)
        estimates.append(_weighted_difference(ys, ts, ws, zs)[2])
    if estimates:
        low, high = (float(v) for v in np.percentile(estimates, [2.5, 97.5]))
    else:
        low = high = d
    t = treated == 1
    return Adjusted(
        r1,
        r0,
        d,
        low,
        high,
        balance,
        bootstrap,
        _effective(w[t]),
        _effective(w[~t]),
        trimmed,
        covariates,
    )


def _label(covariate: str) -> str:
    if covariate.startswith(URGENCY_PREFIX):
        level = covariate.removeprefix(URGENCY_PREFIX).replace("_", " ")
        return f"Urgency: {level}"
    return COVARIATE_LABELS.get(covariate, covariate)


def _two_groups(frame: pl.DataFrame, outcome: str, design: str) -> Result:
    """Difference in proportions between two groups formed without regard to the children (at
    random, or by whether a place was free), with a Wald interval and the balance before."""
    check_groups(frame, outcome)
    t = frame.filter(pl.col("treated") == 1)[outcome].to_numpy().astype(float)
    c = frame.filter(pl.col("treated") == 0)[outcome].to_numpy().astype(float)
    p1, p0 = float(t.mean()), float(c.mean())
    se = math.sqrt(p1 * (1 - p1) / len(t) + p0 * (1 - p0) / len(c))
    d = p1 - p0
    covariates = [c_ for c_ in COVARIATES if c_ in frame.columns]
    balance = [
        Balance(
            cov,
            COVARIATE_LABELS[cov],
            smd(
                frame.filter(pl.col("treated") == 1)[cov].to_numpy().astype(float),
                frame.filter(pl.col("treated") == 0)[cov].to_numpy().astype(float),
            ),
            None,
        )
        for cov in covariates
    ]
    return Result(design, len(t), len(c), 0, 0, p1, p0, d, d - Z95 * se, d + Z95 * se, balance)


def simulate(
    n_treated: int = 600,
    n_pool: int = 3000,
    effect: float = 0.0,
    seed: int = 0,
    randomise: bool = False,
) -> pl.DataFrame:
    """Simulated children with a known effect of support on entering care (`effect` is added to
    the supported children's probability). Selection into support depends on the covariates (older
    children with prior referrals and child protection history are likelier to be referred), and
    those covariates also raise the risk of entering care, so a naive comparison is biased and
    matching must remove the bias. With `randomise`, support is a coin toss instead."""
    rng = np.random.default_rng(seed)
    n = n_treated + n_pool
    age = rng.integers(0, 18, n)
    disabled = rng.random(n) < 0.12
    uasc = rng.random(n) < 0.03
    prior = rng.poisson(0.6, n)
    cp = rng.random(n) < 0.2
    need = rng.choice(NEED_CODES, n, p=[0.5, 0.05, 0.05, 0.15, 0.1, 0.07, 0.03, 0.05])
    base_logit = -2.2 + 0.08 * age + 0.35 * prior + 0.8 * cp + 0.4 * disabled + 1.0 * uasc
    base_logit = base_logit + np.where(need == "N1", 0.5, 0.0)
    if randomise:
        treated = np.zeros(n, dtype=int)
        treated[rng.permutation(n)[:n_treated]] = 1
    else:
        sel = -1.5 + 0.12 * (age - 9) + 0.5 * prior + 0.7 * cp + np.where(need == "N4", 0.6, 0)
        sel_p = 1 / (1 + np.exp(-sel))
        # Pick n_treated children with probability proportional to their selection score.
        treated = np.zeros(n, dtype=int)
        treated[rng.choice(n, n_treated, replace=False, p=sel_p / sel_p.sum())] = 1
    p = 1 / (1 + np.exp(-base_logit)) + effect * treated
    p = np.clip(p, 0, 1)
    entered = (rng.random(n) < p).astype(int)
    data: dict[str, object] = {
        "treated": treated,
        "entered_care": entered,
        "age": age,
        "disabled": disabled.astype(int),
        "uasc": uasc.astype(int),
        "prior_referrals": prior,
        "cp_history": cp.astype(int),
    }
    for code in NEED_CODES:
        data[f"need_{code}"] = (need == code).astype(int)
    return pl.DataFrame(data)
