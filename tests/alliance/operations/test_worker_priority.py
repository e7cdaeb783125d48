"""Task workers give way to the web: a large return's check must not slow everyone's pages."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from alliance.schedule.management.commands.run_worker import lower_priority


def _niceness_after(niceness: int) -> int:
    script = (
        "import os, django; django.setup(); from alliance.schedule.management.commands.run_worker import lower_priority; "
        f"lower_priority({niceness}); print(os.nice(0))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "alliance.config.settings"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    return int(done.stdout.strip())


@pytest.mark.skipif(not hasattr(os, "nice"), reason="Unix priorities")
def test_a_worker_runs_below_the_webs_priority() -> None:
    start = os.nice(0)
    assert _niceness_after(10) == min(start + 10, 19)
    assert _niceness_after(0) == start
    assert _niceness_after(50) == 19  # never beyond the lowest priority


def test_the_setting_is_read_by_the_worker_command(settings, monkeypatch) -> None:
    seen: list[int] = []
    monkeypatch.setattr(
        "alliance.schedule.management.commands.run_worker.lower_priority", seen.append
    )
    from alliance.schedule.management.commands import run_worker

    settings.TASK_WORKER_NICENESS = 7
    command = run_worker.Command()
    monkeypatch.setattr(command, "configure_logging", lambda verbosity: None)
    monkeypatch.setattr(run_worker, "SteadyWorker", _Stop)
    with pytest.raises(_Stopped):
        command.handle(
            queue_name="default", interval=1, batch=False, backend_name="default",
            startup_delay=False, max_tasks=None, exclude_queues="", verbosity=0,
        )  # fmt: skip
    assert seen == [7]
    assert callable(lower_priority)


class _Stopped(Exception):
    pass


class _Stop:
    def __init__(self, **kwargs: object) -> None:
        raise _Stopped
