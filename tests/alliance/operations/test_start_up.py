"""The container's start-up, without the container (images cannot be built on our machines):
scripts/start.sh, which the Dockerfile's entrypoint runs, brings a fresh PostgreSQL database up to
date, then starts the web server, two task workers and two schedulers as compose.yaml does, with
the image's settings (production). The service answers healthy with the commit it was built
from, and its static files are served compressed without anyone running collectstatic by hand.

Before: with production settings every static file was a 404 until collectstatic was run."""

from __future__ import annotations

import gzip
import json
import os
import secrets
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.alliance.operations.postgres import throwaway_cluster
from tests.service import ROOT, free_port, service_env, stop, wait_for

START = ROOT / "scripts" / "start.sh"


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    # behind the TLS proxy, as in production
    request = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https", **headers})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return int(response.status), dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return int(error.code), dict(error.headers), error.read()
    except OSError:
        return 0, {}, b""


def test_the_image_start_up_commands_run_the_service(tmp_path: Path) -> None:
    with throwaway_cluster() as cluster:
        port = free_port()
        env = service_env(
            tmp_path,
            cluster.url,
            ALLIANCE_ENV="production",
            ALLIANCE_SECRET_KEY=secrets.token_urlsafe(50),
            ALLIANCE_KEYS_SECRET=secrets.token_urlsafe(32),
            ALLIANCE_COMMIT="0123456789abcdef",
            ALLIANCE_BIND=f"127.0.0.1:{port}",
            ALLIANCE_LOG_FORMAT="json",
            ALLIANCE_METRICS_TOKEN="scrape-0123456789",
            PATH=f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        )
        done = subprocess.run(
            [str(START), "migrate"], env=env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        log = tmp_path / "service.log"
        processes = []
        with log.open("ab") as out:
            for role in ("web", "worker", "worker", "scheduler", "scheduler"):
                processes.append(
                    subprocess.Popen(
                        [str(START), role],
                        env=env,
                        cwd=ROOT,
                        stdout=out,
                        stderr=out,
                        start_new_session=True,
                    )
                )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_for(
                "the service to be healthy", lambda: _get(base + "/health/")[0] == 200, 180, log
            )
            health = json.loads(_get(base + "/health/")[2])
            assert health["commit"] == "0123456789abcdef"
            assert (health["worker"], health["scheduler"]) == ("ok", "ok")

            status, headers, body = _get(
                base + "/static/dist/alliance.css", **{"Accept-Encoding": "gzip"}
            )
            assert status == 200
            assert headers.get("Content-Encoding") == "gzip"
            assert b"govuk" in gzip.decompress(body)
            assert _get(base + "/static/dist/govuk-frontend.min.js")[0] == 200
            assert _get(base + "/")[0] == 200
            assert all(p.poll() is None for p in processes), log.read_text()[-3000:]
            # the web processes' request times, added up across gunicorn's processes
            status, _, metrics = _get(base + "/metrics/", Authorization="Bearer scrape-0123456789")
            assert status == 200
            assert b'alliance_request_seconds_count{method="GET",status="200",view="home"}' in (
                metrics
            )
            assert b"alliance_task_queue_depth" in metrics
            # the service's own lines are JSON, each with its request id
            lines = [
                json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")
            ]
            requests = [line for line in lines if line["logger"] == "alliance.request"]
            assert requests, log.read_text()[-3000:]
            assert all(len(line["request_id"]) == 32 for line in requests)
        finally:
            for process in processes:
                stop(process)
