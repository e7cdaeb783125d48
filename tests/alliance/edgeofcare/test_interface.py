"""What the forecast reads from Edge of Care: the evaluation's headline as children kept out of
care, and nothing when there is no evaluation."""

from __future__ import annotations

import pytest

from alliance.edgeofcare.interface import KeptOutOfCare, kept_out_of_care
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_council_without_referrals_has_no_estimate(reference_data):
    assert kept_out_of_care(factories.council("394").organisation) is None


def test_the_estimate_in_children_and_in_proportion():
    estimate = KeptOutOfCare(
        year=2025,
        design="matched",
        children_supported=80,
        difference_points=-10.0,
        low_points=-18.0,
        high_points=-2.0,
        comparison_rate=0.25,
    )
    assert estimate.children_kept_out == pytest.approx(8.0)
    assert estimate.relative_reduction == pytest.approx(40.0)  # 10 points of 25%
    assert estimate.significant
    unclear = KeptOutOfCare(2025, "matched", 80, -3.0, -9.0, 3.0, 0.0)
    assert not unclear.significant
    assert unclear.relative_reduction is None
