"""A throwaway PostgreSQL cluster the fault tests start themselves, so they can restart it:
Debian's `initdb` and `pg_ctl` (the postgresql package) into a temporary folder, on a free
loopback port, trust authentication. Run as the `postgres` user when the tests run as root
(PostgreSQL refuses to run as root). Skipped, saying why, when the binaries are absent."""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _binaries() -> Path | None:
    found = shutil.which("pg_ctl")
    if found:
        return Path(found).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), reverse=True)
    return Path(versions[0]).parent if versions else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Cluster:
    def __init__(self, folder: Path) -> None:
        bin_dir = _binaries()
        if bin_dir is None or not (bin_dir / "initdb").exists():
            pytest.skip("PostgreSQL's initdb and pg_ctl are not installed (Debian: postgresql)")
        self.bin = bin_dir
        self.folder = folder
        self.data = folder / "data"
        self.port = _free_port()
        self.as_user: list[str] = []
        if os.geteuid() == 0:
            try:
                user = pwd.getpwnam("postgres")
            except KeyError:
                pytest.skip("running as root and there is no postgres user to run PostgreSQL as")
            self.as_user = ["runuser", "-u", "postgres", "--"]
            os.chown(folder, user.pw_uid, user.pw_gid)
        # the database initdb makes: this cluster is the service's alone
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        subprocess.run([*self.as_user, *args], check=True, capture_output=True, timeout=120)

    def start(self) -> None:
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "postgres.log"),
            "-o",
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1",
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run(str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """What a database restart or fail-over does to the service: every connection is cut."""
        self.stop()
        self.start()

    def init(self) -> None:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "-A",
            "trust",
            "--no-sync",
            "-E",
            "UTF8",
        )
        self.start()


@contextmanager
def throwaway_cluster() -> Iterator[Cluster]:
    """A cluster in a folder of its own under the system's temporary folder (pytest's are private
    to root, so the postgres user could not reach them), removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="alliance-postgres-"))
    try:
        cluster = Cluster(folder)
        cluster.init()
        try:
            yield cluster
        finally:
            with contextlib.suppress(subprocess.CalledProcessError):
                cluster.stop()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
