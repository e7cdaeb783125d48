"""An opportunity closes (is no longer offered) when its places are all filled, and reopens
when a place is freed again, for instance a start corrected back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.workplace import matching, pipeline
from alliance.workplace.models import Opportunity, Referral
from tests.alliance.workplace import factories as wp

pytestmark = pytest.mark.django_db
S = Referral.Stage


def today() -> dt.date:
    """Today where the service is, asked for each time: a test that runs across midnight must
    not compare a date taken when the module was imported with one taken now."""
    return timezone.localdate()


def _started(person, item, adviser):
    referral = pipeline.suggest(person, item, None, user=adviser)
    referral.stage_dates = {"suggested": (today() - dt.timedelta(days=20)).isoformat()}
    pipeline.move(referral, S.APPLIED, today() - dt.timedelta(days=10), user=adviser)
    pipeline.move(referral, S.OFFER, today() - dt.timedelta(days=5), user=adviser)
    return pipeline.move(referral, S.STARTED, today(), user=adviser)


def _offered_to(person, item) -> bool:
    found, _ = matching.matches_for_young_person(person, Opportunity.objects.filter(pk=item.pk))
    return any(m.opportunity_id == item.pk for m in found)


def test_filled_places_close_the_opportunity_and_a_freed_place_reopens_it(client, reference_data):
    south = wp.south_tyneside()
    adviser = wp.adviser(south)
    closes = today() + dt.timedelta(days=30)
    item = wp.opportunity(places=2, closing_date=closes)
    first, second, third = (wp.young_person(south) for _ in range(3))
    _started(first, item, adviser)
    item.refresh_from_db()
    assert item.is_open  # one of two places filled
    last = _started(second, item, adviser)
    item.refresh_from_db()
    assert not item.is_open
    assert item.filled_on == today()
    assert item.advertised_closing_date == closes
    assert not _offered_to(third, item)
    client.force_login(adviser)
    listed = client.get(reverse("workplace:opportunities")).content.decode()
    assert item.title not in listed
    assert AuditEvent.objects.filter(detail__closed_filled=today().isoformat()).exists()

    pipeline.correct_last_stage(last, "Started at another employer, not this one", user=adviser)
    item.refresh_from_db()
    assert item.is_open
    assert item.closing_date == closes
    assert item.filled_on is None
    assert _offered_to(third, item)


def test_someone_leaving_after_starting_frees_their_place(reference_data):
    south = wp.south_tyneside()
    adviser = wp.adviser(south)
    item = wp.opportunity(places=1)
    referral = _started(wp.young_person(south), item, adviser)
    item.refresh_from_db()
    assert not item.is_open
    pipeline.move(referral, S.ENDED, today(), user=adviser)
    item.refresh_from_db()
    assert item.is_open


def test_an_employer_cannot_reopen_an_opportunity_whose_places_are_all_filled(reference_data):
    south = wp.south_tyneside()
    adviser = wp.adviser(south)
    item = wp.opportunity(places=1)
    _started(wp.young_person(south), item, adviser)
    item.refresh_from_db()
    assert not item.can_reopen
    with pytest.raises(pipeline.StageError, match="Every place is filled"):
        pipeline.reopen(item, user=adviser)
