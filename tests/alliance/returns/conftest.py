from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.object_storage import LocalS3


@pytest.fixture(autouse=True)
def returns_dirs(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Each test keeps its uploads, stored versions and keys in its own folders."""
    settings.VAR_DIR = tmp_path / "var"
    settings.KEYS_DIR = tmp_path / "keys"
    settings.VAR_DIR.mkdir()
    return settings


@pytest.fixture(scope="session")
def generated() -> Iterator[Path]:
    """Generated returns shared by the session's tests, in a folder of this session's own:
    pytest's numbered temporary folders are pruned by any other pytest run on the machine
    (only the last three are kept), which can remove them under a long session."""
    with tempfile.TemporaryDirectory(prefix="alliance-returns-") as folder:
        yield Path(folder)


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
