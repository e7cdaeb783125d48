"""Changes to people and their roles. Each checks the rules, changes the records in one
transaction and writes the change to the audit log with what it was before and is after."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django_otp.plugins.otp_totp.models import TOTPDevice

from alliance.accounts.models import Membership, Role, User
from alliance.accounts.people import rules
from alliance.accounts.people.rules import Refused
from alliance.accounts.where_signed_in import end_sessions
from alliance.audit import services as audit
from alliance.audit.admin_changes import changes, snapshot
from alliance.organisations.models import Organisation

VIA = "people pages"


def _audit(
    request: HttpRequest,
    action: str,
    obj: Any,
    before: dict[str, Any],
    after: dict[str, Any],
    *,
    object_id: str = "",
    what: str = "",
) -> None:
    detail: dict[str, Any] = {"via": VIA, "changes": changes(before, after)}
    if what:
        detail["what"] = what
    audit.record(request, action, obj, object_id=object_id, detail=detail)


def account_exists(email: str) -> bool:
    return User.objects.filter(username__iexact=email).exists() or (
        User.objects.filter(email__iexact=email).exists()
    )


@transaction.atomic
def invite(
    request: HttpRequest, *, email: str, full_name: str, organisation: Organisation, role: str
) -> User:
    """A new account with no password yet (the invitation's link chooses one) and its first
    role. An address that already has an account is refused."""
    chosen = rules.check_role(request.user, organisation, role)
    email = email.strip()
    if account_exists(email):
        raise Refused(
            f"{email} already has an account. Find the person in the list and give them a role"
        )
    person = User(username=email.lower(), email=email.lower(), full_name=full_name.strip())
    person.set_unusable_password()
    person.save()
    _audit(request, audit.Action.CREATE, person, {}, snapshot(person), what="invited")
    membership = Membership.objects.create(user=person, organisation=organisation, role=chosen)
    _audit(request, audit.Action.CREATE, membership, {}, snapshot(membership), what="role given")
    return person


@transaction.atomic
def give_role(
    request: HttpRequest, person: User, organisation: Organisation, role: str
) -> Membership:
    chosen = rules.check_role(request.user, organisation, role)
    if Membership.objects.filter(user=person, organisation=organisation, role=chosen).exists():
        raise Refused(f"{person.display_name} is already a {chosen.label.lower()} there")
    membership = Membership.objects.create(user=person, organisation=organisation, role=chosen)
    _audit(request, audit.Action.CREATE, membership, {}, snapshot(membership), what="role given")
    return membership


@transaction.atomic
def take_role(request: HttpRequest, membership: Membership) -> None:
    organisation = membership.organisation
    if Role(membership.role) not in rules.roles_given_by(request.user, organisation):
        raise Refused(
            f"You cannot take away the {membership.get_role_display().lower()} role "
            f"in {organisation.name}"
        )
    person = membership.user
    # Lock the organisation's administrators so two removals at once cannot both pass the check.
    list(
        Membership.objects.select_for_update().filter(
            organisation=organisation, role__in=rules.ADMINISTRATOR_ROLES
        )
    )
    rules.check_not_last_administrator(person, [membership])
    before, pk = snapshot(membership), str(membership.pk)
    membership.delete()
    _audit(
        request, audit.Action.DELETE, membership, before, {}, object_id=pk, what="role taken away"
    )


@transaction.atomic
def deactivate(request: HttpRequest, person: User) -> None:
    if not rules.may_manage(request.user, person):
        raise Refused(f"You cannot deactivate {person.display_name}")
    if person.pk == request.user.pk:
        raise Refused("You cannot deactivate your own account")
    if not person.is_active:
        raise Refused(f"{person.display_name} is already deactivated")
    memberships = list(person.memberships.select_related("organisation"))
    rules.check_not_last_administrator(person, memberships, deactivating=True)
    before = snapshot(person)
    person.is_active = False
    person.save(update_fields=["is_active"])
    ended = end_sessions(person)
    _audit(request, audit.Action.CHANGE, person, before, snapshot(person), what="deactivated")
    audit.record(
        request,
        audit.Action.SIGN_OUT,
        person,
        detail={"reason": "account deactivated", "sessions_ended": ended},
    )


@transaction.atomic
def reactivate(request: HttpRequest, person: User) -> None:
    if not rules.may_manage(request.user, person):
        raise Refused(f"You cannot reactivate {person.display_name}")
    before = snapshot(person)
    person.is_active = True
    person.save(update_fields=["is_active"])
    _audit(request, audit.Action.CHANGE, person, before, snapshot(person), what="reactivated")


@transaction.atomic
def reset_two_step(request: HttpRequest, person: User) -> int:
    """Remove the person's authenticator devices: they set up a new one after signing in with
    their password. Their sessions end too, as one verified with the old device could remain."""
    if not rules.may_manage(request.user, person):
        raise Refused(f"You cannot reset two-step verification for {person.display_name}")
    devices = list(TOTPDevice.objects.filter(user=person))
    if not devices:
        raise Refused(f"{person.display_name} has not set up two-step verification")
    for device in devices:
        before, pk = snapshot(device), str(device.pk)
        device.delete()
        _audit(
            request,
            audit.Action.DELETE,
            device,
            before,
            {},
            object_id=pk,
            what=f"two-step verification reset for {person.get_username()}",
        )
    end_sessions(person)
    return len(devices)


@transaction.atomic
def unlink_organisation_account(request: HttpRequest, person: User) -> None:
    """Forget the link to the person's account at their organisation's sign-in service (they moved
    to a new account there, or the wrong one was linked): their next sign-in through it links
    again. Their sessions end, as one may have come through the old link."""
    if not rules.may_manage(request.user, person):
        raise Refused(f"You cannot change how {person.display_name} signs in")
    if not person.sso_subject:
        raise Refused(f"{person.display_name} is not linked to an organisation's account")
    before = snapshot(person)
    person.sso_issuer, person.sso_subject = "", ""
    person.save(update_fields=["sso_issuer", "sso_subject"])
    _audit(
        request,
        audit.Action.CHANGE,
        person,
        before,
        snapshot(person),
        what="link to the organisation's sign-in service removed",
    )
    end_sessions(person)
