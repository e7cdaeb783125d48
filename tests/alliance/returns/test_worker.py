"""The real task worker (django_tasks_db's `db_worker`, what `alliance worker` runs) checks an
upload end to end against the test database. Runs on SQLite here and on PostgreSQL under
`make postgres` (which runs tests/alliance with DATABASE_URL pointing at PostgreSQL)."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult

from alliance.accounts.models import Role
from alliance.returns.models import Upload
from alliance.returns.services import findings_workbook, uploading
from tests import factories
from tests.alliance.returns.factories import upload_903

pytestmark = pytest.mark.django_db


def test_the_worker_checks_an_upload_and_a_second_run_does_nothing(
    reference_data, generated, django_capture_on_commit_callbacks, monkeypatch
):
    # The test runs inside one database transaction; between tasks the worker closes connections
    # that are inside a transaction (on PostgreSQL that would end the test's), so here it keeps it.
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    with django_capture_on_commit_callbacks(execute=True):
        upload = upload_903(north, analyst, generated)
    assert DBTaskResult.objects.count() == 1  # queued on the database
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.ACCEPTED
    result = DBTaskResult.objects.get(task_path__endswith="check_upload")
    assert result.status == "SUCCESSFUL"
    assert result.return_value == "accepted"
    # the checks queued the findings workbook, which the worker built next (not a web request)
    built = DBTaskResult.objects.get(task_path__endswith="prepare_findings_workbook")
    assert (built.status, built.return_value) == ("SUCCESSFUL", "built")
    assert findings_workbook.excel_report_path(upload).exists()
    # the same task queued again (a retry) finds the upload finished and changes nothing
    with django_capture_on_commit_callbacks(execute=True):
        uploading.enqueue(upload.pk)
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    latest = (
        DBTaskResult.objects.filter(task_path__endswith="check_upload")
        .order_by("-enqueued_at")
        .first()
    )
    assert latest.return_value == "skipped"
    upload.refresh_from_db()
    assert upload.attempts == 1
