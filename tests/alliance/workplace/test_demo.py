"""The demo loader: fictional South Tyneside records and the three demo sign-ins, made once."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance.accounts.demo import create_demo_people
from alliance.accounts.models import User
from alliance.workplace import demo
from alliance.workplace.models import EmployerProfile, Opportunity, Referral, YoungPerson

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_gives_each_journey_something_to_see(reference_data, client):
    create_demo_people()
    first = demo.load()
    assert demo.YOUNG_PERSON in first
    assert demo.EMPLOYER in first
    people = YoungPerson.objects.count()
    assert demo.load() == first
    assert YoungPerson.objects.count() == people == 40
    jordan = YoungPerson.objects.get(user__username=demo.YOUNG_PERSON)
    warehouse = Opportunity.objects.get(title="Warehouse operative apprenticeship")
    assert Referral.objects.get(young_person=jordan, opportunity=warehouse).stage == "applied"
    client.force_login(User.objects.get(username=demo.EMPLOYER))
    page = client.get(reverse("workplace:employer-opportunity", args=[warehouse.pk]))
    assert f"{jordan.first_name} {jordan.last_name[0]}." in page.content.decode()
    # A business waits for the careers adviser's decision, and cannot post yet.
    waiting = EmployerProfile.objects.get(contact_email=demo.PENDING_EMPLOYER)
    assert waiting.status == EmployerProfile.Status.PENDING
    assert EmployerProfile.objects.filter(status="pending").count() == 1
    client.force_login(User.objects.get(username=demo.PENDING_EMPLOYER))
    home = client.get(reverse("workplace:employer-home")).content.decode()
    assert "waiting for approval" in home
