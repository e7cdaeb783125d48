"""Edge of Care's rules: targets, duplicates, capacity, closure, outcomes, escalation, retention,
and matching against the council's returns (through a stand-in for the returns app's interface)."""

from __future__ import annotations

import datetime as dt
import types
from io import StringIO

import polars as pl
import pytest
from django.core import mail
from django.core.management import call_command
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.edgeofcare import (
    comparison,
    figures,
    live_queue,
    outcomes,
    placement_costs,
    referrals,
    retention,
    returns_data,
    targets,
    waiting_lists,
)
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import Child, Outcome, Referral, ServiceAllocation
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db


def fake_returns(monkeypatch, tables):
    """Stand in for alliance.returns.services: SSDA903 ids pseudonymised as 'P-<id>', CIN ids as
    'C-<id>' (the real one keys the two returns differently too)."""
    module = types.SimpleNamespace(
        pseudonymise_id=lambda org, child_id, kind="ssda903": (
            f"C-{child_id}" if kind == "cin" else f"P-{child_id}"
        ),
        latest_tables=lambda org, kind, year=None: tables.get(kind, {}),
    )
    monkeypatch.setattr(returns_data, "_returns", lambda: module)


def test_due_time_follows_the_councils_target_for_the_urgency(north):
    targets.set_target_hours(north, {"immediate": 2})
    received = timezone.now()
    r = factories.referral(north, urgency="immediate", received_at=received)
    assert r.due_at == received + dt.timedelta(hours=2)
    r2 = factories.referral(north, urgency="standard", received_at=received)
    assert r2.due_at == received + dt.timedelta(hours=72)


def test_missing_consent_basis_saves_nothing(north):
    with pytest.raises(EdgeOfCareError, match="lawful basis"):
        factories.referral(north, consent_basis="")
    assert not Referral.objects.exists()


def test_a_bad_child_rolls_back_the_whole_referral(north):
    with pytest.raises(Exception):  # noqa: B017, PT011 - full_clean's ValidationError
        factories.referral(north, children=[factories.child(), factories.child(primary_need="XX")])
    assert not Referral.objects.exists()
    assert not Child.objects.exists()


def test_duplicates_need_the_same_postcode_and_a_matching_child(north, south):
    kid = factories.child(first_name="Ava", last_name="Bell", date_of_birth=dt.date(2015, 3, 2))
    first = factories.referral(north, children=[kid], postcode="ne29 6dl")
    same_dob = referrals.ChildDetails("Different", "Name", dt.date(2015, 3, 2))
    same_name = referrals.ChildDetails("ava", "BELL", dt.date(2016, 1, 1))
    stranger = referrals.ChildDetails("Leo", "Hall", dt.date(2012, 1, 1))
    assert referrals.find_duplicates(north, "NE296DL", [same_dob]) == [first]
    assert referrals.find_duplicates(north, "NE29 6DL", [stranger, same_name]) == [first]
    assert referrals.find_duplicates(north, "NE29 6DL", [stranger]) == []
    assert referrals.find_duplicates(north, "NE30 1AA", [same_dob]) == []
    # Another council's families are not shown.
    assert referrals.find_duplicates(south, "NE29 6DL", [same_dob]) == []


def test_queue_puts_least_time_left_first_and_shows_overdue(north):
    now = timezone.now()
    late = factories.referral(north, urgency="immediate", received_at=now - dt.timedelta(hours=5))
    soon = factories.referral(north, urgency="urgent", received_at=now - dt.timedelta(hours=23))
    later = factories.referral(north, urgency="standard", received_at=now)
    done = factories.contacted(factories.referral(north, received_at=now - dt.timedelta(hours=1)))
    rows = live_queue.queue(Referral.objects.all(), now)
    assert [r.referral for r in rows] == [late, soon, later]
    assert rows[0].overdue
    assert rows[0].time_left == "1 hr 0 min overdue"
    assert not rows[1].overdue
    assert done not in [r.referral for r in rows]


def test_escalation_flags_once_and_emails_the_team_lead(north):
    cs = targets.council_settings(north)
    cs.team_lead_email = "lead@example.test"
    cs.warn_minutes = 60
    cs.save()
    now = timezone.now()
    near = factories.referral(
        north, urgency="immediate", received_at=now - dt.timedelta(hours=3, minutes=30)
    )
    far = factories.referral(north, urgency="standard", received_at=now)
    assert live_queue.escalate(now) == 1
    near.refresh_from_db()
    far.refresh_from_db()
    assert near.escalated_at is not None
    assert far.escalated_at is None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["lead@example.test"]
    assert near.reference in mail.outbox[0].body
    assert live_queue.escalate(now) == 0  # not twice
    assert len(mail.outbox) == 1


