from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def returns_dirs(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Each test keeps its uploads, stored versions and keys in its own folders."""
    settings.VAR_DIR = tmp_path / "var"
    settings.KEYS_DIR = tmp_path / "keys"
    settings.VAR_DIR.mkdir()
    return settings


@pytest.fixture(scope="session")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("generated")
