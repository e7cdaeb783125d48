"""Fault: the task worker killed (SIGKILL, as the kernel's out-of-memory killer does) half-way
through checking an upload, then another started. The upload is checked again and decided once;
the dead run's task row is marked failed; the uploaded files, with real child ids, are removed.

Before (measured): the upload stayed "Being checked" for good, its task row RUNNING, the council
could not upload that return again, and the files stayed in var/returns/incoming/."""

from __future__ import annotations

import signal
import sqlite3
from contextlib import closing
from pathlib import Path

from tests.service import alliance, service_env, start, stop, wait_for

CHILDREN = "20000"  # a check of a few seconds, long enough to be killed half-way

SEND = """
from pathlib import Path
from django.core.files import File
from alliance.accounts.models import User
from alliance.organisations.models import Organisation
from alliance.returns.services import uploading
folder = Path({folder!r})
north = Organisation.objects.get(council__dfe_code="392")
files = [File(p.open("rb"), name=p.name) for p in sorted(folder.glob("*.csv"))]
upload = uploading.start_upload(organisation=north, user=None, kind="ssda903", year=2026, current=files)
print(upload.pk)
"""


def _row(db: Path, sql: str, *args: object) -> tuple:
    with closing(sqlite3.connect(db, timeout=20)) as conn:
        return conn.execute(sql, args).fetchone()


def test_a_worker_killed_mid_check_leaves_the_upload_to_the_next_worker(tmp_path: Path) -> None:
    env = service_env(tmp_path, ALLIANCE_TASK_STALE_SECONDS="3")
    db = tmp_path / "var" / "alliance.sqlite3"
    alliance(env, "manage", "migrate", "--no-input", "-v0")
    alliance(env, "load-reference")
    alliance(
        env,
        "903",
        "generate",
        "--children",
        CHILDREN,
        "--out",
        str(tmp_path / "return"),
        "--year",
        "2026",
    )
    upload_id = int(
        alliance(
            env, "manage", "shell", "-c", SEND.format(folder=str(tmp_path / "return" / "current"))
        ).split()[-1]
    )
    incoming = tmp_path / "var" / "returns" / "incoming" / str(upload_id)
    assert incoming.is_dir()

    log = tmp_path / "workers.log"
    first = start(env, log, "worker")
    try:
        wait_for(
            "the first worker to be running the rules",
            lambda: (
                _row(db, "select stage from returns_upload where id = ?", upload_id)[0]
                == "Running the DfE validation rules"
            ),
            timeout=180,
            log=log,
        )
    finally:
        stop(first, signal.SIGKILL)
    status, attempts = _row(
        db, "select status, attempts from returns_upload where id = ?", upload_id
    )
    assert (status, attempts) == ("checking", 1)  # killed half-way

    second = start(env, log, "worker")
    try:
        status = wait_for(
            "the second worker to decide the upload",
            lambda: (
                (s := _row(db, "select status from returns_upload where id = ?", upload_id)[0])
                in ("accepted", "rejected", "failed")
                and s
            ),
            timeout=240,
            log=log,
        )
        # it finished the dead run's work: the findings workbook is built next, as before
        wait_for(
            "the findings workbook",
            lambda: _row(
                db,
                "select count(*) from django_tasks_database_dbtaskresult where task_path "
                "like '%prepare_findings_workbook' and status = 'SUCCESSFUL'",
            )[0],
            timeout=120,
            log=log,
        )
    finally:
        stop(second)
    assert status == "accepted"
    assert _row(db, "select attempts from returns_upload where id = ?", upload_id)[0] == 2
    with closing(sqlite3.connect(db)) as conn:
        runs = conn.execute(
            "select status, return_value from django_tasks_database_dbtaskresult "
            "where task_path like '%check_upload' order by enqueued_at"
        ).fetchall()
    assert runs == [("FAILED", None), ("SUCCESSFUL", '"accepted"')]
    assert not incoming.exists()  # the real ids went once the upload was decided
    assert "queued again" in log.read_text()
