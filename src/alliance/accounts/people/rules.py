"""Which roles each kind of organisation can hold, who may manage whom, and the last-administrator
rule. No database writes here: `services` applies these rules."""

from __future__ import annotations

from typing import Any

from alliance.access.policy import Action, Area, scope
from alliance.accounts.models import Membership, Role, User
from alliance.organisations.models import Organisation

Kind = Organisation.Kind

# A role the organisation's kind cannot hold is refused (an employer cannot be a council analyst).
ROLES_FOR_KIND: dict[str, tuple[Role, ...]] = {
    Kind.COUNCIL: (
        Role.COUNCIL_ANALYST,
        Role.COUNCIL_PRACTITIONER,
        Role.COUNCIL_LEADER,
        Role.YOUNG_PERSON,
        Role.ORGANISATION_ADMINISTRATOR,
        Role.ADMINISTRATOR,
    ),
    Kind.ALLIANCE: (Role.ALLIANCE_LEAD, Role.ORGANISATION_ADMINISTRATOR, Role.ADMINISTRATOR),
    Kind.DFE: (Role.DFE_ANALYST, Role.ORGANISATION_ADMINISTRATOR, Role.ADMINISTRATOR),
    Kind.EMPLOYER: (Role.EMPLOYER, Role.ORGANISATION_ADMINISTRATOR),
}

# Roles that manage people: an organisation keeps at least one active person holding one of them.
ADMINISTRATOR_ROLES = (Role.ADMINISTRATOR, Role.ORGANISATION_ADMINISTRATOR)


class Refused(Exception):
    """A change that the rules do not allow; its message is shown to the person as it is."""


def roles_for(organisation: Organisation) -> tuple[Role, ...]:
    return ROLES_FOR_KIND.get(organisation.kind, ())


def is_service_administrator(actor: Any) -> bool:
    return scope(actor, Area.PEOPLE, Action.CHANGE).everything


def roles_given_by(actor: Any, organisation: Organisation) -> tuple[Role, ...]:
    """The roles `actor` may give in `organisation`. Only service administrators give the
    Administrator role, which reaches every organisation."""
    if not scope(actor, Area.PEOPLE, Action.CHANGE).includes(organisation.pk):
        return ()
    roles = roles_for(organisation)
    if is_service_administrator(actor):
        return roles
    return tuple(r for r in roles if r is not Role.ADMINISTRATOR)


def check_role(actor: Any, organisation: Organisation, role: str) -> Role:
    if role not in Role.values:
        raise Refused("Select a role")
    chosen = Role(role)
    if chosen not in roles_for(organisation):
        raise Refused(
            f"{organisation.name} cannot have a {chosen.label.lower()}: "
            f"choose a role for a {organisation.get_kind_display().lower()}"
        )
    if chosen not in roles_given_by(actor, organisation):
        raise Refused(f"You cannot give the {chosen.label.lower()} role in {organisation.name}")
    return chosen


def organisations_managed_by(actor: Any) -> list[Organisation]:
    s = scope(actor, Area.PEOPLE, Action.CHANGE)
    organisations = Organisation.objects.order_by("name")
    if s.everything:
        return list(organisations)
    return list(organisations.filter(pk__in=s.organisation_ids))


def may_manage(actor: Any, person: User) -> bool:
    """Deactivating a person or resetting their two-step verification touches every organisation
    they belong to: an organisation administrator may do it only when all of them are theirs."""
    s = scope(actor, Area.PEOPLE, Action.CHANGE)
    if s.everything:
        return True
    organisation_ids = set(person.memberships.values_list("organisation_id", flat=True))
    if not organisation_ids or not organisation_ids <= s.organisation_ids:
        return False
    # Nobody but a service administrator manages a service administrator.
    return not person.memberships.filter(role=Role.ADMINISTRATOR).exists()


def check_not_last_administrator(
    person: User, memberships: list[Membership], *, deactivating: bool = False
) -> None:
    """Refuse to leave an organisation with no active administrator when `memberships` (some of
    `person`'s) are taken away, or all of them when the person is deactivated."""
    for membership in memberships:
        if membership.role not in ADMINISTRATOR_ROLES:
            continue
        remaining = Membership.objects.filter(
            organisation=membership.organisation,
            role__in=ADMINISTRATOR_ROLES,
            user__is_active=True,
        ).exclude(pk__in=[m.pk for m in memberships])
        if deactivating:
            remaining = remaining.exclude(user=person)
        if not remaining.exists():
            raise Refused(
                f"{person.display_name} is the last administrator of "
                f"{membership.organisation.name}. Give someone else an administrator role first"
            )
