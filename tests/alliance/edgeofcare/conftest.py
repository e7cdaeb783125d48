"""The councils Edge of Care's tests work in: North Tyneside and, for what one council must not
see of another's, South Tyneside."""

from __future__ import annotations

import pytest

from tests import factories as core


@pytest.fixture
def north(reference_data):
    return core.council("392").organisation


@pytest.fixture
def south(reference_data):
    return core.council("393").organisation
