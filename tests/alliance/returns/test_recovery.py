"""Upload checks whose worker stopped are queued again and decided once (returns/recovery.py),
and the progress bar never goes back. The real thing, a worker killed with SIGKILL half-way
through a check and another started, is tests/alliance/operations/test_worker_killed.py."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from alliance.accounts.models import Role
from alliance.returns import recovery, storage
from alliance.returns.models import Upload
from alliance.returns.services import checking
from alliance.schedule import liveness
from tests import factories
from tests.alliance.returns.factories import upload_903

pytestmark = pytest.mark.django_db


def _upload(generated, capture):  # type: ignore[no-untyped-def]
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    with capture(execute=True):
        return upload_903(north, analyst, generated, with_previous=False)


def test_the_progress_bar_never_goes_back(
    reference_data, generated, django_capture_on_commit_callbacks, monkeypatch
):
    upload = _upload(generated, django_capture_on_commit_callbacks)
    seen: list[tuple[str, int]] = []
    write = checking._Progress.write

    def recording(self):  # type: ignore[no-untyped-def]
        write(self)
        row = Upload.objects.get(pk=self.upload_id)
        seen.append((row.stage, row.percent_done))

    monkeypatch.setattr(checking._Progress, "write", recording)
    assert checking.check(upload.pk, "run-1") == "accepted"
    assert dict(seen)["Working out the indicators"] == 99  # was 0 after the rules
    percents = [percent for _, percent in seen]
    assert percents == sorted(percents), seen
    assert percents[-1] == 99  # storing: every check done, only the writing left


def _stop_mid_check(upload: Upload, worker: str, minutes_ago: int) -> DBTaskResult:
    """What a worker killed half-way leaves: the upload being checked, its task row running."""
    then = timezone.now() - dt.timedelta(minutes=minutes_ago)
    row = DBTaskResult.objects.get(task_path=recovery.CHECK_TASK)
    DBTaskResult.objects.filter(pk=row.pk).update(
        status="RUNNING", started_at=then, worker_ids=[worker]
    )
    Upload.objects.filter(pk=upload.pk).update(
        status=Upload.Status.CHECKING,
        claimed_by="dead",
        heartbeat_at=then,
        started_at=then,
        attempts=1,
        stage="Running the DfE validation rules",
    )
    return row


def test_a_check_whose_worker_died_is_queued_again_once_and_decided(
    reference_data, generated, django_capture_on_commit_callbacks, monkeypatch, settings
):
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    settings.TASK_STALE_AFTER_SECONDS = 60
    upload = _upload(generated, django_capture_on_commit_callbacks)
    stale = _stop_mid_check(upload, "w-gone-1", minutes_ago=5)
    assert storage.incoming_dir(upload.pk).is_dir()
    # a live upload check (fresh heartbeat) is left alone
    assert recovery.stalled(timezone.now() - dt.timedelta(minutes=10)) == []

    assert liveness.fail_orphaned_tasks() == [str(stale.pk)]
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.requeue_stalled_checks() == [upload.pk]
        # a second housekeeper at the same moment finds nothing left to do
        assert recovery.requeue_stalled_checks() == []
    stale.refresh_from_db()
    assert (stale.status, stale.exception_class_path) == ("FAILED", liveness.STOPPED_WORKER)
    upload.refresh_from_db()
    assert (upload.status, upload.claimed_by) == (Upload.Status.QUEUED, "")

    call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.ACCEPTED
    assert upload.attempts == 2
    runs = DBTaskResult.objects.filter(task_path=recovery.CHECK_TASK)
    assert sorted(r.status for r in runs) == ["FAILED", "SUCCESSFUL"]
    assert not storage.incoming_dir(upload.pk).exists()  # the real ids went once decided


def test_a_running_task_of_a_live_worker_is_not_taken(
    reference_data, generated, django_capture_on_commit_callbacks, settings
):
    settings.TASK_STALE_AFTER_SECONDS = 60
    upload = _upload(generated, django_capture_on_commit_callbacks)
    _stop_mid_check(upload, "w-alive-1", minutes_ago=5)
    liveness.beat("w-alive-1", "worker", timezone.now())
    assert liveness.fail_orphaned_tasks() == []


def test_a_queued_upload_nothing_will_check_is_queued_again(
    reference_data, generated, django_capture_on_commit_callbacks, settings
):
    settings.TASK_STALE_AFTER_SECONDS = 60
    upload = _upload(generated, django_capture_on_commit_callbacks)
    later = timezone.now() + dt.timedelta(minutes=5)
    assert recovery.requeue_stalled_checks(later) == []  # its check is waiting in the queue
    DBTaskResult.objects.filter(task_path=recovery.CHECK_TASK).update(status="FAILED")
    with django_capture_on_commit_callbacks(execute=True):
        assert recovery.requeue_stalled_checks(later) == [upload.pk]
    assert DBTaskResult.objects.filter(task_path=recovery.CHECK_TASK, status="READY").count() == 1


def test_the_progress_bar_never_goes_back_across_a_stopped_worker(
    reference_data, generated, django_capture_on_commit_callbacks, monkeypatch, settings
):
    """Queued, half-way through the rules when the worker dies, queued again, checked again by
    another worker, accepted: the percent the page and the API show only ever goes up."""
    settings.TASK_STALE_AFTER_SECONDS = 60
    upload = _upload(generated, django_capture_on_commit_callbacks)
    shown = [Upload.objects.get(pk=upload.pk).percent_done]
    _stop_mid_check(upload, "dead-worker", minutes_ago=10)
    Upload.objects.filter(pk=upload.pk).update(checks_done=40, checks_total=100)
    shown.append(Upload.objects.get(pk=upload.pk).percent_done)
    assert shown[-1] == 40
    with django_capture_on_commit_callbacks(execute=False):
        assert recovery.requeue_stalled_checks() == [upload.pk]
    shown.append(Upload.objects.get(pk=upload.pk).percent_done)
    write = checking._Progress.write

    def recording(self):  # type: ignore[no-untyped-def]
        write(self)
        shown.append(Upload.objects.get(pk=self.upload_id).percent_done)

    monkeypatch.setattr(checking._Progress, "write", recording)
    assert checking.check(upload.pk, "run-2") == "accepted"
    shown.append(Upload.objects.get(pk=upload.pk).percent_done)
    assert shown == sorted(shown), shown
    assert shown[-1] == 100
