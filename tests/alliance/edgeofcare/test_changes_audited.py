"""Every change to a family's case is audited by the service that makes it, naming the acting
practitioner, in the same transaction as the change (a refused change leaves no audit row)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alliance.access.roles import Role
from alliance.audit.models import AuditEvent
from alliance.edgeofcare import (
    outcomes,
    placement_costs,
    plans,
    referrals,
    targets,
    waiting_lists,
)
from alliance.edgeofcare.errors import EdgeOfCareError
from alliance.edgeofcare.models import Goal, Service, ServiceAllocation
from tests import factories as core
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db


def latest() -> int:
    """The last audit row so far (the audit log is append-only: rows are never deleted)."""
    return AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def changes(referral, after: int) -> list[dict]:
    return [
        e.detail
        for e in AuditEvent.objects.filter(
            pk__gt=after, action=AuditEvent.Action.CHANGE, object_id=str(referral.pk)
        ).order_by("pk")
    ]


def test_case_work_is_audited_with_the_practitioner(north):
    worker = core.member_of(north, Role.COUNCIL_PRACTITIONER)
    svc = factories.service(north, capacity=1)
    r = factories.contacted(factories.referral(north))
    before = latest()
    (allocation,) = referrals.triage(r, [svc], user=worker)
    waiting_lists.record_progress(allocation, ServiceAllocation.Progress.GOOD, user=worker)
    goal = plans.add_goal(r, "Back at school", allocation, user=worker)
    plans.set_goal_status(goal, Goal.Status.ACHIEVED, user=worker)
    plans.add_review(r, {"held_on": timezone.localdate(), "summary": "Going well"}, user=worker)
    waiting_lists.end_allocation(allocation, user=worker)
    outcomes.record_outcome(r.children.get(), 3, {"checked_on": timezone.localdate()}, user=worker)
    referrals.close_referral(r, "goals-met", "", user=worker)
    assert changes(r, before) == [
        {"triage": [svc.name]},
        {"allocation": allocation.pk, "action": "progress"},
        {"added": "goal"},
        {"goal": goal.pk, "status": Goal.Status.ACHIEVED},
        {"added": "review"},
        {"allocation": allocation.pk, "action": "end"},
        {"outcome": r.children.get().pk},
        {"closed": "goals-met"},
    ]
    assert set(
        AuditEvent.objects.filter(pk__gt=before, object_id=str(r.pk)).values_list(
            "username", flat=True
        )
    ) == {worker.get_username()}


def test_a_refused_change_leaves_no_audit_row(north):
    r = factories.referral(north)
    before = latest()
    with pytest.raises(EdgeOfCareError):
        referrals.triage(r, [factories.service(north)])
    with pytest.raises(EdgeOfCareError):
        referrals.close_referral(r, "", "")
    assert changes(r, before) == []


def test_the_councils_settings_and_catalogue_are_audited_with_the_practitioner(north):
    worker = core.member_of(north, Role.COUNCIL_PRACTITIONER)
    before = latest()
    settings = targets.council_settings(north)
    settings.warn_minutes = 45
    targets.save_settings(settings, {"immediate": 3}, user=worker)
    placement_costs.set_unit_costs(north, {"residential": 500_000}, user=worker)
    service = Service(organisation=north, name="Family group conferences", capacity=4)
    waiting_lists.save_service(service, user=worker)
    service.capacity = 5
    waiting_lists.save_service(service, user=worker)
    with pytest.raises(EdgeOfCareError, match="already a service with this name"):
        waiting_lists.save_service(
            Service(organisation=north, name="Family group conferences", capacity=1), user=worker
        )
    events = AuditEvent.objects.filter(pk__gt=before).order_by("pk")
    assert [(e.action, e.object_type, e.username) for e in events] == [
        ("change", "edgeofcare.CouncilSettings", worker.get_username()),
        ("change", "edgeofcare.UnitCost", worker.get_username()),
        ("create", "edgeofcare.Service", worker.get_username()),
        ("change", "edgeofcare.Service", worker.get_username()),
    ]
    assert targets.target_hours(north)["immediate"] == 3
    assert Service.objects.get(pk=service.pk).capacity == 5
