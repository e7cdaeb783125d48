"""Businesses registering themselves as WorkPlace employers, and the council's WorkPlace team
approving or declining them.

A registration creates an employer organisation, its `EmployerProfile` (pending) and one person
(the contact) with an employer membership and no usable password: they choose one through a
one-time link (Django's password-reset tokens, which stop working once the password is set). A
pending employer can sign in and see where their registration is, but cannot post until an
adviser of the council approves it. Each change is audited here, in its transaction. No
request objects here; the views call these.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.text import slugify

from alliance.accounts.models import Membership, Role, User
from alliance.audit import services as audit
from alliance.organisations.models import Organisation
from alliance.organisations.postcodes import normalise
from alliance.workplace.models import (
    Adviser,
    EmployerProfile,
    Opportunity,
    RegistrationAttempt,
)
from alliance.workplace.postcodes import NORTH_EAST

# One connection may submit this many registrations an hour (a business registers once; a few
# tries cover mistakes, a flood is refused).
ATTEMPTS_PER_HOUR = 5
# And may answer the contact question this many times an hour (typing mistakes, going back to
# change it), so that the public pages cannot be used to test email addresses in bulk.
CONTACT_ANSWERS_PER_HOUR = 20
CONTACT_STEP = "contact-step"


class DuplicateRegistration(ValidationError):
    """The business or the email address is already registered (shown on the form)."""


class EmailInUse(DuplicateRegistration):
    """The contact's email address already signs in to the service. The public pages must not
    say so (it would tell anyone who has an account): the owner of the address is emailed."""


def tidy(text: str) -> str:
    """Runs of spaces as one, no spaces at the ends: how names are compared and stored."""
    return re.sub(r"\s+", " ", text or "").strip()


def workplace_councils() -> QuerySet[Organisation]:
    """Councils that run WorkPlace: those with at least one adviser to look at registrations."""
    return (
        Organisation.objects.filter(
            kind=Organisation.Kind.COUNCIL, workplace_advisers__isnull=False
        )
        .distinct()
        .order_by("name")
    )


def council_for_postcode(postcode: str) -> Organisation | None:
    """The council whose area holds the postcode (from the ONS Postcode Directory)."""
    code = NORTH_EAST.council_code(postcode)
    if not code:
        return None
    return Organisation.objects.filter(council__ons_code=code).first()


def duplicate_business(name: str, postcode: str) -> EmployerProfile | None:
    """An employer already registered with this name at this postcode."""
    return (
        EmployerProfile.objects.filter(
            organisation__name__iexact=tidy(name), postcode=normalise(postcode)
        )
        .select_related("organisation")
        .first()
    )


def email_in_use(email: str) -> bool:
    email = email.strip()
    return (
        User.objects.filter(Q(email__iexact=email) | Q(username__iexact=email)).exists()
        or EmployerProfile.objects.filter(contact_email__iexact=email).exists()
    )


def too_many_attempts(ip_address: str | None, now: dt.datetime | None = None) -> bool:
    """Registrations sent from this address in the last hour have reached the limit."""
    since = (now or timezone.now()) - dt.timedelta(hours=1)
    sent = RegistrationAttempt.objects.filter(ip_address=ip_address, at__gte=since).exclude(
        outcome=CONTACT_STEP
    )
    return sent.count() >= ATTEMPTS_PER_HOUR


def too_many_contact_answers(ip_address: str | None, now: dt.datetime | None = None) -> bool:
    since = (now or timezone.now()) - dt.timedelta(hours=1)
    answers = RegistrationAttempt.objects.filter(
        ip_address=ip_address, at__gte=since, outcome=CONTACT_STEP
    )
    return answers.count() >= CONTACT_ANSWERS_PER_HOUR


def note_attempt(ip_address: str | None, outcome: str) -> None:
    RegistrationAttempt.objects.create(ip_address=ip_address, outcome=outcome)


@dataclass
class Registration:
    """What the business told us on the question pages."""

    business_name: str
    sector: str
    address: str
    postcode: str
    council_id: int
    contact_name: str
    email: str
    offers: list[str] = field(default_factory=list)
    pledge: str = ""


def _slug(name: str) -> str:
    base = (slugify(name) or "employer")[:80]
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


@transaction.atomic
def register(registration: Registration) -> tuple[EmployerProfile, User]:
    """Create the pending employer and its contact person. Raises DuplicateRegistration when
    the business (same name and postcode) or the email address is already registered."""
    name = tidy(registration.business_name)
    postcode = normalise(registration.postcode)
    email = registration.email.strip()
    if duplicate_business(name, postcode) is not None:
        raise DuplicateRegistration(
            f"{name} at {postcode} is already registered with WorkPlace. Sign in with the "
            "email address it was registered with, or contact the council’s WorkPlace team"
        )
    if email_in_use(email):
        raise EmailInUse(email)
    council = Organisation.objects.get(pk=registration.council_id, kind=Organisation.Kind.COUNCIL)
    organisation = Organisation.objects.create(
        kind=Organisation.Kind.EMPLOYER, name=name, slug=_slug(name)
    )
    user = User(username=email, email=email, full_name=tidy(registration.contact_name))
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=Role.EMPLOYER)
    profile = EmployerProfile.objects.create(
        organisation=organisation,
        council=council,
        sector=registration.sector,
        address=registration.address.strip(),
        postcode=postcode,
        contact_name=tidy(registration.contact_name),
        contact_email=email,
        offers=[k for k in Opportunity.Kind.values if k in registration.offers],
        pledge=registration.pledge.strip(),
        pledged_on=dt.date.today() if registration.pledge.strip() else None,
        status=EmployerProfile.Status.PENDING,
        registered_at=timezone.now(),
    )
    # by the business itself, signed out: the audit row has no user, and the request's address
    audit.record(
        None,
        audit.Action.CREATE,
        profile,
        organisation_id=profile.council_id,
        detail={"registered": "by the business", "employer": profile.organisation_id},
    )
    return profile, user


@transaction.atomic
def choose_password(user: User) -> User:
    """Save the password the contact chose from their one-time link (already set on `user`)."""
    user.save()
    audit.record(
        None,
        audit.Action.CHANGE,
        user=user,
        object_type="accounts.User",
        object_id=str(user.pk),
        object_repr="password chosen from the registration link",
    )
    return user


def password_path(user: User) -> str:
    """The path of the one-time link that lets this person choose a password."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return reverse("workplace:register-password", args=[uid, token])


