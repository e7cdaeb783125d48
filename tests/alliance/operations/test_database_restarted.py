"""Fault: PostgreSQL restarted while the service runs (an upgrade, a fail-over). The web server,
the task worker and the scheduler carry on without a restart of their own: no error page, the
worker runs tasks queued afterwards, the scheduler keeps its sign of life.

Before (measured): a 0.3 s restart ended the task worker and the scheduler for good (an
OperationalError in their loops) and gave each web thread's first request afterwards a 500."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import psycopg

from tests.alliance.operations.postgres import throwaway_cluster
from tests.service import (
    alliance,
    free_port,
    service_env,
    start,
    status_of,
    stop,
    wait_for,
)

ENQUEUE = (
    "from alliance.returns.tasks import remove_expired_findings; "
    "print(remove_expired_findings.enqueue().id)"
)


def _query(url: str, sql: str, *args: object) -> tuple:
    with psycopg.connect(url) as conn:
        row = conn.execute(sql, args).fetchone()
        return tuple(row) if row else ()


def test_the_service_carries_on_after_postgresql_restarts(tmp_path: Path) -> None:
    with throwaway_cluster() as cluster:
        env = service_env(tmp_path, cluster.url, ALLIANCE_DB_CONN_MAX_AGE="600")
        alliance(env, "manage", "migrate", "--no-input", "-v0")
        log = tmp_path / "service.log"
        port = free_port()
        web = start(
            env,
            log,
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "1",
            "--task-workers",
            "1",
        )
        worker = start(env, log, "worker")
        scheduler = start(env, log, "manage", "run_schedule", "--interval", "1")
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(
                "the service to be healthy", lambda: status_of(base + "/health/") == 200, 120, log
            )
            # every web thread (gunicorn: 4) holds a connection to the database
            before = [status_of(base + "/health/") for _ in range(12)]
            assert set(before) == {200}, before
            cluster.restart()
            after = [status_of(base + "/health/") for _ in range(12)]
            assert set(after) == {200}, f"{after}\n{log.read_text()[-3000:]}"

            task_id = alliance(env, "manage", "shell", "-c", ENQUEUE).split()[-1]
            wait_for(
                "the worker to run a task queued after the restart",
                lambda: (
                    _query(
                        cluster.url,
                        "select status from django_tasks_database_dbtaskresult where id = %s",
                        task_id,
                    )
                    == ("SUCCESSFUL",)
                ),
                timeout=90,
                log=log,
            )
            restarted = _query(cluster.url, "select now()")[0]
            wait_for(
                "the scheduler's sign of life after the restart",
                lambda: _query(
                    cluster.url,
                    "select count(*) from schedule_processbeat "
                    "where kind = 'scheduler' and seen_at > %s",
                    restarted,
                )[0],
                timeout=60,
                log=log,
            )
            assert worker.poll() is None, log.read_text()[-3000:]
            assert scheduler.poll() is None, log.read_text()[-3000:]
            health = json.loads(urllib.request.urlopen(base + "/health/", timeout=10).read())  # noqa: S310
            assert health["database"] == "ok"
        finally:
            for process in (web, worker, scheduler):
                stop(process)
