"""Insight pages benchmark: p50/p95 of each Insight page through Django's test client.

    .venv/bin/python bench/insight_pages_bench.py [--requests 200] [--out bench/results/insight_pages.md]

A throwaway environment (its own var and cache folders, SQLite database) is migrated; the
Insight figures are computed from all 153 councils' published judgement history and stored as
`alliance load-reference` stores them; then each page is requested signed out, one request at
a time, after one warm-up. The target is a p95 under 200 ms. The 2 cores are shared, so the
load average is reported beside the figures. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from service import ROOT, throwaway_env, timed  # bench/service.py

PAGES = ("/insight/", "/insight/measures-before-improvement/")


class TestClientSession:
    """The test client in the shape `service.timed` requests pages through."""

    def __init__(self, client: Any) -> None:
        self.client = client

    def get(self, path: str) -> tuple[int, bytes]:
        response = self.client.get(path)
        return response.status_code, response.content


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "insight_pages.md")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        os.environ.update(throwaway_env(Path(folder)))
        os.environ["ALLIANCE_CACHE_DIR"] = str(Path(folder) / "cache")
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command
        from django.test import Client

        from alliance.evidence import figures

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        figures.store(settings.SHARED_DATA_DIR)
        store_s = time.perf_counter() - started
        client = Client()
        lines = [
            "# Insight pages",
            "",
            f"Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.2f} (2 shared cores).",
            f"Computing and storing the figures (as `alliance load-reference` does): {store_s:.2f} s.",
            "",
            f"{args.requests} requests per page, signed out, through the test client.",
            "",
            "| Page | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|",
        ]
        for page in PAGES:
            found = timed(TestClientSession(client), page, args.requests)  # type: ignore[arg-type]
            lines.append(
                f"| `{page}` | {found['p50']:.1f} | {found['p95']:.1f} | {found['max']:.1f} |"
            )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
