"""The audit log names a record by its kind and number, never by the record's own text (for a
child or a young person that is their name), and shows Django's "Referral object (27)" as words."""

from __future__ import annotations

import pytest

from alliance.accounts.models import Role
from alliance.audit import services as audit
from alliance.audit.descriptions import kind_of, record_label
from alliance.audit.models import AuditEvent
from alliance.edgeofcare.models import Child, Referral
from alliance.organisations.models import Organisation
from alliance.workplace.models import YoungPerson
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_childs_record_is_named_by_kind_and_number_not_by_name():
    admin = factories.user(Role.ADMINISTRATOR, factories.organisation(Organisation.Kind.DFE))
    child = Child(pk=27, first_name="Ada", last_name="Lovelace")
    event = audit.record(None, audit.Action.VIEW, child, user=admin)
    assert event.object_repr == "Edge of Care child 27"
    young = YoungPerson(pk=5, first_name="Jordan", last_name="Wells")
    event = audit.record(None, audit.Action.VIEW, young, user=admin)
    assert "Jordan" not in event.object_repr
    assert "Wells" not in event.object_repr
    assert event.object_repr.startswith("WorkPlace ")
    assert event.object_repr.endswith(" 5")


def test_a_label_given_by_the_caller_is_kept():
    admin = factories.user(Role.ADMINISTRATOR, factories.organisation(Organisation.Kind.DFE))
    event = audit.record(
        None, audit.Action.VIEW, Referral(pk=3), user=admin, object_repr="Referral EOC-0003"
    )
    assert event.object_repr == "Referral EOC-0003"


def test_kinds_read_as_words():
    assert kind_of("edgeofcare.Referral") == "Edge of Care referral"
    assert kind_of("workplace.Referral") == "WorkPlace referral"
    assert kind_of("csrf") == "csrf"
    assert record_label("workplace.Referral", "27", "Referral object (27)") == (
        "WorkPlace referral 27"
    )
    assert record_label("", "", "") == "–"


def test_the_log_page_shows_old_default_descriptions_as_words(client):
    admin = factories.user(Role.ADMINISTRATOR, factories.organisation(Organisation.Kind.DFE))
    AuditEvent.objects.create(
        action="view",
        object_type="edgeofcare.Referral",
        object_id="27",
        object_repr="Referral object (27)",
    )
    client.force_login(admin)
    html = client.get("/audit/").content.decode()
    assert "Edge of Care referral 27" in html
    assert "object (27)" not in html
    assert "edgeofcare.Referral" not in html
