"""Edge of Care records for tests: plain functions over the real services, so a test's data
went through the same rules a practitioner's does."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

from django.utils import timezone

from alliance.edgeofcare import referrals
from alliance.edgeofcare.models import Contact, Referral, Service
from alliance.organisations.models import Organisation

_n = itertools.count(1)


def child(**fields: Any) -> dict[str, Any]:
    n = next(_n)
    return {
        "first_name": f"Child{n}",
        "last_name": "Testfamily",
        "date_of_birth": dt.date(2014, 1, 1) + dt.timedelta(days=n),
        "primary_need": "N4",
        **fields,
    }


def referral(
    org: Organisation,
    children: list[dict[str, Any]] | None = None,
    **fields: Any,
) -> Referral:
    data = {
        "referrer_type": "school",
        "referrer_name": "Ms Teacher, head of year",
        "address_line_1": "1 Test Street",
        "address_town": "North Shields",
        "postcode": "NE29 6DL",
        "needs": ["family-breakdown"],
        "risk": "high",
        "urgency": "urgent",
        "consent_basis": "consent",
        **fields,
    }
    return referrals.create_referral(org, None, data, children or [child()])


def contacted(r: Referral, when: dt.datetime | None = None) -> Referral:
    referrals.record_contact(
        r,
        None,
        Contact.Kind.PHONE,
        when or timezone.now(),
        "Spoke to mum",
    )
    r.refresh_from_db()
    return r


def service(org: Organisation, capacity: int = 2, name: str | None = None) -> Service:
    return Service.objects.create(
        organisation=org, name=name or f"Service {next(_n)}", capacity=capacity
    )
