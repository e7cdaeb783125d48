"""What the service benchmarks share: running `alliance` commands on a throwaway database, a free
loopback port, the real service running on it, a signed-in HTTP session against it, and timing a
page."""

from __future__ import annotations

import http.cookiejar
import os
import re
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def throwaway_env(folder: Path, **settings: str) -> dict[str, str]:
    """This process's environment pointed at a throwaway service in `folder`: its own var folder
    (made here), pseudonymisation keys and SQLite database, plus any further `settings`."""
    var = folder / "var"
    var.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(
        DJANGO_SETTINGS_MODULE="alliance.config.settings",
        ALLIANCE_VAR_DIR=str(var),
        ALLIANCE_KEYS_DIR=str(folder / "keys"),
        DATABASE_URL=f"sqlite:///{var / 'bench.sqlite3'}",
        **settings,
    )
    return env


def run_alliance(env: dict[str, str], *args: str) -> str:
    """Run `alliance ARGS` with `env` (the benchmark's own database); stop with its output if it fails."""
    done = subprocess.run(
        [sys.executable, "-m", "alliance", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode:
        raise SystemExit(f"alliance {' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


@contextmanager
def running_service(
    env: dict[str, str],
    log_path: Path,
    start_timeout: float = 300,
    *,
    workers: int = 2,
    task_workers: int = 2,
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`alliance serve` (gunicorn with 2 workers, the task worker, the scheduler) on a free loopback
    port with `env`, its output in `log_path`; yields the base URL and the process once /health/
    answers, and stops it afterwards. Stops the benchmark with the log if it does not start
    within `start_timeout` seconds (generous: the 2 cores may be shared)."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "alliance",
                "serve",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--task-workers",
                str(task_workers),
            ],
            env=env,
            cwd=ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    with urllib.request.urlopen(base + "/health/", timeout=2):  # noqa: S310 - loopback
                        break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        raise SystemExit(log_path.read_text()) from None
                    time.sleep(0.3)
            yield base, server
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()


class Session:
    """One person's cookies against the running service on loopback."""

    def __init__(self, base: str, timeout: float = 30) -> None:
        self.base = base
        self.timeout = timeout
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, path: str) -> tuple[int, bytes]:
        with self.opener.open(self.base + path, timeout=self.timeout) as response:
            return response.status, response.read()

    def sign_in(
        self, username: str, password: str, landing: str | None = None, expect: bytes | None = None
    ) -> None:
        """Sign in through the real form (with its CSRF token); then, if given, open `landing`
        and check it answers 200 (and holds `expect`)."""
        _status, body = self.get("/sign-in/")
        token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body)
        assert token is not None, "no CSRF token on the sign-in page"
        data = urllib.parse.urlencode(
            {
                "csrfmiddlewaretoken": token.group(1).decode(),
                "username": username,
                "password": password,
                "next": "/",
            }
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - our own loopback service
            self.base + "/sign-in/", data=data, headers={"Referer": self.base + "/sign-in/"}
        )
        with self.opener.open(request, timeout=self.timeout) as response:
            response.read()
            assert "/sign-in/" not in response.geturl(), f"sign-in failed for {username}"
        if landing is not None:
            status, page = self.get(landing)
            assert status == 200, f"sign-in as {username} failed"
            if expect is not None:
                assert expect in page, f"sign-in as {username} failed"


def timed(session: Session, path: str, n: int) -> dict[str, float]:
    """Milliseconds for `n` requests of `path` after one warm-up: median, 95th percentile, max."""
    session.get(path)  # warm
    times = []
    for _ in range(n):
        t = time.perf_counter()
        status, _ = session.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert status == 200, path
    times.sort()
    return {
        "p50": statistics.median(times),
        "p95": times[int(0.95 * (len(times) - 1))],
        "max": times[-1],
    }
