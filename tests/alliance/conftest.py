"""Fixtures for every service test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def own_folders(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Each test keeps its uploads, stored versions, reports and pseudonym keys in folders of its
    own. Without this they go to the checkout's `var/`, shared by every test and by each xdist
    worker, whose databases hand out the same upload numbers: one worker's `returns/incoming/1`
    or `returns/reports/<council>/upload-3` was then replaced or deleted under another's check."""
    settings.VAR_DIR = tmp_path / "var"
    settings.KEYS_DIR = tmp_path / "keys"
    settings.VAR_DIR.mkdir(exist_ok=True)
    return settings
