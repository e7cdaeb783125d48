"""The busy pages (dashboard, case list, a family's record, the live queue) must cost a fixed
number of queries however many referrals, children, contacts and outcomes there are: a page that
issues a query per row is what made them slow at 15,000 referrals. Each test measures the page
with little data, adds much more, and requires the same count."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.edgeofcare import figures, referrals
from alliance.edgeofcare.models import Contact, Outcome, Referral, ServiceAllocation
from tests import factories as core
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db


def queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def busy_family(org, children: int, contacts: int) -> Referral:
    """A family a year into its case: children with outcomes, contacts, services, goals."""
    received = timezone.now() - dt.timedelta(days=400)
    r = factories.referral(
        org, received_at=received, children=[factories.child() for _ in range(children)]
    )
    factories.contacted(r, received + dt.timedelta(hours=2))
    service = factories.service(org, capacity=5)
    referrals.triage(r, [service])
    for i in range(contacts):
        Contact.objects.create(
            referral=r,
            kind=Contact.Kind.HOME_VISIT,
            happened_at=received + dt.timedelta(days=i + 1),
            notes="Visit",
            allocation=r.allocations.first(),
        )
        r.goals.create(description=f"Goal {i}", allocation=r.allocations.first())
    for child in r.children.all():
        for months in (3, 6, 12):
            Outcome.objects.create(
                child=child, months=months, checked_on=timezone.localdate(), living_at_home=True
            )
    r.members.create(name="Parent", relationship="Mother")
    return r


def more_referrals(org, n: int) -> None:
    now = timezone.now()
    for i in range(n):
        r = factories.referral(
            org, received_at=now - dt.timedelta(days=30 * i, hours=5), urgency="urgent"
        )
        if i % 2:
            factories.contacted(r, r.received_at + dt.timedelta(hours=3))
        if i % 3 == 0:
            referrals.close_referral(r, "goals-met", "")


def test_a_familys_record_costs_the_same_however_much_it_holds(client, north):
    client.force_login(core.member_of(north, Role.COUNCIL_PRACTITIONER))
    small = busy_family(north, children=1, contacts=1)
    large = busy_family(north, children=5, contacts=20)
    path = "/edge-of-care/referrals/{}/"
    queries(client, path.format(small.pk))  # warm the session
    assert queries(client, path.format(large.pk)) == queries(client, path.format(small.pk))


@pytest.mark.parametrize(
    "path",
    ["/edge-of-care/cases/", "/edge-of-care/cases/?status=open", "/edge-of-care/queue/"],
)
def test_lists_cost_the_same_with_many_more_cases(client, north, path):
    client.force_login(core.member_of(north, Role.COUNCIL_PRACTITIONER))
    more_referrals(north, 3)
    queries(client, path)
    before = queries(client, path)
    more_referrals(north, 30)
    assert queries(client, path) == before


def test_the_dashboard_costs_the_same_with_many_more_referrals(client, north):
    client.force_login(core.member_of(north, Role.COUNCIL_LEADER))
    more_referrals(north, 3)
    factories.service(north)
    queries(client, "/edge-of-care/dashboard/")
    cache.clear()  # the headline effect, worked out afresh: a fixed number of queries too
    cold_before = queries(client, "/edge-of-care/dashboard/")
    before = queries(client, "/edge-of-care/dashboard/")
    more_referrals(north, 30)
    for _ in range(3):
        factories.service(north)
    ServiceAllocation.objects.all().delete()
    cache.clear()
    assert queries(client, "/edge-of-care/dashboard/") == cold_before
    assert queries(client, "/edge-of-care/dashboard/") == before
    assert before <= 15


def test_rolling_figures_cover_the_last_twelve_months_and_every_family_still_waiting(north):
    now = timezone.now()
    recent = factories.referral(north, urgency="urgent", received_at=now - dt.timedelta(days=30))
    factories.contacted(recent, recent.received_at + dt.timedelta(hours=1))
    old = factories.referral(north, urgency="urgent", received_at=now - dt.timedelta(days=500))
    factories.contacted(old, old.received_at + dt.timedelta(hours=1))
    # Referred long ago and still waiting: overdue however old.
    factories.referral(north, urgency="urgent", received_at=now - dt.timedelta(days=400))
    referrals.close_referral(old, "goals-met", "")
    Referral.objects.filter(pk=old.pk).update(closed_at=now - dt.timedelta(days=450))
    referrals.close_referral(recent, "step-down", "")
    urgent = next(
        f
        for f in figures.target_figures(Referral.objects.all(), now)
        if f["urgency"].startswith("Urgent")
    )
    assert (urgent["total"], urgent["met"], urgent["missed"]) == (1, 1, 0)
    assert urgent["waiting_overdue"] == 1
    closures = figures.closure_figures(Referral.objects.all())
    assert closures == [("Stepped down to early help or universal services", 1)]
