"""/health/ reports the database, storage, task worker and scheduler each on its own, and the
commit running; 503 when any is down (alliance/schedule/health.py)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import DatabaseError
from django.utils import timezone

from alliance.schedule import health, liveness
from alliance.schedule.models import ProcessBeat

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def var_dir(settings, tmp_path):  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path
    settings.TASK_STALE_AFTER_SECONDS = 60
    # a real worker run by another test on PostgreSQL beats from its own thread, outside the
    # test's transaction: start from no signs of life
    ProcessBeat.objects.all().delete()
    return tmp_path


def _alive(kind: str, seconds_ago: float = 1) -> None:
    liveness.beat(f"{kind}-1", kind, timezone.now())
    ProcessBeat.objects.filter(name=f"{kind}-1").update(
        seen_at=timezone.now() - dt.timedelta(seconds=seconds_ago)
    )


def test_all_well_is_200_with_each_part_and_the_commit(client, settings):
    settings.COMMIT = "abc123"
    health.commit.cache_clear()
    _alive("worker")
    _alive("scheduler", seconds_ago=5)
    response = client.get("/health/")
    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("status", "database", "storage", "worker", "scheduler")} == {
        "status": "ok",
        "database": "ok",
        "storage": "ok",
        "worker": "ok",
        "scheduler": "ok",
    }
    assert body["commit"] == "abc123"
    assert 4 <= body["details"]["scheduler"]["lag_seconds"] < 60
    health.commit.cache_clear()


def test_the_commit_comes_from_git_without_the_setting(settings):
    settings.COMMIT = ""
    health.commit.cache_clear()
    found = health.commit()
    assert found == "unknown" or len(found) == 40
    health.commit.cache_clear()


def test_a_worker_gone_quiet_is_503(client):
    _alive("worker", seconds_ago=120)
    _alive("scheduler")
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert (body["status"], body["worker"], body["scheduler"]) == ("down", "down", "ok")
    assert body["details"]["worker"]["last_seen_seconds_ago"] >= 120


def test_no_worker_or_scheduler_ever_is_503(client):
    response = client.get("/health/")
    assert response.status_code == 503
    assert (response.json()["worker"], response.json()["scheduler"]) == ("down", "down")


def test_storage_not_writable_is_503(client, settings, tmp_path):
    _alive("worker")
    _alive("scheduler")
    settings.VAR_DIR = tmp_path / "not-there"
    response = client.get("/health/")
    assert response.status_code == 503
    assert (response.json()["storage"], response.json()["database"]) == ("down", "ok")


def test_database_down_is_503_not_an_error_page(client, monkeypatch):
    _alive("worker")
    _alive("scheduler")

    def broken(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        raise DatabaseError("connection refused")

    monkeypatch.setattr("django.db.backends.utils.CursorWrapper.execute", broken)
    response = client.get("/health/")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_without_the_task_worker_the_worker_is_not_used(client, settings):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    response = client.get("/health/")
    assert response.status_code == 200
    assert (response.json()["worker"], response.json()["scheduler"]) == ("not used", "not used")
