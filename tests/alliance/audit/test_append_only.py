from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from alliance.accounts.models import Role
from alliance.audit import services as audit
from alliance.audit.models import AppendOnlyError, AuditEvent
from tests import factories

pytestmark = pytest.mark.django_db


def test_the_audit_log_cannot_be_changed_or_deleted_through_the_app():
    event = audit.record(None, audit.Action.VIEW, object_type="x.Y", object_id="1")
    event.object_repr = "tampered"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=event.pk).update(username="someone else")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_changes_from_anywhere_else():
    event = audit.record(None, audit.Action.VIEW, object_type="x.Y", object_id="1")
    table = AuditEvent._meta.db_table
    for sql in (
        f"UPDATE {table} SET username = 'x' WHERE id = %s",
        f"DELETE FROM {table} WHERE id = %s",
    ):
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).username == ""


def test_administrators_see_the_log_and_others_do_not(client, reference_data):
    dfe = factories.organisation("dfe", "Test DfE")
    admin = factories.user(Role.ADMINISTRATOR, dfe)
    analyst = factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation)
    client.force_login(analyst)
    assert client.get("/audit/").status_code == 403
    assert AuditEvent.objects.filter(action="access-denied", username=analyst.username).exists()
    client.force_login(admin)
    page = client.get("/audit/?who=" + analyst.username)
    assert page.status_code == 200
    assert "Access refused" in page.content.decode()
    csv = client.get("/audit/?format=csv")
    assert csv.status_code == 200
    assert b"".join(csv.streaming_content).startswith(b"at,username,action")
    assert AuditEvent.objects.filter(action="export", username=admin.username).exists()
