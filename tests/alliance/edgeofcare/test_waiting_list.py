"""Where a council gives places in waiting-list order, the families who had to wait (the services
were full) are compared with those who started at once, on the first outcome check. The families
here go through the real services (referral, first contact, triage against a service's capacity,
a place coming free, the outcome a practitioner records), with a known effect planted in who
enters care: the comparison must recover it, and find none when none is planted."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.edgeofcare import (
    comparison,
    evaluation,
    outcomes,
    referrals,
    targets,
    waiting_lists,
    write_up,
)
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import AllocationMethod, Referral, ServiceAllocation, Urgency
from tests import factories as core
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db

YEAR = timezone.localdate().year - 1


@pytest.fixture
def north(reference_data):
    org = core.council("392").organisation
    cs = targets.council_settings(org)
    cs.allocation_method = AllocationMethod.WAITING_LIST
    cs.save()
    return org


def run_a_year(org, families: int, p_at_once: float, p_waited: float, seed: int) -> dict:
    """Families referred through the first half of YEAR to one service of 6 places, in busy and
    quiet spells; the longest-waiting family takes a place that comes free (most before their
    3-month check). Each child enters care with probability `p_at_once` if the family started at once,
    `p_waited` if it waited."""
    rng = random.Random(seed)
    service = factories.service(org, capacity=6, name="Intensive family support")
    start = timezone.make_aware(dt.datetime(YEAR, 1, 5, 10))
    counts = {"at_once": 0, "waited": 0}
    for i in range(families):
        received = start + dt.timedelta(days=i * 170 / families)
        r = factories.referral(
            org,
            received_at=received,
            children=[
                factories.child(
                    date_of_birth=dt.date(YEAR - rng.randint(4, 16), 3, 1),
                    primary_need=rng.choice(["N1", "N4", "N5"]),
                    prior_referrals=rng.randint(0, 2),
                    cp_history=rng.random() < 0.2,
                )
                for _ in range(rng.choice([1, 1, 2]))
            ],
        )
        factories.contacted(r, received + dt.timedelta(hours=2))
        # Busy weeks (no family finishes) and quiet weeks (two finish per new referral): the
        # longest-waiting families take the places that come free, then new families do.
        for _ in range(0 if i % 20 < 10 else 2):
            active = ServiceAllocation.objects.filter(
                service=service, status=ServiceAllocation.Status.ACTIVE
            ).first()
            if active is not None:
                waiting_lists.end_allocation(active)
        for waiting in ServiceAllocation.objects.filter(
            service=service, status=ServiceAllocation.Status.WAITING
        ).order_by("waiting_from")[:2]:
            if waiting_lists.places_taken([service])[service.pk][0] < service.capacity:
                waiting_lists.start_from_waiting_list(waiting, when=received)
        (allocation,) = referrals.triage(r, [service], waiting_list_ok=True)
        waited = allocation.status == ServiceAllocation.Status.WAITING
        # Triage happened the day after the referral (the services stamp "now").
        triaged = received + dt.timedelta(days=1)
        r.allocations.update(
            allocated_at=triaged,
            waiting_from=triaged if waited else None,
            started_at=None if waited else triaged,
        )
        r.triaged_at = triaged
        r.save(update_fields=["triaged_at"])
        counts["waited" if waited else "at_once"] += 1
        for child in r.children.all():
            point = outcomes.outcome_due_on(child, 3)
            outcomes.record_outcome(
                child,
                3,
                {
                    "checked_on": point,
                    "entered_care": rng.random() < (p_waited if waited else p_at_once),
                },
            )
    return counts


def test_waiting_list_comparison_recovers_a_planted_effect(north, client):
    counts = run_a_year(north, families=110, p_at_once=0.10, p_waited=0.40, seed=3)
    assert counts["waited"] >= 30
    assert counts["at_once"] >= 30
    outcome = comparison.evaluate_waiting_list(north, YEAR)
    assert outcome is not None
    result = outcome.result
    assert result is not None, outcome.message
    assert result.design == "waiting-list"
    assert result.ci_low <= -0.30 <= result.ci_high
    assert result.significant
    assert result.difference < -0.15
    # Some who waited got a place before their 3-month check: counted, and said.
    assert 0 < result.started_before_check < result.n_comparison
    assert result.median_wait_days is not None
    assert result.median_wait_days > 0
    text = " ".join(outcome.lines)
    assert "had to wait for a place" in text
    assert f"{result.started_before_check} of the {result.n_comparison} children who waited" in text
    assert "understates" in text
    # The evaluation page shows it, beside whatever the matched comparison says.
    client.force_login(core.member_of(north, Role.COUNCIL_LEADER))
    html = client.get(f"/edge-of-care/evaluation/?year={YEAR}").content.decode()
    assert "Families who waited for a place" in html
    assert "data-waiting-list" in html
    assert "understates what the service itself does" in html


def test_waiting_list_comparison_finds_no_effect_when_none_is_planted(north):
    run_a_year(north, families=110, p_at_once=0.25, p_waited=0.25, seed=5)
    result = comparison.evaluate_waiting_list(north, YEAR).result
    assert result is not None
    assert result.ci_low <= 0 <= result.ci_high


def test_a_family_that_started_at_once_and_later_waited_for_another_service_counts_as_at_once(
    north,
):
    full = factories.service(north, capacity=0, name="Family group conference")
    free = factories.service(north, capacity=5, name="Mentoring")
    received = timezone.make_aware(dt.datetime(YEAR, 2, 1, 9))
    r = factories.referral(north, received_at=received)
    factories.contacted(r, received + dt.timedelta(hours=1))
    referrals.triage(r, [free])
    referrals.triage(r, [full], waiting_list_ok=True)
    frame, waited_early, _median = comparison.waiting_list_frame(
        Referral.objects.filter(pk=r.pk), months=3
    )
    assert frame.height == 0  # no outcome recorded yet
    outcomes.record_outcome(
        r.children.get(),
        3,
        {"checked_on": outcomes.outcome_due_on(r.children.get(), 3), "entered_care": False},
    )
    frame, waited_early, _median = comparison.waiting_list_frame(
        Referral.objects.filter(pk=r.pk), months=3
    )
    assert frame["treated"].to_list() == [1]
    assert waited_early == 0
    # the referral's urgency rides along, so the adjusted estimate can weigh it
    urgency = {c: frame[c][0] for c in frame.columns if c.startswith("urgency_")}
    assert len(urgency) == len(Urgency.values)
    assert urgency[f"urgency_{r.urgency}"] == 1
    assert sum(urgency.values()) == 1


def test_no_waiting_list_allocation_means_no_waiting_list_comparison(reference_data):
    org = core.council("392").organisation
    factories.referral(org, received_at=timezone.make_aware(dt.datetime(YEAR, 3, 1, 9)))
    assert comparison.evaluate_waiting_list(org, YEAR) is None


def test_the_waiting_list_statistics_recover_a_planted_effect():
    # Waiting depends on when a family is referred, not on who they are: like a coin toss.
    frame = evaluation.simulate(n_treated=800, n_pool=800, effect=-0.12, seed=11, randomise=True)
    result = evaluation.waiting_list(frame, started_before_check=40, median_wait_days=24)
    assert result.design == "waiting-list"
    assert result.ci_low <= -0.12 <= result.ci_high
    assert result.significant
    text = " ".join(write_up.plain_english(result, "within 3 months of referral"))
    assert "40 of the 800 children who waited had a place before the check" in text
    assert "median wait of those who got a place was 24 days" in text


def test_places_go_in_waiting_list_order(north):
    service = factories.service(north, capacity=1, name="Respite and short breaks")
    now = timezone.now()
    first, second, third = (
        factories.contacted(
            factories.referral(north, received_at=now - dt.timedelta(days=10 - i)),
            now - dt.timedelta(days=9 - i),
        )
        for i in range(3)
    )
    referrals.triage(first, [service])
    referrals.triage(second, [service], waiting_list_ok=True)
    referrals.triage(third, [service], waiting_list_ok=True)
    ServiceAllocation.objects.filter(referral=second).update(
        waiting_from=now - dt.timedelta(days=5)
    )
    waiting_lists.end_allocation(first.allocations.get())
    with pytest.raises(EdgeOfCareError, match=f"{second.reference} has waited longer"):
        waiting_lists.start_from_waiting_list(third.allocations.get())
    waiting_lists.start_from_waiting_list(second.allocations.get())
    assert second.allocations.get().started_at is not None
    assert third.allocations.get().status == ServiceAllocation.Status.WAITING


def test_an_outcome_falls_due_on_the_same_day_months_later_or_the_month_end(north) -> None:
    """31 August and 6 months is 28 February (the month's last day), as everywhere in the
    service (dateutil's relativedelta), not a day capped at the 28th."""
    referral = factories.referral(
        north,
        received_at=timezone.make_aware(dt.datetime(YEAR, 1, 5, 10)),
        children=[factories.child(date_of_birth=dt.date(YEAR - 12, 3, 1))],
    )
    child = referral.children.select_related("referral").get()
    for received, months, due in [
        (dt.datetime(2026, 8, 31, 10, 0), 6, dt.date(2027, 2, 28)),
        (dt.datetime(2026, 1, 30, 10, 0), 3, dt.date(2026, 4, 30)),
        (dt.datetime(2027, 11, 29, 10, 0), 3, dt.date(2028, 2, 29)),
        (dt.datetime(2026, 5, 12, 10, 0), 12, dt.date(2027, 5, 12)),
    ]:
        child.referral.received_at = timezone.make_aware(received)
        assert outcomes.outcome_due_on(child, months) == due
