"""Escalation and the retention purge run on a schedule (every 5 minutes, daily), may be retried by
the task worker and may overlap with a run started by hand. Each must do its work once: one email
per referral about to miss its target, one deletion and one audit row per expired record."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib

import pytest
from django.core import mail
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.edgeofcare import live_queue, referrals, retention, targets, tasks
from alliance.edgeofcare.models import Child, Contact, Referral
from tests import factories as core
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def north(reference_data):
    org = core.council("392").organisation
    cs = targets.council_settings(org)
    cs.team_lead_email = "lead@example.test"
    cs.warn_minutes = 60
    cs.save()
    return org


def about_to_miss(org, n=1):
    now = timezone.now()
    return [
        factories.referral(
            org, urgency="immediate", received_at=now - dt.timedelta(hours=3, minutes=30 + i)
        )
        for i in range(n)
    ]


def due_now(org, now):
    cs = targets.council_settings(org)
    return cs, list(
        Referral.objects.filter(organisation=org, escalated_at__isnull=True, due_at__lte=now)
    )


def test_escalation_run_twice_emails_once(north):
    referrals = about_to_miss(north, 2)
    assert tasks.escalate_missed_targets.call() == 2
    assert tasks.escalate_missed_targets.call() == 0
    assert len(mail.outbox) == 1
    assert all(r.reference in mail.outbox[0].body for r in referrals)


def test_an_overlapping_escalation_run_does_not_email_again(north):
    (r,) = about_to_miss(north)
    now = timezone.now() + dt.timedelta(hours=1)
    # Run B reads the referrals due, then run A escalates them before B claims them.
    cs, seen_by_b = due_now(north, now)
    assert [x.pk for x in seen_by_b] == [r.pk]
    assert live_queue.escalate(now) == 1
    assert live_queue.escalate_referrals(cs, seen_by_b, now) == 0
    assert len(mail.outbox) == 1


def test_a_referral_contacted_meanwhile_is_not_escalated(north):
    (r,) = about_to_miss(north)
    now = timezone.now()
    cs, seen = due_now(north, now + dt.timedelta(hours=1))
    factories.contacted(r, now)
    assert live_queue.escalate_referrals(cs, seen, now) == 0
    r.refresh_from_db()
    assert r.escalated_at is None
    assert mail.outbox == []


def test_an_email_that_fails_leaves_the_referral_for_the_next_run(north, monkeypatch):
    (r,) = about_to_miss(north)

    def down(*args, **kwargs):
        raise smtplib.SMTPServerDisconnected("mail server down")

    monkeypatch.setattr(live_queue, "send_mail", down)
    with pytest.raises(smtplib.SMTPServerDisconnected):
        live_queue.escalate()
    r.refresh_from_db()
    assert r.escalated_at is None  # not marked escalated when nobody was told
    monkeypatch.undo()
    assert live_queue.escalate() == 1
    assert len(mail.outbox) == 1


def expired(org, n=1):
    """Closed referrals long past the council's retention (6 years, and the children over 25)."""
    long_ago = timezone.now() - dt.timedelta(days=365 * 20)
    made = []
    for _ in range(n):
        r = factories.referral(
            org,
            received_at=long_ago,
            children=[
                factories.child(date_of_birth=dt.date(1990, 1, 1)),
                factories.child(date_of_birth=dt.date(1992, 1, 1)),
            ],
        )
        factories.contacted(r, long_ago + dt.timedelta(hours=1))
        referrals.close_referral(r, "goals-met", "")
        Referral.objects.filter(pk=r.pk).update(closed_at=long_ago + dt.timedelta(days=60))
        made.append(r)
    return made


def test_purge_run_twice_removes_and_audits_once(north, caplog):
    (old,) = expired(north)
    kept = factories.referral(north)
    with caplog.at_level(logging.INFO, logger="alliance.edgeofcare.live_queue"):
        assert tasks.purge_expired_records.call() == [old.reference]
    assert tasks.purge_expired_records.call() == []
    assert list(Referral.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not Child.objects.filter(referral_id=old.pk).exists()
    assert not Contact.objects.filter(referral_id=old.pk).exists()
    (event,) = AuditEvent.objects.filter(action=AuditEvent.Action.PURGE)
    assert event.object_repr == old.reference
    assert event.detail["children"] == 2
    assert event.detail["removed"] == {"Child": 2, "Contact": 1, "Referral": 1}
    assert "6 years after closure" in event.detail["rule"]
    assert f"purged {old.reference}" in caplog.text


def test_an_overlapping_purge_run_does_not_audit_a_deletion_twice(north):
    first, second = expired(north, 2)
    cs = targets.council_settings(north)
    today = timezone.localdate()
    # Run B read both candidates; run A then purged them; B goes on with what it read.
    seen_by_b = [first.pk, second.pk]
    assert retention.purge(today) == [first.reference, second.reference]
    assert retention.purge_referrals(cs, seen_by_b, today) == []
    assert AuditEvent.objects.filter(action=AuditEvent.Action.PURGE).count() == 2


def test_a_purge_rechecks_each_record_before_deleting_it(north):
    (r,) = expired(north)
    cs = targets.council_settings(north)
    today = timezone.localdate()
    seen = [r.pk]
    # Meanwhile the council lengthened its retention: the record must stay.
    cs.retention_years = 30
    cs.save()
    assert retention.purge_referrals(cs, seen, today) == []
    assert Referral.objects.filter(pk=r.pk).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.PURGE).exists()
