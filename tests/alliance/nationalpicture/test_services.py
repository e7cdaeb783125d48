"""The national picture's API: the share of councils below good at hand-checked dates, latest
judgements, comparisons with neighbours and concerns."""

from __future__ import annotations

import datetime as dt

import pytest

from alliance.nationalpicture import services
from alliance.nationalpicture.models import Judgement
from alliance.organisations.models import Council

pytestmark = pytest.mark.django_db


def test_share_on_31_march_2016_matches_a_hand_count_of_the_2023_data(reference_data):
    # Counted by hand from the sheet LA_inspections_2009-2023: first SIF reports (or SIF
    # re-inspections) published by 31 March 2016: 2 outstanding, 21 good, 43 requires
    # improvement, 21 inadequate; 87 councils judged, 64 below good.
    share = services.share_below_good(dt.date(2016, 3, 31))
    assert share.counts == {
        "outstanding": 2,
        "good": 21,
        "requires-improvement": 43,
        "inadequate": 21,
    }
    assert (share.judged, share.below_good) == (87, 64)
    assert share.percent == pytest.approx(73.6, abs=0.1)
    # The councils of 2016: 152, with Bournemouth, Poole, old Dorset, Northamptonshire and
    # Cumbria; none of their successors.
    assert share.councils == 152
    assert share.councils == len(share.not_judged) + share.judged
    assert "Bournemouth, Christchurch and Poole" not in share.not_judged


def test_share_on_31_march_2025_matches_ofsteds_official_table(reference_data):
    # Ofsted's sheet Inspections_as_at_31_March counts inspections held by 31 March 2025:
    # 36 outstanding, 67 good, 31 requires improvement, 19 inadequate.
    official = services.share_below_good(dt.date(2025, 3, 31), basis=services.INSPECTED)
    assert official.counts == {
        "outstanding": 36,
        "good": 67,
        "requires-improvement": 31,
        "inadequate": 19,
    }
    assert official.councils == 153
    assert official.not_judged == []
    # Counting from publication, three reports published in April and May 2025 are not yet in.
    published = services.share_below_good(dt.date(2025, 3, 31))
    assert published.judged == 153
    assert published.counts["outstanding"] == 33


def test_before_any_sif_report_nobody_is_judged(reference_data):
    share = services.share_below_good(dt.date(2013, 6, 1))
    assert share.judged == 0
    assert share.share is None
    assert len(share.not_judged) == share.councils


def test_share_over_time_runs_from_2014_to_today(reference_data):
    points = services.share_over_time(end=dt.date(2026, 1, 1))
    assert points[0].as_at == dt.date(2014, 1, 1)
    assert points[-1].as_at == dt.date(2026, 1, 1)
    assert len(points) == 48 + 1
    # 152 councils before April 2019, 151 to 2021, 152 to 2023, then 153.
    assert {p.councils for p in points} == {151, 152, 153}


def test_share_counts_former_councils_until_they_ended():
    councils = [
        Council(pk=1, name="New council", dfe_code="839"),
        Council(pk=2, name="Old", dfe_code="100"),
    ]
    judgements = [
        Judgement(
            council_id=None,
            area_name="Poole (former council)",
            ended=dt.date(2019, 4, 1),
            published=dt.date(2017, 1, 1),
            overall="good",
        ),
        Judgement(
            council_id=2, area_name="Old", published=dt.date(2016, 1, 1), overall="inadequate"
        ),
        Judgement(
            council_id=1, area_name="New council", published=dt.date(2020, 1, 1), overall="good"
        ),
    ]
    judgements.sort(key=lambda j: j.published)
    before = services._share(dt.date(2018, 1, 1), councils, judgements)
    assert before.councils == 2  # Old and Poole; the new council did not exist yet
    assert (before.judged, before.below_good) == (2, 1)
    after = services._share(dt.date(2019, 6, 1), councils, judgements)
    assert after.councils == 2  # Old and the new council
    assert after.not_judged == ["New council"]
    assert after.share == 1.0


def test_latest_judgement_as_at_a_date(reference_data):
    north_tyneside = Council.objects.get(dfe_code="392")
    latest_2018 = services.latest_judgements(dt.date(2018, 1, 1))[north_tyneside.pk]
    assert latest_2018.framework == "sif"
    latest_now = services.latest_judgements()[north_tyneside.pk]
    assert latest_now.framework.startswith("ilacs")
    assert latest_now.published > latest_2018.published


def test_compare_puts_a_council_beside_neighbours_region_and_england(
    reference_data, django_assert_max_num_queries
):
    council = Council.objects.select_related("region").get(dfe_code="392")
    neighbours = services.neighbours_of(council)
    assert len(neighbours) == 10
    with django_assert_max_num_queries(2):
        comparisons = services.compare(council, neighbours=neighbours)
    by_code = {c.indicator.code: c for c in comparisons}
    rereferrals = by_code["ees-rereferrals"]
    assert rereferrals.periods[0] == "2013"
    i = rereferrals.periods.index("2025")
    assert rereferrals.council[i].value == pytest.approx(24.7)
    assert rereferrals.england[i].value == pytest.approx(22.6)
    assert rereferrals.neighbours_reporting[i] == 10
    assert rereferrals.region[i].value is not None


def test_suppressed_figures_say_so():
    assert services.Figure(None, "c").missing_label == "suppressed"
    assert services.Figure(None, "x").missing_label == "not available"
    assert services.Figure(None, "z").missing_label == "not applicable"
    assert services.Figure(3.0).missing_label == ""


def test_concerns_follow_polarity(reference_data):
    council = Council.objects.get(dfe_code="392")
    found = services.concerns(council)
    assert found
    for concern in found:
        assert concern.indicator.polarity in ("high", "low")
        sign = 1 if concern.indicator.polarity == "high" else -1
        if concern.worsening:
            assert sign * (concern.value - concern.previous) < 0
        if concern.far_from_neighbours:
            assert sign * (concern.value - concern.neighbours_mean) < 0
