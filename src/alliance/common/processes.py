"""`alliance serve`'s children: the web server, the task workers and the scheduler. A task worker
or scheduler that stops (killed, out of memory, a bug) is logged and started again, after a pause
that grows while it keeps stopping soon after starting; the web server stopping stops the lot
(a process manager or container runtime restarts the service)."""

from __future__ import annotations

import logging
import subprocess
import threading
import time

log = logging.getLogger("alliance.serve")

STEADY_AFTER = 30.0  # a child that ran this long before stopping is started again at once
MAX_PAUSE = 60.0


class Child:
    def __init__(self, name: str, args: list[str], env: dict[str, str]) -> None:
        self.name = name
        self.args = args
        self.env = env
        self.quick_stops = 0
        self.due = 0.0
        self.process = self._start()

    def _start(self) -> subprocess.Popen[bytes]:
        self.started = time.monotonic()
        return subprocess.Popen(self.args, env=self.env)

    def check(self) -> None:
        """Start it again if it stopped and its pause is over."""
        code = self.process.poll()
        if code is None:
            return
        now = time.monotonic()
        if not self.due:
            ran = now - self.started
            self.quick_stops = 0 if ran >= STEADY_AFTER else self.quick_stops + 1
            pause = min(MAX_PAUSE, 2.0**self.quick_stops - 1)
            self.due = now + pause
            log.warning(
                "the %s stopped (exit code %s) after %.0f s: starting it again in %.0f s",
                self.name,
                code,
                ran,
                pause,
            )
        if now >= self.due:
            self.due = 0.0
            self.process = self._start()
            log.warning("the %s started again (process %s)", self.name, self.process.pid)


def supervise(
    web: subprocess.Popen[bytes], children: list[Child], stopping: threading.Event
) -> int | None:
    """Watch the children until the web server stops (its exit code) or `stopping` is set."""
    while True:
        code = web.poll()
        if code is not None:
            log.error("the web server stopped (exit code %s): stopping the service", code)
            return code
        for child in children:
            child.check()
        if stopping.wait(1.0):
            return None
