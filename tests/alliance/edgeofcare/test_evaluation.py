"""The evaluation statistics on simulated children with a known, planted effect of support on
entering care: matching must recover it inside its confidence interval, and find none when none
was planted. Selection into support is confounded in the simulation, so a naive comparison is
wrong and only the matching gets it right."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from alliance.edgeofcare import evaluation, matching, write_up

# What decides who is supported in the simulation (and also raises the risk of entering care).
CONFOUNDERS = ("age", "prior_referrals", "cp_history", "need_N4")


def naive(frame: pl.DataFrame) -> float:
    t = frame.filter(pl.col("treated") == 1)["entered_care"].mean()
    c = frame.filter(pl.col("treated") == 0)["entered_care"].mean()
    return float(t) - float(c)  # type: ignore[arg-type]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_matching_recovers_a_planted_effect(seed):
    frame = evaluation.simulate(n_treated=600, n_pool=3000, effect=-0.10, seed=seed)
    result = matching.matched(frame)
    assert result.ci_low <= -0.10 <= result.ci_high
    assert result.significant
    assert result.difference < 0
    after = {b.covariate: abs(b.smd_after or 0) for b in result.balance}
    assert all(after[c] < 0.1 for c in CONFOUNDERS)
    # The naive comparison is biased towards zero by who gets referred: matching must do better.
    assert abs(result.difference + 0.10) < abs(naive(frame) + 0.10)


@pytest.mark.parametrize("seed", [4, 5, 6])
def test_matching_finds_no_effect_when_none_is_planted(seed):
    frame = evaluation.simulate(n_treated=600, n_pool=3000, effect=0.0, seed=seed)
    result = matching.matched(frame)
    assert result.ci_low <= 0 <= result.ci_high
    assert not result.significant
    # Without matching the confounding shows up as a spurious harm.
    assert naive(frame) > 0.02


def test_balance_improves_after_matching():
    result = matching.matched(evaluation.simulate(effect=0.0, seed=7))
    before = {b.covariate: abs(b.smd_before) for b in result.balance}
    after = {b.covariate: abs(b.smd_after or 0) for b in result.balance}
    assert before["age"] > 0.2
    assert before["prior_referrals"] > 0.2
    assert all(after[c] < 0.1 for c in CONFOUNDERS)
    assert all(v < 0.15 for v in after.values())


def test_randomised_design_recovers_the_effect_without_matching():
    frame = evaluation.simulate(n_treated=1500, n_pool=1500, effect=-0.10, seed=8, randomise=True)
    result = evaluation.randomised(frame)
    assert result.design == "randomised"
    assert result.ci_low <= -0.10 <= result.ci_high
    null = evaluation.randomised(
        evaluation.simulate(1500, 1500, effect=0.0, seed=9, randomise=True)
    )
    assert null.ci_low <= 0 <= null.ci_high


def test_confidence_interval_covers_the_truth_about_95_percent_of_the_time():
    covered = 0
    runs = 40
    for seed in range(runs):
        r = matching.matched(evaluation.simulate(300, 1500, effect=-0.08, seed=100 + seed))
        covered += r.ci_low <= -0.08 <= r.ci_high
    assert covered >= 32  # 95% nominal; 32 of 40 allows for Monte Carlo noise


def test_smd():
    assert evaluation.smd(np.array([1.0, 1.0]), np.array([1.0, 1.0])) == 0
    assert evaluation.smd(np.array([0.0, 2.0]), np.array([1.0, 3.0])) == pytest.approx(-1.0)


def test_too_few_children_is_refused_plainly():
    frame = evaluation.simulate(n_treated=5, n_pool=100, seed=1)
    with pytest.raises(evaluation.NotEnoughData, match="at least 10"):
        matching.matched(frame)


def test_plain_english_states_the_finding_and_its_limits():
    result = matching.matched(evaluation.simulate(effect=-0.10, seed=2))
    text = " ".join(write_up.plain_english(result))
    assert "percentage points fewer" in text
    assert "does not include zero" in text
    assert "Limits: matching balances only what was recorded" in text
    null = matching.matched(evaluation.simulate(effect=0.0, seed=5))
    assert "cannot tell a real effect from chance" in " ".join(write_up.plain_english(null))