def link_days() -> int:
    return max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)


def send_welcome(profile: EmployerProfile, user: User, link: str) -> None:
    send_mail(
        "Choose a password for WorkPlace",
        f"Dear {profile.contact_name},\n\n"
        f"Thank you for registering {profile.organisation.name} with "
        f"{profile.council.name}’s WorkPlace, which helps care leavers into education, "
        "employment and training.\n\n"
        f"Choose your password here (the link works once, for {link_days()} days):\n\n"
        f"{link}\n\n"
        "You can sign in once you have chosen it. You can post opportunities when the "
        "council’s WorkPlace team has approved your registration: we will email you.\n\n"
        "If you did not register, ignore this email.",
        settings.DEFAULT_FROM_EMAIL,
        [user.email],
    )


@transaction.atomic
def resend_password_link(profile: EmployerProfile, contact: User, link: str, *, user: User) -> None:
    """An adviser sends the business's contact a new one-time link to choose a password."""
    send_welcome(profile, contact, link)
    _record_change(profile, {"password_link_sent_to": contact.email}, user=user)


def _record_change(profile: EmployerProfile, detail: dict[str, str | int], *, user: User) -> None:
    """The audit row for a change to a registration, under the council that decides it."""
    audit.record(
        None,
        audit.Action.CHANGE,
        profile,
        user=user,
        organisation_id=profile.council_id,
        detail=detail,
    )


