"""Where the library keeps derived copies between runs (the postcode directory as Parquet, the
bank holidays): `$ALLIANCE_CACHE_DIR`, else `~/.cache/alliance` (docs/settings.md). The service
sets the variable to its own folder; the command line uses the default."""

from __future__ import annotations

import os
from pathlib import Path


def cache_dir() -> Path:
    """The cache folder (not created here: writers create it when they first write)."""
    return Path(os.environ.get("ALLIANCE_CACHE_DIR") or str(Path.home() / ".cache" / "alliance"))
