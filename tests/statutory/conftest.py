"""Fixtures for the statutory-data tests; makes `from builders import …` work in every folder
below this one (the tests have no __init__.py files)."""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))
