"""What an employer changes: posting and changing their opportunities and their pledge to care
leavers. Each change is saved and audited with the acting user in one transaction, under the
employer's organisation. No request objects here."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from alliance.accounts.models import User
from alliance.audit import services as audit
from alliance.workplace.models import EmployerProfile, Opportunity


@transaction.atomic
def post_opportunity(
    opportunity: Opportunity, profile: EmployerProfile, *, user: User
) -> Opportunity:
    """Save a new opportunity (from an unsaved form instance) for the employer, with the council
    that approved them."""
    opportunity.employer, opportunity.council = profile.organisation, profile.council
    opportunity.save()
    audit.record(
        None, audit.Action.CREATE, opportunity, user=user, organisation_id=profile.organisation_id
    )
    return opportunity


@transaction.atomic
def change_opportunity(opportunity: Opportunity, fields: list[str], *, user: User) -> Opportunity:
    """Save the changes to an opportunity; the audit row names the changed fields."""
    opportunity.save()
    record_opportunity_change(opportunity, {"fields": fields}, user=user)
    return opportunity


def record_opportunity_change(
    opportunity: Opportunity, detail: dict[str, str | list[str]], *, user: User
) -> None:
    """The audit row for a change to an opportunity, under the employer's organisation."""
    audit.record(
        None,
        audit.Action.CHANGE,
        opportunity,
        user=user,
        organisation_id=opportunity.employer_id,
        detail=detail,
    )


@transaction.atomic
def record_pledge(profile: EmployerProfile, pledge: str, *, user: User) -> EmployerProfile:
    """The employer's pledge to care leavers, dated today."""
    profile.pledge = pledge
    profile.pledged_on = dt.date.today()
    profile.save(update_fields=["pledge", "pledged_on"])
    audit.record(
        None, audit.Action.CHANGE, profile, user=user, organisation_id=profile.organisation_id
    )
    return profile
