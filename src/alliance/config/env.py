"""Typed readers for settings taken from the environment.

Every variable read through these is listed in `NAMES`, which a test compares with
docs/settings.md so that no setting goes undocumented.
"""

from __future__ import annotations

import os

NAMES: set[str] = set()


def env_str(name: str, default: str) -> str:
    NAMES.add(name)
    return os.environ.get(name, default)


def env_bool(name: str, *, default: bool) -> bool:
    NAMES.add(name)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, not {raw!r}")


def env_int(name: str, default: int) -> int:
    NAMES.add(name)
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ValueError(f"{name} must be a whole number, not {raw!r}") from None


def env_list(name: str, default: list[str]) -> list[str]:
    NAMES.add(name)
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]
