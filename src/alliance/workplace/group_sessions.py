"""Group sessions an adviser runs and who came: each is saved and audited with the acting
adviser in one transaction. No request objects here."""

from __future__ import annotations

from django.db import transaction

from alliance.accounts.models import User
from alliance.audit import services as audit
from alliance.organisations.models import Organisation
from alliance.workplace.models import GroupAttendee, GroupSession


@transaction.atomic
def add_group_session(session: GroupSession, council: Organisation, *, user: User) -> GroupSession:
    """Save a new group session (from an unsaved form instance) for the council."""
    session.organisation = council
    session.save()
    audit.record(None, audit.Action.CREATE, session, user=user)
    return session


@transaction.atomic
def add_attendee(attendee: GroupAttendee, session: GroupSession, *, user: User) -> GroupAttendee:
    """Add someone who was invited to or came to the session (from an unsaved form instance)."""
    attendee.session, attendee.organisation = session, session.organisation
    attendee.save()
    audit.record(None, audit.Action.CREATE, attendee, user=user)
    return attendee
