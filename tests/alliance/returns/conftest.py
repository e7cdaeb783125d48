from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from alliance.accounts.models import Role
from tests import factories
from tests.object_storage import bucket, local_s3  # noqa: F401 - the returns tests' fixtures


@pytest.fixture
def north(reference_data):  # type: ignore[no-untyped-def]
    """North Tyneside, the council whose returns most of these tests upload."""
    return factories.council("392").organisation


@pytest.fixture
def analyst(north):  # type: ignore[no-untyped-def]
    """North Tyneside's analyst, who uploads its returns."""
    return factories.member_of(north, Role.COUNCIL_ANALYST)


@pytest.fixture(scope="session")
def generated() -> Iterator[Path]:
    """Generated returns shared by the session's tests, in a folder of this session's own:
    pytest's numbered temporary folders are pruned by any other pytest run on the machine
    (only the last three are kept), which can remove them under a long session."""
    with tempfile.TemporaryDirectory(prefix="alliance-returns-") as folder:
        yield Path(folder)
