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
import statistics
import sys
import tempfile
import time
from pathlib import Path

from service import ROOT, throwaway_env  # bench/service.py

PAGES = ("/insight/",)


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
            assert client.get(page).status_code == 200, page
            times = []
            for _ in range(args.requests):
                t = time.perf_counter()
                response = client.get(page)
                times.append((time.perf_counter() - t) * 1000)
                assert response.status_code == 200, page
            times.sort()
            p95 = times[int(0.95 * (len(times) - 1))]
            lines.append(
                f"| `{page}` | {statistics.median(times):.1f} | {p95:.1f} | {times[-1]:.1f} |"
            )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
