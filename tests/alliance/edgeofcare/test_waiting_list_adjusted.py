"""The waiting-list comparison adjusted for who was waiting. Families who waited may differ from
those who started at once (older children, referred as less urgent); when those differences also
change the chance of entering care, the plain difference is biased. Here the data plant both an
effect and such a confounder: the plain estimate misses the effect, the adjusted one recovers it,
and finds none when none is planted."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from alliance.accounts.models import Role
from alliance.common.numbers import signed
from alliance.edgeofcare import comparison, evaluation, write_up
from tests import factories as core
from tests.alliance.edgeofcare.test_waiting_list import YEAR, north, run_a_year  # noqa: F401


def confounded(n: int = 1500, effect: float = -0.15, seed: int = 0, confound: bool = True):
    """Children of families given places in waiting-list order. With `confound`, older children
    and those referred as less urgent were likelier to wait, and older and urgent children are
    likelier to enter care; `effect` is added to the chance of entering care of those who started
    at once (no clipping is needed: every chance stays inside 0-1)."""
    rng = np.random.default_rng(seed)
    age = rng.integers(0, 18, n)
    cp = rng.random(n) < 0.25
    prior = rng.poisson(0.6, n)
    urgent = (rng.random(n) < 0.4).astype(int)
    score = 1.0 - 0.25 * (age - 9) + 1.5 * urgent if confound else np.full(n, 1.2)
    at_once = (rng.random(n) < 1 / (1 + np.exp(-score))).astype(int)
    chance = 0.35 + 0.02 * (age - 9) + 0.10 * cp + 0.05 * urgent + effect * at_once
    assert chance.min() > 0
    assert chance.max() < 1
    entered = (rng.random(n) < chance).astype(int)
    return pl.DataFrame(
        {
            "treated": at_once,
            "entered_care": entered,
            "age": age,
            "cp_history": cp.astype(int),
            "prior_referrals": prior,
            "urgency_same_day": urgent,
        }
    )


def test_the_plain_estimate_is_biased_and_the_adjusted_one_recovers_the_planted_effect():
    frame = confounded(effect=-0.15)
    result = evaluation.waiting_list(frame)
    # Plain: the waiting group is older, so more of them enter care anyway: too big an effect.
    assert result.ci_high < -0.15
    adjusted = result.adjusted
    assert adjusted is not None
    assert adjusted.ci_low <= -0.15 <= adjusted.ci_high
    assert abs(adjusted.difference + 0.15) < abs(result.difference + 0.15)
    assert adjusted.significant
    assert adjusted.bootstrap == evaluation.BOOTSTRAP


def test_with_no_effect_the_plain_estimate_finds_one_and_the_adjusted_one_does_not():
    result = evaluation.waiting_list(confounded(effect=0.0))
    assert result.significant
    assert result.difference < 0
    adjusted = result.adjusted
    assert adjusted is not None
    assert adjusted.ci_low <= 0 <= adjusted.ci_high
    assert not adjusted.significant


def test_weighting_balances_what_was_recorded():
    adjusted = evaluation.waiting_list(confounded()).adjusted
    assert adjusted is not None
    by_name = {b.covariate: b for b in adjusted.balance}
    assert set(by_name) == {"age", "cp_history", "prior_referrals", "urgency_same_day"}
    age, urgency = by_name["age"], by_name["urgency_same_day"]
    assert age.smd_before < -0.5  # those who started at once are much younger
    assert urgency.smd_before > 0.2  # and more often urgent
    assert age.smd_after is not None
    assert abs(age.smd_after) < abs(age.smd_before) / 3
    assert urgency.smd_after is not None
    assert abs(urgency.smd_after) < 0.1
    assert urgency.label == "Urgency: same day"
    # Heavy weights on the few young urgent children who waited: worth fewer than were compared.
    n_waited = int((confounded()["treated"] == 0).sum())
    assert 0 < adjusted.effective_comparison < n_waited


def test_without_confounding_the_adjusted_estimate_agrees_with_the_plain_one():
    result = evaluation.waiting_list(confounded(effect=-0.15, confound=False, seed=4))
    assert result.adjusted is not None
    assert abs(result.adjusted.difference - result.difference) < 0.03
    assert all(abs(b.smd_after or 0) < 0.1 for b in result.adjusted.balance)


def test_the_interval_is_reproducible_and_changes_with_the_resamples():
    frame = confounded(n=600)
    one = evaluation.adjusted_difference(frame, bootstrap=50)
    again = evaluation.adjusted_difference(frame, bootstrap=50)
    assert (one.ci_low, one.ci_high) == (again.ci_low, again.ci_high)
    other = evaluation.adjusted_difference(frame, bootstrap=50, seed=1)
    assert one.difference == other.difference
    assert (one.ci_low, one.ci_high) != (other.ci_low, other.ci_high)
    assert one.ci_low < one.difference < one.ci_high


def test_nothing_to_adjust_for_is_said_not_hidden():
    frame = confounded(n=200).with_columns(
        pl.lit(0).alias(c) for c in ("age", "cp_history", "prior_referrals", "urgency_same_day")
    )
    result = evaluation.waiting_list(frame)
    assert result.adjusted is None
    assert "no recorded characteristic varies" in result.adjustment_note
    text = " ".join(write_up.plain_english(result))
    assert "No adjusted estimate could be made" in text


def test_the_write_up_says_what_adjusting_can_and_cannot_fix():
    result = evaluation.waiting_list(confounded())
    text = " ".join(write_up.plain_english(result, "within 3 months of referral"))
    assert "Adjusted for who was waiting" in text
    assert f"{signed(result.adjusted.difference * 100)} percentage points" in text
    assert f"unadjusted it was {signed(result.difference * 100)}" in text
    assert "read the adjusted figure, not the plain one" in text  # they differ by 5+ points
    assert "What adjusting can fix" in text
    assert "and urgency" in text
    assert "What it cannot fix: anything not recorded" in text


@pytest.mark.django_db
def test_the_evaluation_page_shows_the_adjusted_estimate_and_balance_after_weighting(north, client):  # noqa: F811
    run_a_year(north, families=110, p_at_once=0.10, p_waited=0.40, seed=3)
    outcome = comparison.evaluate_waiting_list(north, YEAR)
    assert outcome is not None
    assert outcome.result is not None
    adjusted = outcome.result.adjusted
    assert adjusted is not None
    # Who waited depended on when a family was referred, not on who they were: adjusting moves
    # the estimate little, and it still finds the planted 30 points.
    assert adjusted.ci_low <= -0.30 <= adjusted.ci_high
    assert abs(adjusted.difference - outcome.result.difference) < 0.1
    client.force_login(core.member_of(north, Role.COUNCIL_LEADER))
    html = client.get(f"/edge-of-care/evaluation/?year={YEAR}").content.decode()
    assert "data-waiting-adjusted" in html
    assert "Adjusted for who was waiting (95% confidence interval)" in html
    # the planted effect is a fall: written with a minus sign, not a hyphen
    assert f"{signed(adjusted.difference * 100)} points" in html
    assert signed(adjusted.difference * 100).startswith("\u2212")
    assert "After weighting" in html
    assert "data-waiting-balance" in html
    assert "What it cannot fix" in html
