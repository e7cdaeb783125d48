"""The real service's processes for the tests that run it (tests/alliance/operations, the browser
journeys): a throwaway service folder (its own SQLite
database or a PostgreSQL one, var folder and keys), `alliance` commands run in it, and waiting
for something to become true."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def service_env(folder: Path, database_url: str | None = None, **settings: str) -> dict[str, str]:
    var = folder / "var"
    var.mkdir(parents=True, exist_ok=True)
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST", "DATABASE_URL"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="alliance.config.settings",
        ALLIANCE_VAR_DIR=str(var),
        ALLIANCE_KEYS_DIR=str(folder / "keys"),
        DATABASE_URL=database_url or f"sqlite:///{var / 'alliance.sqlite3'}",
        **settings,
    )
    return env


def alliance(env: dict[str, str], *args: str, timeout: float = 300) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "alliance", *args],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )
    if done.returncode:
        raise AssertionError(f"alliance {' '.join(args[:2])} failed:\n{done.stdout}\n{done.stderr}")
    return done.stdout


def start(env: dict[str, str], log: Path, *args: str) -> subprocess.Popen[bytes]:
    """`alliance ARGS` running in its own process group, its output in `log`."""
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "alliance", *args],
            env=env,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )


def stop(process: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def status_of(url: str) -> int:
    """The HTTP status a GET of `url` answers, 0 when nothing answers (yet)."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310 - loopback
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:
        return 0


def wait_for(what: str, check: Callable[[], Any], timeout: float, log: Path | None = None) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            output = log.read_text(errors="replace")[-4000:] if log and log.exists() else ""
            raise AssertionError(f"gave up waiting for {what} after {timeout:.0f} s\n{output}")
        time.sleep(0.1)