def test_first_contact_on_time_counts_as_met(north):
    now = timezone.now()
    on_time = factories.referral(north, urgency="urgent", received_at=now - dt.timedelta(hours=30))
    factories.contacted(on_time, now - dt.timedelta(hours=20))
    late = factories.referral(north, urgency="urgent", received_at=now - dt.timedelta(hours=30))
    factories.contacted(late, now - dt.timedelta(hours=1))
    factories.referral(north, urgency="urgent", received_at=now - dt.timedelta(hours=30))
    urgent = next(
        f
        for f in figures.target_figures(Referral.objects.all(), now)
        if f["urgency"].startswith("Urgent")
    )
    assert (urgent["met"], urgent["missed"], urgent["waiting_overdue"]) == (1, 1, 1)
    assert urgent["percent_met"] == 50


def test_contact_before_the_referral_is_refused(north):
    r = factories.referral(north)
    with pytest.raises(EdgeOfCareError, match="at or after the time the referral was received"):
        referrals.record_contact(r, None, "phone", r.received_at - dt.timedelta(hours=1), "x")
    assert not r.contacts.exists()


def test_full_service_refuses_unless_waiting_list_is_chosen(north):
    svc = factories.service(north, capacity=1)
    other = factories.service(north, capacity=5)
    a = factories.contacted(factories.referral(north))
    referrals.triage(a, [svc])
    b = factories.contacted(factories.referral(north))
    with pytest.raises(EdgeOfCareError, match="is full"):
        referrals.triage(b, [other, svc])
    assert not b.allocations.exists()  # nothing half-saved: not even the service with room
    made = referrals.triage(b, [other, svc], waiting_list_ok=True)
    assert {m.service: m.status for m in made} == {
        other: ServiceAllocation.Status.ACTIVE,
        svc: ServiceAllocation.Status.WAITING,
    }
    assert waiting_lists.places_taken([svc])[svc.pk] == (1, 1)
    with pytest.raises(EdgeOfCareError, match="no free place"):
        waiting_lists.start_from_waiting_list(b.allocations.get(service=svc))
    referrals.close_referral(a, "goals-met", "")
    waiting_lists.start_from_waiting_list(b.allocations.get(service=svc))
    assert waiting_lists.places_taken([svc])[svc.pk] == (1, 0)


def test_triage_needs_first_contact(north):
    r = factories.referral(north)
    with pytest.raises(EdgeOfCareError, match="first contact"):
        referrals.triage(r, [factories.service(north)])


def test_outcome_dates_before_the_referral_are_refused(north):
    r = factories.referral(north, received_at=timezone.now() - dt.timedelta(days=200))
    child = r.children.get()
    with pytest.raises(EdgeOfCareError, match="on or after the referral date"):
        outcomes.record_outcome(
            child, 3, {"checked_on": timezone.localdate(r.received_at) - dt.timedelta(days=1)}
        )
    assert not Outcome.objects.exists()
    o = outcomes.record_outcome(
        child,
        3,
        {"checked_on": timezone.localdate(), "living_at_home": True, "entered_care": False},
    )
    assert o.entered_care is False
    assert o.entered_care_source == Outcome.Source.PRACTITIONER


def test_a_child_already_in_care_cannot_be_referred(north, monkeypatch):
    episodes = pl.DataFrame(
        {
            "CHILD": ["P-C1", "P-C2"],
            "DECOM": [dt.date(2024, 1, 1), dt.date(2023, 1, 1)],
            "DEC": [None, dt.date(2023, 6, 1)],
        },
        schema={"CHILD": pl.String, "DECOM": pl.Date, "DEC": pl.Date},
    )
    fake_returns(monkeypatch, {"ssda903": {"Episodes": episodes}})
    with pytest.raises(EdgeOfCareError, match="already looked after"):
        factories.referral(north, children=[factories.child(la_child_id="C1")])
    assert not Referral.objects.exists()
    # A child whose episode ended is not in care now.
    factories.referral(north, children=[factories.child(la_child_id="C2")])


