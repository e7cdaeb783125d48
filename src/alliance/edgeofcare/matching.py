"""Building the comparison group when the council did not allocate at random or by waiting
list: propensity-score matching against children in the council's CIN/SSDA903 records.

A logistic regression (scikit-learn) gives each child's probability of being supported from the
baseline; each supported child is matched to the nearest unsupported child on the logit of that
probability (1:1, without replacement, within a caliper of 0.2 standard deviations of the logit,
as Austin 2011 recommends). Supported children with no comparison child inside the caliper are
left out and counted. Balance is shown as the standardised mean difference of every covariate
before and after matching (|SMD| < 0.1 is the usual sign of good balance). The effect is the
average difference in the matched pairs (the effect on the children supported), with a 95%
interval from the paired differences. The statistics shared with the other designs are in
`evaluation`.
"""

from __future__ import annotations

import math

import numpy as np
import polars as pl

from alliance.edgeofcare.evaluation import (
    COVARIATE_LABELS,
    COVARIATES,
    Z95,
    Balance,
    NotEnoughData,
    Result,
    check_groups,
    smd,
)

CALIPER_SD = 0.2


def propensity_scores(frame: pl.DataFrame, covariates: tuple[str, ...] = COVARIATES) -> np.ndarray:
    x = frame.select([c for c in covariates if c in frame.columns]).to_numpy().astype(float)
    # Standardise so the (lightly) penalised fit treats every covariate alike.
    sd = x.std(axis=0)
    sd[sd == 0] = 1
    x = (x - x.mean(axis=0)) / sd
    y = frame["treated"].to_numpy()
    # scikit-learn takes seconds to import (bench/edgeofcare_bench.py times it): only the
    # evaluation itself pays for it, not every page.
    from sklearn.linear_model import LogisticRegression  # noqa: PLC0415  seconds to import

    model = LogisticRegression(C=1e4, max_iter=1000)
    model.fit(x, y)
    return model.predict_proba(x)[:, 1]


def _greedy_match(logit_t: np.ndarray, logit_c: np.ndarray, caliper: float) -> np.ndarray:
    """For each supported child (hardest to match first), the index of the nearest unused
    comparison child within the caliper, or -1."""
    order_c = np.argsort(logit_c)
    sorted_c = logit_c[order_c]
    used = np.zeros(len(sorted_c), dtype=bool)
    matches = np.full(len(logit_t), -1)
    # Highest propensity first: those have the fewest good comparisons.
    for i in np.argsort(-logit_t):
        pos = int(np.searchsorted(sorted_c, logit_t[i]))
        best, best_d = -1, caliper
        left, right = pos - 1, pos
        # Walk outwards from the insertion point, skipping used comparisons.
        while left >= 0 and used[left]:
            left -= 1
        while right < len(sorted_c) and used[right]:
            right += 1
        for j in (left, right):
            if 0 <= j < len(sorted_c):
                d = abs(sorted_c[j] - logit_t[i])
                if d <= best_d:
                    best, best_d = j, d
        if best >= 0:
            used[best] = True
            matches[i] = order_c[best]
    return matches


def matched(
    frame: pl.DataFrame,
    outcome: str = "entered_care",
    covariates: tuple[str, ...] = COVARIATES,
) -> Result:
    check_groups(frame, outcome)
    covariates = tuple(c for c in covariates if c in frame.columns)
    ps = np.clip(propensity_scores(frame, covariates), 1e-6, 1 - 1e-6)
    logit = np.log(ps / (1 - ps))
    treated_mask = frame["treated"].to_numpy() == 1
    idx_t = np.flatnonzero(treated_mask)
    idx_c = np.flatnonzero(~treated_mask)
    caliper = CALIPER_SD * float(np.std(logit))
    m = _greedy_match(logit[idx_t], logit[idx_c], caliper)
    ok = m >= 0
    pair_t = idx_t[ok]
    pair_c = idx_c[m[ok]]
    if len(pair_t) < 10:
        raise NotEnoughData(
            f"only {len(pair_t)} supported children had a close enough comparison child"
        )
    y = frame[outcome].to_numpy().astype(float)
    diffs = y[pair_t] - y[pair_c]
    d = float(diffs.mean())
    se = float(diffs.std(ddof=1)) / math.sqrt(len(diffs)) if len(diffs) > 1 else 0.0
    x = frame.select(covariates).to_numpy().astype(float)
    balance = [
        Balance(
            cov,
            COVARIATE_LABELS.get(cov, cov),
            smd(x[idx_t, k], x[idx_c, k]),
            smd(x[pair_t, k], x[pair_c, k]),
        )
        for k, cov in enumerate(covariates)
    ]
    return Result(
        "matched",
        len(idx_t),
        len(idx_c),
        len(pair_t),
        int((~ok).sum()),
        float(y[pair_t].mean()),
        float(y[pair_c].mean()),
        d,
        d - Z95 * se,
        d + Z95 * se,
        balance,
    )
