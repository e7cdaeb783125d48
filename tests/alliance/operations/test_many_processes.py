"""Several machines' worth of processes on one database: two schedulers and three task workers
started at once (as two machines each running a scheduler and workers would), with three
councils' returns waiting. Every scheduled job is queued once for its slot and run once, and
every return is checked once: nothing lost, nothing run twice."""

from __future__ import annotations

from pathlib import Path

import psycopg

from alliance.schedule.jobs import registered
from tests.alliance.operations.postgres import throwaway_cluster
from tests.service import alliance, service_env, start, stop, wait_for

COUNCILS = ("392", "393", "394")  # North Tyneside, South Tyneside, Sunderland

SEND = """
from pathlib import Path
from django.core.files import File
from alliance.organisations.models import Organisation
from alliance.returns.services import uploading
folder = Path({folder!r})
council = Organisation.objects.get(council__dfe_code={code!r})
files = [File(p.open("rb"), name=p.name) for p in sorted(folder.glob("*.csv"))]
print(uploading.start_upload(organisation=council, user=None, kind="ssda903", year=2026, current=files).pk)
"""


def _rows(url: str, sql: str) -> list[tuple]:
    with psycopg.connect(url) as conn:
        return [tuple(r) for r in conn.execute(sql).fetchall()]


def test_two_schedulers_and_three_workers_do_every_job_once(tmp_path: Path) -> None:
    jobs = registered()
    with throwaway_cluster() as cluster:
        env = service_env(tmp_path, cluster.url, ALLIANCE_TASK_STALE_SECONDS="30")
        alliance(env, "manage", "migrate", "--no-input", "-v0")
        alliance(env, "load-reference")
        uploads = []
        for seed, code in enumerate(COUNCILS):
            folder = tmp_path / f"return-{code}"
            alliance(
                env,
                "903",
                "generate",
                "--children",
                "300",
                "--seed",
                str(seed + 1),
                "--year",
                "2026",
                "--out",
                str(folder),
            )
            sent = alliance(
                env, "manage", "shell", "-c", SEND.format(folder=str(folder / "current"), code=code)
            )
            uploads.append(int(sent.split()[-1]))

        log = tmp_path / "processes.log"
        processes = [
            *(start(env, log, "manage", "run_schedule", "--interval", "1") for _ in range(2)),
            *(start(env, log, "worker") for _ in range(3)),
        ]
        try:
            wait_for(
                "every return to be decided and every queued task to finish",
                lambda: (
                    _rows(
                        cluster.url,
                        "select count(*) from returns_upload where status in "
                        "('queued', 'checking')",
                    )[0][0]
                    == 0
                    and _rows(cluster.url, "select count(*) from schedule_scheduledrun")[0][0]
                    >= len(jobs)
                    and _rows(
                        cluster.url,
                        "select count(*) from django_tasks_database_dbtaskresult "
                        "where status in ('READY', 'RUNNING')",
                    )[0][0]
                    == 0
                ),
                timeout=300,
                log=log,
            )
        finally:
            for process in processes:
                stop(process)

        decided = _rows(cluster.url, "select id, status, attempts from returns_upload order by id")
        assert decided == [(pk, "accepted", 1) for pk in sorted(uploads)]
        checks = _rows(
            cluster.url,
            "select args_kwargs, status from django_tasks_database_dbtaskresult "
            "where task_path like '%check_upload'",
        )
        assert sorted(c[0]["args"][0] for c in checks) == sorted(uploads)
        assert {c[1] for c in checks} == {"SUCCESSFUL"}

        queued = _rows(cluster.url, "select name, task_result_id from schedule_scheduledrun")
        assert sorted(name for name, _ in queued) == sorted(job.name for job in jobs)
        for job in jobs:
            runs = _rows(
                cluster.url,
                "select status, enqueued_at from django_tasks_database_dbtaskresult "
                f"where task_path = '{job.task}' order by enqueued_at",
            )
            # once per slot: a job due every few minutes is due again when the test runs past
            # the end of its slot (a slow machine), and that is a new run, not a second one
            slots = [job.slot(enqueued) for _status, enqueued in runs]
            assert len(slots) == len(set(slots)), f"{job.name} ran twice in a slot: {runs}"
            assert runs, f"{job.name} never ran"
            assert runs[0][0] == "SUCCESSFUL", f"{job.name}: {runs}"
            # a run queued in a later slot may still be waiting when the processes were stopped
            assert all(status in ("SUCCESSFUL", "READY") for status, _ in runs[1:]), runs
