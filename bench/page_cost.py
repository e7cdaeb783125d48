"""What each page of the load scenario (bench/load/locustfile.py) costs the web process: processor
milliseconds and database queries per request, as the person of that scenario, through the whole
middleware stack (Django's test client in this process against a demo database).

Processor time (not wall time) is what 200 people at once run out of on 2 cores, and it barely
moves when other programs share the machine, so the figures compare from one run to the next.
The database server's own processor time (PostgreSQL) is not in them: the query count shows it.

    .venv/bin/python bench/page_cost.py --database-url sqlite:////tmp/demo.sqlite3 [--requests 20]
        [--profile PATH] [--out FILE]

The database must hold the demo (`alliance manage migrate`, `alliance load-reference`,
`alliance demo`). With --profile, that page (as its person) is run under cProfile and the 40
costliest functions by cumulative time are printed.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import re
import statistics
import sys
import time
from pathlib import Path

PASSWORD = "demo-password-2026"  # noqa: S105 - the demo people's, refused in production

# The scenario's people and the pages each opens (bench/load/locustfile.py, kept in step by hand:
# locust is not installed in the project's environment).
SCENARIO: list[tuple[str, list[str]]] = [
    (
        "analyst@north-tyneside.demo",
        [
            "/returns/",
            "/returns/performance/",
            "/national-picture/councils/392/",
            "/returns/aggregates.csv?kind=cin",
        ],
    ),
    (
        "lead@tyneside-alliance.demo",
        ["/programme/", "/programme/engagements/", "/programme/money/", "/returns/pooled/"],
    ),
    (
        "analyst@dfe.demo",
        ["/programme/", "/returns/aggregates/", "/programme/dashboard.csv", "/insight/"],
    ),
    (
        "adviser@south-tyneside.demo",
        [
            "/workplace/",
            "/workplace/young-people/",
            "/workplace/opportunities/",
            "/workplace/outcomes/",
        ],
    ),
    (
        "practitioner@north-tyneside.demo",
        ["/edge-of-care/queue/", "/edge-of-care/cases/", "/edge-of-care/"],
    ),
    (
        "",  # a visitor, not signed in
        [
            "/national-picture/",
            "/national-picture/?q=tyne",
            "/national-picture/councils/392/",
            "/national-picture/councils.csv",
            "/insight/",
            "/sign-in/",
        ],
    ),
]


def _setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    import django  # after the environment names the database

    django.setup()


def _client(username: str):  # type: ignore[no-untyped-def]
    from django.test import Client

    client = Client()
    if username:
        page = client.get("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert token is not None
        client.post(
            "/sign-in/",
            {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
        )
    return client


def _sign_in_cost(username: str, n: int) -> tuple[float, float]:
    """Processor ms and queries of the sign-in form's POST (the password check included)."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    cpu: list[float] = []
    queries: list[int] = []
    for _ in range(n):
        client = Client()
        page = client.get("/sign-in/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        assert token is not None
        with CaptureQueriesContext(connection) as captured:
            started = time.process_time()
            response = client.post(
                "/sign-in/",
                {"csrfmiddlewaretoken": token.group(1), "username": username, "password": PASSWORD},
            )
            cpu.append(1000 * (time.process_time() - started))
        assert response.status_code == 302, "sign-in failed"
        queries.append(len(captured))
    return statistics.median(cpu), statistics.median(queries)


def _page_cost(client, path: str, n: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):  # warm: templates compiled, caches filled, as in a running worker
        response = client.get(path)
        _ = response.content if not response.streaming else b"".join(response.streaming_content)
    cpu: list[float] = []
    queries: list[int] = []
    for _ in range(n):
        with CaptureQueriesContext(connection) as captured:
            started = time.process_time()
            response = client.get(path)
            if response.streaming:
                b"".join(response.streaming_content)
            cpu.append(1000 * (time.process_time() - started))
        queries.append(len(captured))
    return statistics.median(cpu), statistics.median(queries), response.status_code


def _cpu_seconds(pid: int) -> float:
    """User and system processor seconds of process `pid` so far, from /proc (all its threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def served(database_url: str, n: int) -> list[str]:
    """The same pages through the real web server (gunicorn, 1 worker, as `alliance web` runs it):
    the worker's processor ms per request from /proc, so gunicorn's own work (HTTP parsing, the
    access log, threads) is counted too. Queries are not counted here."""
    import subprocess
    import tempfile

    sys.path.insert(0, str(Path(__file__).parent))
    from service import Session, free_port  # bench/service.py

    port = free_port()
    env = {**os.environ, "DATABASE_URL": database_url}
    env.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    log = tempfile.NamedTemporaryFile(prefix="page-cost-", suffix=".log", delete=False)  # noqa: SIM115
    server = subprocess.Popen(
        [sys.executable, "-m", "alliance", "web", "--bind", f"127.0.0.1:{port}", "--workers", "1"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    lines = []
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                Session(base).get("/sign-in/")  # /health/ wants the task workers too
                break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(Path(log.name).read_text()) from None
                time.sleep(0.3)
        children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
        worker = int(children[0])
        time.sleep(3)  # the worker's warm-up imports (alliance.config.gunicorn) finish
        for username, pages in SCENARIO:
            session = Session(base)
            if username:
                session.sign_in(username, PASSWORD)
            for path in pages:
                for _ in range(2):
                    session.get(path)
                before = _cpu_seconds(worker)
                for _ in range(n):
                    session.get(path)
                cpu = 1000 * (_cpu_seconds(worker) - before) / n
                lines.append(f"| {username or 'visitor'} | `{path}` | {cpu:.1f} |")
                print(lines[-1], flush=True)
    finally:
        server.terminate()
        server.wait(timeout=20)
    return lines


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--profile", default="", help="a page to run under cProfile")
    parser.add_argument("--as", dest="person", default="", help="who opens --profile's page")
    parser.add_argument("--out", type=Path, default=None, help="also write the table here")
    parser.add_argument(
        "--served", action="store_true", help="through gunicorn (1 worker): CPU ms from /proc"
    )
    args = parser.parse_args()
    if not args.database_url:
        raise SystemExit("give --database-url (a database holding the demo)")
    if args.served:
        lines = [
            f"Page cost through gunicorn (1 worker), {args.requests} requests each after 2 warm-up "
            "requests (processor ms of the worker process per request)\n",
            "| person | page | CPU ms |",
            "| --- | --- | --- |",
            *served(args.database_url, args.requests),
        ]
        if args.out:
            args.out.write_text("\n".join(lines) + "\n")
        return
    _setup(args.database_url)
    if args.profile:
        client = _client(args.person)
        _page_cost(client, args.profile, 2)
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(args.requests):
            client.get(args.profile)
        profiler.disable()
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(40)
        return
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    lines = [
        f"Page cost on {engine}, median of {args.requests} requests after 2 warm-up requests "
        "(processor ms of this process; queries per request)\n",
        "| person | page | status | CPU ms | queries |",
        "| --- | --- | --- | --- | --- |",
    ]
    total_cpu = 0.0
    for username, pages in SCENARIO:
        client = _client(username)
        for path in pages:
            cpu, queries, status = _page_cost(client, path, args.requests)
            total_cpu += cpu
            lines.append(
                f"| {username or 'visitor'} | `{path}` | {status} | {cpu:.1f} | {queries:.0f} |"
            )
            print(lines[-1], flush=True)
    cpu, queries = _sign_in_cost(SCENARIO[0][0], max(3, args.requests // 4))
    lines.append(f"| {SCENARIO[0][0]} | `POST /sign-in/` | 302 | {cpu:.1f} | {queries:.0f} |")
    print(lines[-1])
    lines.append(f"\nSum of GET pages' CPU ms: {total_cpu:.0f}")
    print(lines[-1])
    if args.out:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