def test_outcomes_are_matched_against_the_returns(north, monkeypatch):
    received = timezone.now() - dt.timedelta(days=400)
    r = factories.referral(
        north,
        received_at=received,
        children=[
            factories.child(la_child_id="A1"),
            factories.child(la_child_id="A2"),
            factories.child(),
        ],
    )
    start = timezone.localdate(received)
    # Uploads for every collection year from the referral to the latest point that has passed
    # (another child's record in the earliest year).
    episodes = pl.DataFrame(
        {
            "CHILD": ["P-A1", "P-X9"],
            "DECOM": [start + dt.timedelta(days=100), start - dt.timedelta(days=30)],
            "DEC": [None, None],
            "YEAR": [start.year + 2, start.year],
        },
        schema={"CHILD": pl.String, "DECOM": pl.Date, "DEC": pl.Date, "YEAR": pl.Int32},
    )
    # A2's CIN record under its CIN pseudonym; an SSDA903-style pseudonym must not match.
    cin = pl.DataFrame(
        {
            "LAchildID": ["C-A2", "P-A1", "C-X9"],
            "CINreferralDate": [start + dt.timedelta(days=250)] * 2
            + [start - dt.timedelta(days=60)],
            "YEAR": [start.year + 2, start.year + 2, start.year],
        }
    )
    fake_returns(monkeypatch, {"ssda903": {"Episodes": episodes}, "cin": {"CINdetails": cin}})
    none_child = r.children.order_by("pk")[2]
    outcomes.record_outcome(
        r.children.order_by("pk")[1], 3, {"checked_on": timezone.localdate(), "entered_care": True}
    )
    assert outcomes.match_outcomes(north) > 0
    # Absence from SSDA903 does not overrule the practitioner's "entered care".
    assert r.children.order_by("pk")[1].outcomes.get(months=3).entered_care is True
    assert none_child.la_child_id == ""
    a1, a2, _none = r.children.order_by("pk")
    assert a1.outcomes.get(months=3).entered_care is False
    assert a1.outcomes.get(months=6).entered_care is True
    assert a1.outcomes.get(months=6).entered_care_source == Outcome.Source.RETURNS
    assert a2.outcomes.get(months=6).re_referred is False
    assert a2.outcomes.get(months=12).re_referred is True
    assert a1.outcomes.get(months=12).re_referred is False
    assert not _none.outcomes.exists()  # no id: nothing to match; the practitioner records it
    # A practitioner cannot overwrite what the returns showed.
    outcomes.record_outcome(a1, 6, {"checked_on": timezone.localdate(), "entered_care": False})
    assert a1.outcomes.get(months=6).entered_care is True


def test_nothing_uploaded_means_no_matching_and_a_plain_message(north):
    r = factories.referral(north, received_at=timezone.now() - dt.timedelta(days=400))
    assert outcomes.match_outcomes(north) == 0
    result = comparison.evaluate(north, r.received_at.year)
    assert result.result is None
    assert "No comparison group yet" in result.message or "Not enough data" in result.message


def test_purge_deletes_only_records_past_retention_and_audits_each(north):
    cs = targets.council_settings(north)
    cs.retention_years = 6
    cs.retention_until_age = 25
    cs.save()
    long_ago = timezone.now() - dt.timedelta(days=365 * 20)
    old = factories.referral(
        north, received_at=long_ago, children=[factories.child(date_of_birth=dt.date(1996, 1, 1))]
    )
    young = factories.referral(
        north, received_at=long_ago, children=[factories.child(date_of_birth=dt.date(2005, 1, 1))]
    )
    recent = factories.referral(
        north, children=[factories.child(date_of_birth=dt.date(1996, 1, 1))]
    )
    still_open = factories.referral(
        north, received_at=long_ago, children=[factories.child(date_of_birth=dt.date(1990, 1, 1))]
    )
    for r in (old, young, recent):
        referrals.close_referral(r, "goals-met", "")
    Referral.objects.filter(pk__in=[old.pk, young.pk]).update(
        closed_at=long_ago + dt.timedelta(days=90)
    )
    removed = retention.purge()
    assert removed == [old.reference]
    assert set(Referral.objects.values_list("pk", flat=True)) == {
        young.pk,
        recent.pk,
        still_open.pk,
    }
    event = AuditEvent.objects.get(action=AuditEvent.Action.PURGE)
    assert event.object_repr == old.reference
    assert event.organisation_id == north.pk
    assert event.detail["children"] == 1


