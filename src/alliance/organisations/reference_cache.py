"""Figures worked out from the public reference data, kept between requests until the next
`alliance load-reference`. Each key carries the latest load's id, so a new load makes every
figure worked out from the old data unreachable at once, in every process.

The "reference" cache is each process's own memory by default (the figures are public and small);
tests use a cache that keeps nothing, so that data made by one test is never read by another."""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.core.cache import caches
from django.core.cache.backends.dummy import DummyCache

from alliance.organisations.models import ReferenceLoad

ALIAS = "reference"
# A day: a long-running process also lets go of figures for councils nobody looks at.
SECONDS = 24 * 60 * 60


def version() -> int:
    """The latest reference load's id (0 before any load)."""
    latest = (
        ReferenceLoad.objects.order_by("-loaded_at", "-pk").values_list("pk", flat=True).first()
    )
    return latest or 0


def remembered[T](key: str, compute: Callable[[], T]) -> T:
    """`compute()`'s value, worked out once per reference load and kept under `key`."""
    cache = caches[ALIAS]
    if isinstance(cache, DummyCache):
        return compute()  # nothing is kept: no need to ask which load is current
    full = f"{version()}:{hashlib.sha256(key.encode()).hexdigest()}"
    found = cache.get(full)
    if found is None:
        found = compute()
        cache.set(full, found, SECONDS)
    return found
