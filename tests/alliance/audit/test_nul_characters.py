"""A NUL character typed into a search (`?activity=%00`) or sent in a header reaches the audit
row; PostgreSQL stores no NUL in text or JSON, so the row, and the page writing it, failed there
(found by tests/alliance/test_every_form_takes_hostile_input.py on PostgreSQL). Each NUL is kept
as the replacement character, so the row is written and still shows something odd was sent."""

from __future__ import annotations

import pytest
from django.test import RequestFactory

from alliance.accounts.models import Role
from alliance.audit import services as audit
from alliance.audit.models import AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_nul_characters_are_stored_as_replacement_characters(reference_data):
    person = factories.user(Role.COUNCIL_PRACTITIONER, factories.council("392").organisation)
    request = RequestFactory().get(
        "/workplace/young-people/", {"activity": "\x00"}, HTTP_USER_AGENT="agent\x00x"
    )
    request.user = person
    audit.record(
        request,
        audit.Action.QUERY,
        object_type="search\x00",
        object_repr="found\x00",
        detail={"q": "a\x00b", "filters": ["\x00"], "nested": {"k\x00": "v\x00"}},
    )
    row = AuditEvent.objects.get()
    assert row.detail == {"q": "a\ufffdb", "filters": ["\ufffd"], "nested": {"k\ufffd": "v\ufffd"}}
    assert row.user_agent == "agent\ufffdx"
    assert row.object_type == "search\ufffd"
    assert row.object_repr == "found\ufffd"
    assert "%00" in row.path  # the address stays as it was sent, percent-encoded
