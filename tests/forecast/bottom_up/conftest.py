from __future__ import annotations

from pathlib import Path

import pytest

from statutory.ssda903.generator.multi_year import generate_years


@pytest.fixture(scope="session")
def six_years(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A council's six consistent years of returns, 2020-2025, about 300 children looked after."""
    return generate_years(tmp_path_factory.mktemp("six"), 300, 2025, 6, seed=0)
