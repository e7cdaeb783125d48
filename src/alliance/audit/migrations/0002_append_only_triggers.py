"""Database triggers that refuse UPDATE and DELETE on the audit log, so it stays append-only even
for code (or people) that bypass the application."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
    """CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_auditevent
       BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;""",
]
SQLITE_REVERSE = ["DROP TRIGGER audit_event_no_update;", "DROP TRIGGER audit_event_no_delete;"]

POSTGRES = [
    """CREATE FUNCTION audit_event_append_only() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION 'the audit log is append-only'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_event_no_change BEFORE UPDATE OR DELETE ON audit_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_event_append_only();""",
    """CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
       FOR EACH STATEMENT EXECUTE FUNCTION audit_event_append_only();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER audit_event_no_truncate ON audit_auditevent;",
    "DROP TRIGGER audit_event_no_change ON audit_auditevent;",
    "DROP FUNCTION audit_event_append_only();",
]


def forwards(apps, schema_editor):
    statements = {"sqlite": SQLITE, "postgresql": POSTGRES}.get(schema_editor.connection.vendor, [])
    for statement in statements:
        schema_editor.execute(statement)


def backwards(apps, schema_editor):
    statements = {"sqlite": SQLITE_REVERSE, "postgresql": POSTGRES_REVERSE}.get(
        schema_editor.connection.vendor, []
    )
    for statement in statements:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
