"""A local S3-compatible server for the tests (moto's server mode, `ThreadedMotoServer`, in this
process on a free port of 127.0.0.1), so the service's object storage is tested against the real
S3 protocol without reaching anything outside the machine.

The service reaches it through a small TCP relay of our own on another port, which a test can
take down (`stop`: every open connection cut, new ones refused, as when the storage's machine
goes away) and bring back (`start`, on the same port). Moto's own server keeps running and holds
the bucket throughout, so a test can always look at what really is in it (`keys`)."""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from alliance.config.object_storage import s3_storage

REGION = "us-east-1"
KEYS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class _Relay:
    """Copies bytes both ways between each client and the server at `target`."""

    def __init__(self, target: int) -> None:
        self.target = target
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()

    def start(self) -> None:
        if self._listener is not None:
            return
        self._listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self._listener,), daemon=True).start()

    def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.close()
        with self._lock:
            sockets, self._open = self._open, set()
        for sock in sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()

    @property
    def running(self) -> bool:
        return self._listener is not None

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return  # closed: stopped
            try:
                server = socket.create_connection(("127.0.0.1", self.target))
            except OSError:
                client.close()
                continue
            with self._lock:
                self._open |= {client, server}
            for source, sink in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(source, sink), daemon=True).start()

    def _pump(self, source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)  # ends the other direction's pump too
            with self._lock:
                self._open.discard(source)
            source.close()  # each socket is the source of one pump, which closes it


class LocalS3:
    def __init__(self) -> None:
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
        self._port = free_port()
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=self._port, verbose=False)
        self._server.start()
        self._relay = _Relay(self._port)
        self._relay.start()
        self.url = f"http://127.0.0.1:{self._relay.port}"

    def start(self) -> None:
        """The storage answers (again)."""
        self._relay.start()

    def stop(self) -> None:
        """The storage goes away: open connections cut, new ones refused."""
        self._relay.stop()

    def close(self) -> None:
        self._relay.stop()
        self._server.stop()

    @property
    def running(self) -> bool:
        return self._relay.running

    def client(self) -> Any:
        """A client of moto's own server (reachable whether or not the storage is 'down')."""
        return boto3.client(
            "s3", endpoint_url=f"http://127.0.0.1:{self._port}", region_name=REGION, **KEYS
        )

    def new_bucket(self) -> str:
        name = f"alliance-test-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return name

    def keys(self, bucket: str, prefix: str = "") -> list[str]:
        """Every object in the bucket whose name starts with `prefix`."""
        pages = (
            self.client().get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
        )
        return sorted(item["Key"] for page in pages for item in page.get("Contents", []))

    def storages(self, bucket: str, *, url: str | None = None) -> dict[str, Any]:
        """The entries of Django's STORAGES the service uses with a bucket (as settings.py makes
        them from ALLIANCE_STORAGE_BUCKET), pointed at this server (or at `url`)."""
        given = {
            "bucket": bucket,
            "endpoint_url": url or self.url,
            "region": REGION,
            "access_key": KEYS["aws_access_key_id"],
            "secret_key": KEYS["aws_secret_access_key"],
            "addressing_style": "path",
            "connect_timeout": 1,
            "read_timeout": 10,
            "attempts": 1,
        }
        return {
            "returns": s3_storage(**given, location="returns"),
            "default": s3_storage(**given, location="media"),
        }


@pytest.fixture(scope="session")
def local_s3() -> Iterator[LocalS3]:
    """A local S3-compatible server for the session (moto's server mode on 127.0.0.1)."""
    server = LocalS3()
    try:
        yield server
    finally:
        server.close()


@pytest.fixture
def bucket(local_s3: LocalS3, settings) -> Iterator[str]:  # type: ignore[no-untyped-def]
    """The service configured with a bucket of its own on the local S3 server, as
    ALLIANCE_STORAGE_BUCKET configures it; the server is running again afterwards."""
    local_s3.start()
    name = local_s3.new_bucket()
    settings.STORAGES = {**settings.STORAGES, **local_s3.storages(name)}
    try:
        yield name
    finally:
        local_s3.start()
