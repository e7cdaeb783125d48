"""Insight pages benchmark: p50/p95 of each Insight page through Django's test client.

    .venv/bin/python bench/insight_pages_bench.py [--requests 200] [--out bench/results/insight_pages.md]

A throwaway environment (its own var and cache folders, SQLite database) is migrated, the
reference data loaded (which computes and stores the Insight figures from all 153 councils'
published judgement history) and the demo loaded (the programme's 2018 wave and live
engagements, spend and practice library). The public pages are requested signed out; the DfE
pages ("Did support work?", practice that worked, the briefing and its Excel download) as the
demo's DfE analyst, so each request also writes its audit event. One request at a time, after
one warm-up. "Did support work?" keeps its comparison in memory while the figures and the
engagements are unchanged, so it is also timed with that emptied before every request (the
first request after a change). The target is a p95 under 200 ms. The 2 cores are shared, so
the load average is reported beside the figures. Nothing here is a test.
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
DFE_PAGES = (
    "/insight/did-support-work/",
    "/insight/practice-that-worked/",
    "/insight/briefing/",
    "/insight/briefing/download/",
)


class TestClientSession:
    """The test client in the shape `service.timed` requests pages through."""

    def __init__(self, client: Any, before: Any = None) -> None:
        self.client = client
        self.before = before

    def get(self, path: str) -> tuple[int, bytes]:
        if self.before is not None:
            self.before()
        response = self.client.get(path)
        body = b"".join(response.streaming_content) if response.streaming else response.content
        response.close()
        return response.status_code, body


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
        from django.contrib.auth import get_user_model
        from django.core.management import call_command
        from django.test import Client

        from alliance.evidence import comparisons, figures

        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        figures.store(settings.SHARED_DATA_DIR)
        store_s = time.perf_counter() - started
        call_command("load_reference", verbosity=0)
        call_command("load_demo", verbosity=0)
        client = Client()
        dfe = Client()
        dfe.force_login(get_user_model().objects.get(username="analyst@dfe.demo"))
        lines = [
            "# Insight pages",
            "",
            f"Python {sys.version.split()[0]}; load average {os.getloadavg()[0]:.2f} (2 shared cores).",
            f"Computing and storing the figures (as `alliance load-reference` does): {store_s:.2f} s.",
            "",
            f"{args.requests} requests per page through the test client: the public pages "
            "signed out, the DfE pages as the demo's DfE analyst.",
            "",
            "| Page | p50 ms | p95 ms | max ms |",
            "|---|---|---|---|",
        ]
        for page in PAGES:
            found = timed(TestClientSession(client), page, args.requests)  # type: ignore[arg-type]
            lines.append(
                f"| `{page}` | {found['p50']:.1f} | {found['p95']:.1f} | {found['max']:.1f} |"
            )
        for page in DFE_PAGES:
            found = timed(TestClientSession(dfe), page, args.requests)  # type: ignore[arg-type]
            lines.append(
                f"| `{page}` | {found['p50']:.1f} | {found['p95']:.1f} | {found['max']:.1f} |"
            )
        cold = timed(
            TestClientSession(dfe, comparisons.clear), DFE_PAGES[0], max(args.requests // 4, 10)
        )  # type: ignore[arg-type]
        lines.append(
            f"| `{DFE_PAGES[0]}`, comparison not in memory | {cold['p50']:.1f} "
            f"| {cold['p95']:.1f} | {cold['max']:.1f} |"
        )
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
