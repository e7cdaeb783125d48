"""Fault: a task worker or the scheduler that `alliance serve` started is killed. Serve notices,
logs it and starts it again; /health/ answers 200 again once it beats.

Before (measured): serve neither noticed nor restarted the dead worker, and /health/ still
answered 200 while uploads waited for good."""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

from tests.service import (
    alliance,
    free_port,
    service_env,
    start,
    status_of,
    stop,
    wait_for,
)


def _children(pid: int) -> dict[int, str]:
    done = subprocess.run(
        ["ps", "--ppid", str(pid), "-o", "pid=,args="],  # noqa: S607 - procps
        capture_output=True,
        text=True,
        check=False,
    )
    found = {}
    for line in done.stdout.splitlines():
        child, _, args = line.strip().partition(" ")
        found[int(child)] = args
    return found


def _named(pid: int, last_arg: str) -> list[int]:
    return [child for child, args in _children(pid).items() if args.split()[-1] == last_arg]


def test_serve_starts_a_killed_worker_and_scheduler_again(tmp_path: Path) -> None:
    env = service_env(tmp_path, ALLIANCE_TASK_STALE_SECONDS="5")
    alliance(env, "manage", "migrate", "--no-input", "-v0")
    log = tmp_path / "service.log"
    port = free_port()
    serve = start(
        env, log, "serve", "--bind", f"127.0.0.1:{port}", "--workers", "1", "--task-workers", "1"
    )
    health = f"http://127.0.0.1:{port}/health/"
    try:
        wait_for("the service to be healthy", lambda: status_of(health) == 200, 120, log)
        for name in ("worker", "scheduler"):
            (old,) = _named(serve.pid, name)
            os.kill(old, signal.SIGKILL)
            new = wait_for(
                f"serve to start the {name} again",
                lambda name=name, old=old: [p for p in _named(serve.pid, name) if p != old],
                timeout=60,
                log=log,
            )
            assert len(new) == 1
        wait_for("the service to be healthy again", lambda: status_of(health) == 200, 60, log)
        text = log.read_text()
        assert "the task worker stopped (exit code -9)" in text
        assert "the scheduler stopped (exit code -9)" in text
        assert serve.poll() is None
    finally:
        stop(serve)
