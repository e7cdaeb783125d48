"""Gunicorn settings for `alliance serve` (the rest are given on its command line).

Some libraries take seconds to import (scikit-learn for the Edge of Care evaluation). An app names
them in its AppConfig as `slow_imports`; each web process imports them on a background thread as
soon as it starts, so the first person to open such a page does not wait for the import.
"""

from __future__ import annotations

import importlib
import logging
import threading
from typing import Any

log = logging.getLogger("alliance.serve")


def _warm_up() -> None:
    from django.apps import apps

    for config in apps.get_app_configs():
        for module in getattr(config, "slow_imports", ()):
            try:
                importlib.import_module(module)
            except Exception:  # a missing optional library shows up on its page instead
                log.exception("could not import %s ahead of time", module)


def post_worker_init(worker: Any) -> None:
    threading.Thread(target=_warm_up, name="warm-up", daemon=True).start()