def send_already_registered(email: str) -> None:
    """Someone registered a business with an address that already signs in: tell its owner,
    and no one else."""
    send_mail(
        "Someone tried to register with WorkPlace using your email address",
        "Someone tried to register a business with WorkPlace, which helps care leavers into "
        "education, employment and training, using this email address.\n\n"
        "This email address already has an account, so nothing new was registered.\n\n"
        "If it was you, sign in with this email address and your password. If you have "
        "forgotten your password, ask the council’s WorkPlace team to send you a new link.\n\n"
        "If it was not you, you do not need to do anything.",
        settings.DEFAULT_FROM_EMAIL,
        [email],
    )


def team_emails(council: Organisation) -> list[str]:
    """The WorkPlace team who look at registrations: the council's careers advisers, or its
    personal advisers when it has no careers adviser."""
    advisers = Adviser.objects.filter(organisation=council, user__is_active=True)
    careers = advisers.filter(kind=Adviser.Kind.CAREERS)
    chosen = careers if careers.exists() else advisers
    return sorted(set(chosen.values_list("user__email", flat=True)))


def notify_team(profile: EmployerProfile, review_link: str) -> None:
    to = team_emails(profile.council)
    if not to:
        return
    send_mail(
        f"A business asks to join WorkPlace: {profile.organisation.name}",
        f"{profile.organisation.name} ({profile.postcode}) has registered as an employer with "
        "WorkPlace and is waiting for approval. Until it is approved it cannot post "
        f"opportunities.\n\nApprove or decline it here (sign in first):\n\n{review_link}",
        settings.DEFAULT_FROM_EMAIL,
        to,
    )


class DecisionError(ValidationError):
    """The registration cannot be approved or refused as asked (shown on the form)."""


@transaction.atomic
def decide(
    profile: EmployerProfile,
    *,
    approve: bool,
    reason: str,
    user: User,
    password_link: str = "",
) -> EmployerProfile:
    """Approve or decline a pending registration and email the business. Declining needs a
    reason (it is sent to them) and stops the business's people signing in. `password_link`
    goes in the approval email when the contact has not chosen a password yet."""
    profile = (
        EmployerProfile.objects.select_for_update()
        .select_related("organisation", "council")
        .get(pk=profile.pk)
    )
    if profile.status != EmployerProfile.Status.PENDING:
        raise DecisionError(f"This registration is already {profile.get_status_display().lower()}")
    reason = reason.strip()
    if not approve and not reason:
        raise DecisionError("Enter why the registration is declined: the business is told")
    profile.status = EmployerProfile.Status.APPROVED if approve else EmployerProfile.Status.DECLINED
    profile.decided_at, profile.decided_by, profile.decision_reason = timezone.now(), user, reason
    profile.save(update_fields=["status", "decided_at", "decided_by", "decision_reason"])
    people = User.objects.filter(
        memberships__organisation=profile.organisation, memberships__role=Role.EMPLOYER
    )
    if not approve:
        people.update(is_active=False)
    _record_change(
        profile,
        {
            "decision": profile.status,
            "reason": profile.decision_reason,
            "employer": profile.organisation_id,
        },
        user=user,
    )
    to = sorted({profile.contact_email, *people.values_list("email", flat=True)})
    if approve:
        subject = "Your WorkPlace registration is approved"
        body = (
            f"Dear {profile.contact_name},\n\n{profile.council.name}’s WorkPlace team has "
            f"approved {profile.organisation.name}. Sign in to post opportunities for care "
            "leavers."
            + (f"\n\nA note from the team: {reason}" if reason else "")
            + (
                "\n\nYou have not chosen a password yet: choose one here (the link works "
                f"once, for {link_days()} days):\n\n{password_link}"
                if password_link
                else ""
            )
        )
    else:
        subject = "Your WorkPlace registration was not approved"
        body = (
            f"Dear {profile.contact_name},\n\n{profile.council.name}’s WorkPlace team could "
            f"not approve {profile.organisation.name}’s registration.\n\nThe reason they "
            f"gave:\n\n{reason}\n\nIf you think this is wrong, reply to the council’s "
            "WorkPlace team."
        )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, to)
    return profile
