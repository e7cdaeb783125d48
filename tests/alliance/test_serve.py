"""`alliance serve` starts several task workers (issue #12 item 8: one large upload must not hold
up other councils' uploads): ALLIANCE_TASK_WORKERS or --task-workers, default 2. django_tasks_db's
workers claim tasks under a row lock (skip_locked), so each upload is checked by one of them."""

from __future__ import annotations

import signal
import subprocess

import pytest
from typer.testing import CliRunner

from alliance.cli import app


class _Process:
    started: list[list[str]] = []

    def __init__(self, args: list[str], env: dict[str, str] | None = None) -> None:
        self.args = args
        _Process.started.append(args)

    def wait(self, timeout: float | None = None) -> int:
        return 0

    def poll(self) -> int:
        return 0

    def terminate(self) -> None:
        pass


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    _Process.started = []
    monkeypatch.setattr(subprocess, "Popen", _Process)
    monkeypatch.setattr(signal, "signal", lambda *args: None)
    return _Process.started


def _workers(started: list[list[str]]) -> int:
    return sum(1 for args in started if args[-1] == "worker")


def test_serve_starts_two_task_workers_by_default(started, monkeypatch) -> None:
    monkeypatch.delenv("ALLIANCE_TASK_WORKERS", raising=False)
    # the option's default is read when the command is defined; ask for it as the help says
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert "ALLIANCE_TASK_WORKERS" in result.output
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 0, result.output
    assert _workers(started) == 2
    assert sum(1 for args in started if args[-1] == "scheduler") == 1


def test_serve_starts_as_many_task_workers_as_asked(started) -> None:
    result = CliRunner().invoke(app, ["serve", "--task-workers", "3"])
    assert result.exit_code == 0, result.output
    assert _workers(started) == 3
    assert CliRunner().invoke(app, ["serve", "--task-workers", "0"]).exit_code != 0