def test_comparison_group_is_built_from_cin_and_ssda903(north, monkeypatch):
    ids = [f"P-K{i}" for i in range(5)]
    cin = {
        "CINdetails": pl.DataFrame(
            {
                "LAchildID": [*ids, "P-K0"],
                "CINreferralDate": [dt.date(2024, 3, 1)] * 4
                + [dt.date(2024, 11, 1), dt.date(2023, 9, 1)],
                "PrimaryNeedCode": ["N1", "N4", "N4", "N5", "N2", "N1"],
            }
        ),
        "ChildIdentifiers": pl.DataFrame(
            {"LAchildID": ids, "PersonBirthDate": [dt.date(2010, 1, 1)] * 5}
        ),
        "Disabilities": pl.DataFrame({"LAchildID": ["P-K1"], "Disability": ["MOB"]}),
        "ChildProtectionPlans": pl.DataFrame({"LAchildID": ["P-K2"]}),
    }
    ssda = {
        # The collection years 2024 and 2025 (April 2023 to March 2025) are uploaded.
        "Episodes": pl.DataFrame(
            {
                "CHILD": ["P-K3", "P-K1"],
                "DECOM": [dt.date(2024, 6, 1), dt.date(2020, 1, 1)],
                "YEAR": [2025, 2024],
            }
        )
    }
    fake_returns(monkeypatch, {"cin": cin, "ssda903": ssda})
    frame = comparison.comparison_frame(north, 2024, supported_ids={"P-K2"})
    # K2 was supported; K1 was already in care before the referral: neither is a comparison child.
    # K4's 12 months run past March 2025, beyond the uploads: left out, not read as "no".
    assert frame.height == 2
    rows = {r["need_N1"]: r for r in frame.to_dicts()}
    k0, k3 = rows[1], rows[0]
    assert (k0["age"], k0["prior_referrals"], k0["entered_care"]) == (14, 1, 0)
    assert (k3["need_N5"], k3["entered_care"]) == (1, 1)


def test_costs_avoided_use_the_councils_unit_costs(north):
    placement_costs.set_unit_costs(
        north, dict.fromkeys(placement_costs.DEFAULT_WEEKLY_POUNDS, 10000)
    )
    costs = placement_costs.costs_avoided(north, children_kept_out=2.0, weeks=52)
    assert costs["weekly_average_pence"] == 100_00
    assert costs["total_pence"] == 2 * 52 * 100_00
    assert not costs["mix_from_returns"]
    assert placement_costs.costs_avoided(north, children_kept_out=-1)["total_pence"] == 0


def test_time_left_reads_in_days_hours_or_minutes():
    r = Referral()
    assert live_queue.QueueRow(r, 30).time_left == "30 min"
    assert live_queue.QueueRow(r, 125).time_left == "2 hr 5 min"
    assert live_queue.QueueRow(r, 3 * 1440 + 120).time_left == "3 days 2 hr"
    assert live_queue.QueueRow(r, -61).time_left == "1 hr 1 min overdue"


def test_the_scheduled_command_runs_escalation_and_purge(north):
    cs = targets.council_settings(north)
    factories.referral(
        north, urgency="immediate", received_at=timezone.now() - dt.timedelta(hours=5)
    )
    out = StringIO()
    call_command("edgeofcare", "escalate", stdout=out)
    assert "Escalated 1 referral(s)" in out.getvalue()
    call_command("edgeofcare", "purge", stdout=out)
    assert "Purged 0 referral(s)" in out.getvalue()
    assert cs.pk


def test_outcome_figures_are_never_stale_after_an_outcome_is_written(north):
    r = factories.referral(north, received_at=timezone.now() - dt.timedelta(days=120))
    child = r.children.get()
    assert figures.outcome_figures(north) == []
    outcomes.record_outcome(child, 3, {"checked_on": timezone.localdate(), "entered_care": True})
    rows = figures.outcome_figures(north)
    assert rows[0]["months"] == 3
    assert rows[0]["in_care"] == 1
    outcomes.record_outcome(child, 6, {"checked_on": timezone.localdate(), "entered_care": False})
    assert [row["months"] for row in figures.outcome_figures(north)] == [3, 6]


def test_monthly_referrals_count_each_calendar_month(north):
    factories.referral(north)
    factories.referral(north)
    factories.referral(north, received_at=timezone.now() - dt.timedelta(days=400))
    months = figures.monthly_referrals(Referral.objects.all())
    assert len(months) == 12
    assert months[-1] == (timezone.localdate().strftime("%b %Y"), 2)
    assert sum(n for _, n in months) == 2


def test_unlinkable_returns_are_refused_rather_than_read_as_never_in_care(north, monkeypatch):
    cin = {
        "CINdetails": pl.DataFrame(
            {
                "LAchildID": ["C-K1"],
                "CINreferralDate": [dt.date(2024, 3, 1)],
                "PrimaryNeedCode": ["N1"],
            }
        ),
        "ChildIdentifiers": pl.DataFrame(
            {"LAchildID": ["C-K1"], "PersonBirthDate": [dt.date(2010, 1, 1)]}
        ),
    }
    ssda = {"Episodes": pl.DataFrame({"CHILD": ["P-K1"], "DECOM": [dt.date(2024, 6, 1)]})}
    fake_returns(monkeypatch, {"cin": cin, "ssda903": ssda})
    with pytest.raises(EdgeOfCareError, match="cannot be linked"):
        comparison.comparison_frame(north, 2024, supported_ids=set())
