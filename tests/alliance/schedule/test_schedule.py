from __future__ import annotations

import datetime as dt
import threading
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.db import connection
from django.tasks import task
from django_tasks_db.models import DBTaskResult

from alliance.accounts.models import Role
from alliance.schedule.jobs import Job, registered
from alliance.schedule.models import ScheduledRun
from alliance.schedule.services import queue_due
from tests import factories

LONDON = ZoneInfo("Europe/London")
CALLS: list[str] = []


@task()
def note_a_call() -> str:
    CALLS.append("called")
    return "ok"


TASK = f"{__name__}.note_a_call"


def at(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


def test_a_job_is_either_periodic_or_daily_and_not_too_frequent():
    with pytest.raises(ValueError, match="either"):
        Job("Both", TASK, every=dt.timedelta(hours=1), daily_at=dt.time(7))
    with pytest.raises(ValueError, match="either"):
        Job("Neither", TASK)
    with pytest.raises(ValueError, match="at least a minute"):
        Job("Too often", TASK, every=dt.timedelta(seconds=5))


def test_slots_for_periodic_and_daily_jobs():
    five = Job("Five", TASK, every=dt.timedelta(minutes=5))
    assert five.slot(at(2026, 11, 23, 9, 0, 1)) == five.slot(at(2026, 11, 23, 9, 4, 59))
    assert five.slot(at(2026, 11, 23, 9, 4, 59)) != five.slot(at(2026, 11, 23, 9, 5, 0))
    daily = Job("Daily", TASK, daily_at=dt.time(7, 0))
    # Before 07:00 a day still belongs to the day before; from 07:00 it is its own.
    assert daily.slot(at(2026, 11, 23, 6, 59)) == "daily-0700-2026-11-22"
    assert daily.slot(at(2026, 11, 23, 7, 0)) == "daily-0700-2026-11-23"
    assert daily.slot(at(2026, 11, 23, 23, 59)) == "daily-0700-2026-11-23"
    # Local time: 06:30 UTC is 07:30 in British Summer Time but 06:30 in winter.
    assert daily.slot(dt.datetime(2026, 7, 1, 6, 30, tzinfo=dt.UTC)) == "daily-0700-2026-07-01"
    assert daily.slot(dt.datetime(2026, 12, 1, 6, 30, tzinfo=dt.UTC)) == "daily-0700-2026-11-30"
    assert daily.when() == "every day at 07:00"
    assert five.when() == "every 5 minutes"


@pytest.mark.django_db
def test_a_job_is_queued_once_per_slot():
    job = Job("Test job", TASK, every=dt.timedelta(minutes=5))
    first = queue_due(at(2026, 11, 23, 9, 0), jobs=[job])
    assert [q.job for q in first] == [job]
    assert queue_due(at(2026, 11, 23, 9, 3), jobs=[job]) == []  # same slot
    again = queue_due(at(2026, 11, 23, 9, 5), jobs=[job])  # next slot
    assert len(again) == 1
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 2
    run = ScheduledRun.objects.get(name="test-job")
    assert run.task_result_id == again[0].task_result_id


@pytest.mark.django_db
def test_a_job_that_cannot_be_imported_does_not_stop_the_others(caplog):
    broken = Job("Broken", "alliance.nowhere.tasks.missing", every=dt.timedelta(minutes=5))
    good = Job("Good", TASK, every=dt.timedelta(minutes=5))
    queued = queue_due(at(2026, 11, 23, 9, 0), jobs=[broken, good])
    assert [q.job.name for q in queued] == ["good"]
    assert "could not queue the scheduled job broken" in caplog.text


@pytest.mark.django_db(transaction=True, available_apps=["alliance.schedule", "django_tasks_db"])
def test_two_schedulers_at_once_queue_a_job_once():
    if connection.vendor == "sqlite":
        pytest.skip("concurrent writers need PostgreSQL (run in the PostgreSQL suite)")
    job = Job("Raced", TASK, every=dt.timedelta(minutes=5))
    now = at(2026, 11, 23, 9, 0)
    results: list[int] = []
    barrier = threading.Barrier(4)

    def run() -> None:
        barrier.wait()
        try:
            results.append(len(queue_due(now, jobs=[job])))
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [0, 0, 0, 1]
    assert DBTaskResult.objects.filter(task_path=TASK).count() == 1


def test_every_declared_job_names_a_real_task_taking_no_arguments():
    jobs = registered()
    names = {job.name for job in jobs}
    assert {
        "programme-reminders",
        "workplace-duty-reminders",
        "edge-of-care-escalations",
        "edge-of-care-retention-clean-up",
    } <= names
    for job in jobs:
        loaded = job.load()
        assert hasattr(loaded, "enqueue"), f"{job.task} is not a task"


@pytest.mark.django_db
def test_the_command_checks_once(capsys):
    call_command("run_schedule", "--once")
    out = capsys.readouterr().out
    assert "queued Programme reminders" in out
    assert ScheduledRun.objects.filter(name="programme-reminders").exists()
    call_command("run_schedule", "--once")
    assert "queued Programme reminders" not in capsys.readouterr().out


@pytest.mark.django_db
def test_administrators_see_the_jobs_and_their_last_runs(client, reference_data):
    dfe = factories.organisation("dfe", "Test DfE")
    admin = factories.user(Role.ADMINISTRATOR, dfe)
    lead = factories.user(Role.ALLIANCE_LEAD, factories.alliance("392"))
    call_command("run_schedule", "--once")
    client.force_login(lead)
    assert client.get("/scheduled-jobs/").status_code == 403
    client.force_login(admin)
    page = client.get("/scheduled-jobs/").content.decode()
    assert "Programme reminders" in page
    assert "every day at 07:00" in page
    assert "Waiting for the worker" in page
