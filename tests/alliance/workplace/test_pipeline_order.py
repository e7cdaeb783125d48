"""A referral's stages follow their order with plausible dates; a stage recorded by mistake can
be taken back (with a reason, kept and audited); outcome figures never show more sustained than
started."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from dateutil.relativedelta import relativedelta
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from alliance.audit.models import AuditEvent
from alliance.workplace import figures, pipeline
from alliance.workplace.models import Opportunity, Referral
from tests import factories
from tests.alliance.workplace import factories as wp

S = Referral.Stage


def today() -> dt.date:
    """Today where the service is, asked for each time: a test that runs across midnight must
    not compare a date taken when the module was imported with one taken now."""
    return timezone.localdate()


def _referral_at_applied(adviser):
    referral = pipeline.suggest(wp.young_person(), wp.opportunity(), None, user=adviser)
    referral.stage_dates = {"suggested": (today() - relativedelta(months=9)).isoformat()}
    return pipeline.move(referral, S.APPLIED, today() - relativedelta(months=8), user=adviser)


@pytest.mark.django_db
def test_applied_cannot_jump_to_sustained(reference_data):
    adviser = factories.user()
    referral = _referral_at_applied(adviser)
    assert pipeline.next_stages(referral) == [S.INTERVIEW, S.OFFER, S.ENDED]
    for jump in (S.STARTED, S.SUSTAINED_3, S.SUSTAINED_6):
        with pytest.raises(pipeline.StageError):
            pipeline.move(referral, jump, today(), user=adviser)
    referral.refresh_from_db()
    assert referral.stage == S.APPLIED


@pytest.mark.django_db
def test_sustained_needs_a_start_long_enough_before(reference_data):
    adviser = factories.user()
    referral = _referral_at_applied(adviser)
    started = today() - relativedelta(months=2)
    pipeline.move(referral, S.OFFER, started, user=adviser)
    pipeline.move(referral, S.STARTED, started, user=adviser)
    with pytest.raises(pipeline.StageError, match="3 months in work can be recorded from"):
        pipeline.move(referral, S.SUSTAINED_3, today(), user=adviser)
    assert S.SUSTAINED_6 not in pipeline.next_stages(referral)
    referral.refresh_from_db()
    assert referral.stage == S.STARTED


@pytest.mark.django_db
def test_sustained_three_then_six_months_in_order(reference_data):
    adviser = factories.user()
    referral = _referral_at_applied(adviser)
    started = today() - relativedelta(months=7)
    pipeline.move(referral, S.OFFER, started, user=adviser)
    pipeline.move(referral, S.STARTED, started, user=adviser)
    with pytest.raises(pipeline.StageError):  # before the stage it follows
        pipeline.move(referral, S.SUSTAINED_3, started - dt.timedelta(days=1), user=adviser)
    pipeline.move(referral, S.SUSTAINED_3, started + relativedelta(months=3), user=adviser)
    with pytest.raises(pipeline.StageError):  # six months not yet up on that day
        pipeline.move(
            referral, S.SUSTAINED_6, started + relativedelta(months=6, days=-1), user=adviser
        )
    pipeline.move(referral, S.SUSTAINED_6, started + relativedelta(months=6), user=adviser)
    assert referral.stage == S.SUSTAINED_6


@pytest.mark.django_db
def test_a_stage_recorded_by_mistake_is_taken_back_with_its_reason(reference_data):
    adviser = factories.user()
    referral = _referral_at_applied(adviser)
    pipeline.move(referral, S.ENDED, today(), user=adviser)
    assert pipeline.next_stages(referral) == []
    with pytest.raises(pipeline.CorrectionError):
        pipeline.correct_last_stage(referral, "   ", user=adviser)
    pipeline.correct_last_stage(referral, "Wrong young person", user=adviser)
    referral.refresh_from_db()
    assert referral.stage == S.APPLIED
    assert S.ENDED not in referral.stage_dates
    [kept] = referral.corrections
    assert (kept["stage"], kept["dated"], kept["reason"]) == (
        "ended",
        today().isoformat(),
        "Wrong young person",
    )
    event = AuditEvent.objects.filter(object_type="workplace.Referral").latest("pk")
    assert event.detail["corrected"] == "ended"
    assert event.detail["reason"] == "Wrong young person"
    # and the referral can move on again: an interview is no longer refused
    pipeline.move(referral, S.INTERVIEW, today(), user=adviser)
    assert referral.stage == S.INTERVIEW


@pytest.mark.django_db
def test_the_first_stage_cannot_be_taken_back(reference_data):
    adviser = factories.user()
    referral = pipeline.suggest(wp.young_person(), wp.opportunity(), None, user=adviser)
    with pytest.raises(pipeline.CorrectionError):
        pipeline.correct_last_stage(referral, "Mistake", user=adviser)


@pytest.mark.django_db
def test_an_adviser_takes_back_a_mistaken_stage_on_the_referral_page(client, reference_data):
    south = wp.south_tyneside()
    user = wp.adviser(south)
    client.force_login(user)
    referral = pipeline.suggest(wp.young_person(south), wp.opportunity(), None, user=user)
    # a record made before stages had to follow their order: applied, then sustained today
    referral.stage = S.SUSTAINED_3
    referral.stage_dates = {**referral.stage_dates, "applied": today().isoformat(),
                            "sustained-3": today().isoformat()}  # fmt: skip
    referral.save()
    url = reverse("workplace:referral", args=[referral.pk])
    page = client.get(url).content.decode()
    assert "Take back “Sustained 3 months”" in page
    empty = client.post(reverse("workplace:referral-correct", args=[referral.pk]), {"reason": ""})
    assert "Enter why the stage was recorded by mistake" in empty.content.decode()
    done = client.post(
        reverse("workplace:referral-correct", args=[referral.pk]),
        {"reason": "Clicked the wrong stage"},
    )
    assert done.status_code == 302
    referral.refresh_from_db()
    assert referral.stage == S.APPLIED
    page = client.get(url).content.decode()
    assert "Clicked the wrong stage" in page
    assert "Stages taken back as mistakes" in page
    moved = client.post(url, {"stage": "interview", "on": today().isoformat()})
    assert moved.status_code == 302


stage_dates = st.dictionaries(
    st.sampled_from([s.value for s in S]), st.just("2026-01-01"), max_size=len(S)
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stage_dates)
def test_reached_never_counts_sustained_without_started(dates):
    got = pipeline.reached(dates)
    order = [S.OFFER, S.STARTED, S.SUSTAINED_3, S.SUSTAINED_6]
    for earlier, later in itertools.pairwise(order):
        assert later not in got or earlier in got
    assert all(s in got for s in dates if s in pipeline.STAGES)


@pytest.mark.django_db
def test_outcomes_never_show_more_sustained_than_started(reference_data):
    """The report from the walk-through: 3 sustained against 2 started, from referrals that
    jumped from applied to sustained before the order was enforced."""
    employer = wp.employer(name="Counting Ltd")
    item = wp.opportunity(employer, places=3)
    adviser = factories.user()
    shapes = [
        {"suggested": "2026-01-01", "applied": "2026-01-02", "sustained-3": "2026-01-03"},
        {"suggested": "2026-01-01", "started": "2026-01-02", "sustained-3": "2026-04-03"},
        {"suggested": "2026-01-01", "sustained-6": "2026-01-03"},
        {"suggested": "2026-01-01", "started": "2026-01-02", "ended": "2026-02-01"},
    ]
    for dates in shapes:
        referral = pipeline.suggest(wp.young_person(), item, None, user=adviser)
        referral.stage_dates = dates
        referral.save()
    [row] = figures.by_employer(Opportunity.objects.filter(employer=employer))
    assert row.sustained_6 <= row.sustained_3 <= row.started
    assert (row.started, row.sustained_3, row.sustained_6) == (4, 3, 1)
    counts = dict(pipeline.pipeline_counts(Referral.objects.filter(opportunity=item)))
    assert counts["Sustained 3 months"] <= counts["Started"] <= counts["Offer"]
