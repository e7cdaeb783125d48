"""Plain factory functions for the programme's records, on the real reference data."""

from __future__ import annotations

import datetime as dt
from typing import Any

from alliance.organisations.models import Organisation
from alliance.programme.models import BudgetLine, Engagement, Match, Partner, Programme
from alliance.programme.services.engagements import start_engagement
from alliance.programme.services.setup import confirm_match
from tests import factories


def dfe() -> Organisation:
    return Organisation.objects.filter(
        kind=Organisation.Kind.DFE
    ).first() or factories.organisation(Organisation.Kind.DFE, "Test DfE")


def programme(**fields: Any) -> Programme:
    values: dict[str, Any] = {
        "organisation": dfe(),
        "name": "Test programme",
        "starts": dt.date(2018, 4, 1),
        "ends": dt.date(2020, 3, 31),
        "grant_total_pence": 15_000_000_00,
    }
    values.update(fields)
    return Programme.objects.create(**values)


def partner(
    prog: Programme,
    *dfe_codes: str,
    capacity: int = 10,
    share: int = 1_000_000_00,
    name: str | None = None,
) -> Partner:
    alliance = factories.alliance(*dfe_codes, name=name)
    return Partner.objects.create(
        programme=prog, alliance=alliance, grant_share_pence=share, capacity=capacity
    )


def match(p: Partner, dfe_code: str) -> Match:
    council = factories.council(dfe_code)
    return confirm_match(
        programme=p.programme,
        partner=p,
        council=council,
        need_score=50.0,
        need_reasons=["test"],
        weights={},
        as_at=p.programme.starts,
        suitability=1.0,
        reasons=["test"],
        user=None,
    )


def engagement(
    p: Partner,
    dfe_code: str,
    starts: dt.date = dt.date(2018, 6, 1),
    ends: dt.date = dt.date(2020, 3, 31),
) -> Engagement:
    return start_engagement(match=match(p, dfe_code), starts=starts, ends=ends, user=None)


def budget_line(
    p: Partner, amount: int = 100_000_00, name: str = "Support to councils"
) -> BudgetLine:
    return BudgetLine.objects.create(
        partner=p, kind=BudgetLine.Kind.SUPPORT, name=name, amount_pence=amount
    )
