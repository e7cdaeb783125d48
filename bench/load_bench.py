"""Load benchmark: a working day on the real service (bench/load/locustfile.py) with 50 and then
200 simulated people at once, on SQLite and on PostgreSQL, with 2 and 4 web workers; p50, p95 and
p99 per page, requests a second and errors, and the upload-to-report time of a 50,000-child
SSDA903 return sent through the API while the 50 people work.

Locust runs from a virtual environment of its own (var/load/venv, made on first use from PyPI),
never as a dependency of the project. The load generator shares the machine's cores with the
service, as it would in the issue's own measurements.

    .venv/bin/python bench/load_bench.py [--users 50,200] [--seconds 60] [--web-workers 2,4]
        [--databases sqlite,postgres] [--big-upload 50000]   → bench/results/load.md
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

from returns_bench import _multipart  # bench/returns_bench.py
from service import ROOT, run_alliance, running_service, throwaway_env  # bench/service.py

LOCUST_VERSION = "2.43.3"
TOOLS = ROOT / "var" / "load" / "venv"
LOCUSTFILE = Path(__file__).parent / "load" / "locustfile.py"
RESULTS = Path(__file__).parent / "results" / "load.md"
YEAR = 2026
PG_BIN = {name: shutil.which(name) or name for name in ("createdb", "dropdb")}

MAKE_API_KEY = """
import datetime as dt
from django.test import RequestFactory
from django.utils import timezone
from alliance.accounts.models import Role, User
from alliance.api import tokens
from alliance.organisations.models import Organisation
council = Organisation.objects.get(council__dfe_code="394")
request = RequestFactory().post("/")
request.user = User.objects.get(username="admin@alliance.demo")
_, raw = tokens.issue(request, organisation=council, name="Load benchmark", role=Role.COUNCIL_ANALYST,
    scopes=["returns:upload", "returns:read"], expires_on=timezone.localdate() + dt.timedelta(days=1))
print(raw)
"""


def _locust() -> Path:
    binary = TOOLS / "bin" / "locust"
    if not binary.exists():
        print("installing locust into var/load/venv…", flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(TOOLS)], check=True)
        subprocess.run(
            [str(TOOLS / "bin" / "pip"), "install", "--quiet", f"locust=={LOCUST_VERSION}"],
            check=True,
        )
    return binary


def _database(kind: str, folder: Path) -> tuple[dict[str, str], str | None]:
    env = throwaway_env(folder, ALLIANCE_API_REQUESTS_PER_MINUTE="100000")
    name = None
    if kind == "postgres":
        name = f"alliance_load_{os.getpid()}"
        subprocess.run(
            [PG_BIN["dropdb"], "-h", "127.0.0.1", "-U", "postgres", "--if-exists", name], check=True
        )
        subprocess.run([PG_BIN["createdb"], "-h", "127.0.0.1", "-U", "postgres", name], check=True)
        env["DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{name}"
    print(f"setting up {kind}…", flush=True)
    run_alliance(env, "manage", "migrate", "--no-input", "-v0")
    run_alliance(env, "load-reference")
    run_alliance(env, "demo")
    return env, name


def _run_locust(
    locust: Path, base: str, users: int, seconds: int, prefix: Path, env: dict[str, str]
) -> dict[str, dict[str, str]]:
    subprocess.run(
        [str(locust), "-f", str(LOCUSTFILE), "--headless", "--only-summary", "-u", str(users),
         "-r", str(max(1, users // 10)), "-t", f"{seconds}s", "--host", base, "--csv", str(prefix),
         "--stop-timeout", "10"],
        env={**os.environ, **env}, check=False, capture_output=True, timeout=seconds + 300,
    )  # fmt: skip
    with open(f"{prefix}_stats.csv", newline="") as f:
        return {row["Name"]: row for row in csv.DictReader(f)}


def _failures(prefix: Path) -> list[dict[str, str]]:
    """What went wrong in a run, as locust recorded it: method, page, error and how often."""
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def _tree_cpu_seconds(pid: int) -> float:
    """Processor seconds so far of process `pid` and every process under it, from /proc."""
    total = 0.0
    todo = [pid]
    while todo:
        current = todo.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (FileNotFoundError, ProcessLookupError):
            continue
    return total


def _wait_until_started(pid: int, timeout: float = 120) -> float:
    """Wait until the service has finished starting: each web worker imports every page's module
    and the slow libraries on a thread after it answers (alliance.config.gunicorn), seconds of
    processor time that are the start-up's, not the people's. Settled: under a tenth of a core for
    two seconds running. Returns the seconds waited."""
    started = time.monotonic()
    quiet = 0
    before = _tree_cpu_seconds(pid)
    while time.monotonic() - started < timeout and quiet < 2:
        time.sleep(1)
        now = _tree_cpu_seconds(pid)
        quiet = quiet + 1 if now - before < 0.1 else 0
        before = now
    return time.monotonic() - started


def _big_upload(
    base: str, env: dict[str, str], folder: Path, children: int, out: dict[str, float]
) -> None:
    """Upload a `children`-child SSDA903 return through the API and time it to the accepted report."""
    raw = run_alliance(env, "manage", "shell", "-c", MAKE_API_KEY).strip().splitlines()[-1]
    archive = folder / "big.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for p in sorted((folder / "big" / "current").rglob("*.csv")):
            zipped.write(p, p.name)
    body, content_type = _multipart({"kind": "ssda903", "year": str(YEAR)}, {"files": archive})
    headers = {"Authorization": f"Bearer {raw}"}
    started = time.perf_counter()
    request = urllib.request.Request(  # noqa: S310 - our own loopback service
        base + "/api/v1/returns", data=body, headers={**headers, "Content-Type": content_type}
    )
    with urllib.request.urlopen(request, timeout=600) as response:  # noqa: S310
        upload = json.loads(response.read())
    while True:
        poll = urllib.request.Request(f"{base}/api/v1/returns/{upload['id']}", headers=headers)  # noqa: S310
        with urllib.request.urlopen(poll, timeout=60) as response:  # noqa: S310
            status = json.loads(response.read())
        if status["finished"]:
            break
        time.sleep(0.5)
    out["seconds"] = time.perf_counter() - started
    out["accepted"] = float(status["status"] == "accepted")


def _ms(row: dict[str, str], column: str) -> str:
    value = row.get(column, "")
    return f"{float(value):,.0f}" if value not in ("", "N/A") else "–"


def main() -> None:  # noqa: PLR0915  one configuration after another reads best in sequence
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", default="50,200")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--web-workers", default="2,4")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--big-upload", type=int, default=50_000, help="children; 0 for none")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where to write the results")
    args = parser.parse_args()
    locust = _locust()
    users = [int(u) for u in args.users.split(",")]
    summary: list[str] = []
    pages: list[str] = []
    errors: list[str] = []
    upload_lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="load-bench-") as tmp:
        root = Path(tmp)
        if args.big_upload:
            print(f"generating a {args.big_upload:,}-child return…", flush=True)
            env0 = throwaway_env(root / "gen")
            run_alliance(env0, "903", "generate", "--children", str(args.big_upload),
                         "--year", str(YEAR), "--out", str(root / "big"))  # fmt: skip
        cin = root / "cin.xml"
        run_alliance(throwaway_env(root / "gen"), "cin", "generate", "--children", "200",
                     "--la", "392", "--year", str(YEAR), "--out", str(cin))  # fmt: skip
        for kind in args.databases.split(","):
            env, dbname = _database(kind, root / kind)
            env["LOAD_CIN_RETURN"] = str(cin)
            try:
                for workers in [int(w) for w in args.web_workers.split(",")]:
                    log = root / f"{kind}-{workers}.log"
                    with running_service(env, log, workers=workers) as (base, server):
                        waited = _wait_until_started(server.pid)
                        print(f"the service finished starting in {waited:.0f} s", flush=True)
                        for n in users:
                            print(f"{kind}, {workers} web workers, {n} users…", flush=True)
                            big: dict[str, float] = {}
                            uploader = None
                            if args.big_upload and n == users[0] and workers == 4:
                                uploader = threading.Thread(
                                    target=_big_upload, args=(base, env, root, args.big_upload, big)
                                )
                                uploader.start()
                            stats = _run_locust(
                                locust, base, n, args.seconds, root / f"{kind}-{workers}-{n}", env
                            )
                            if uploader is not None:
                                uploader.join()
                                upload_lines.append(
                                    f"| {kind} | {workers} | {n} | {args.big_upload:,} | "
                                    f"{big.get('seconds', float('nan')):.1f} | "
                                    f"{'yes' if big.get('accepted') else 'no'} |"
                                )
                            total = stats["Aggregated"]
                            summary.append(
                                f"| {kind} | {workers} | {n} | {float(total['Requests/s']):.1f} | "
                                f"{_ms(total, '50%')} | {_ms(total, '95%')} | {_ms(total, '99%')} | "
                                f"{int(total['Failure Count']):,} of {int(total['Request Count']):,} |"
                            )
                            for failure in _failures(root / f"{kind}-{workers}-{n}"):
                                error = " ".join(failure["Error"].split())[:160]
                                errors.append(
                                    f"| {kind} | {workers} | {n} | `{failure['Method']} "
                                    f"{failure['Name']}` | {error} | {failure['Occurrences']} |"
                                )
                            for name, row in sorted(stats.items()):
                                if name == "Aggregated":
                                    continue
                                pages.append(
                                    f"| {kind} | {workers} | {n} | `{row['Type']} {name}` | "
                                    f"{int(row['Request Count']):,} | {_ms(row, '50%')} | "
                                    f"{_ms(row, '95%')} | {_ms(row, '99%')} | {int(row['Failure Count'])} |"
                                )
            finally:
                if dbname:
                    subprocess.run(
                        [
                            PG_BIN["dropdb"],
                            "-h",
                            "127.0.0.1",
                            "-U",
                            "postgres",
                            "--if-exists",
                            dbname,
                        ],
                        check=False,
                    )
    now = dt.datetime.now(dt.UTC).strftime("%-d %B %Y %H:%M UTC")
    args.out.write_text(
        "# Load benchmark: a working day\n\n"
        f"Measured {now} on {os.cpu_count()} cores (load average at the end "
        f"{os.getloadavg()[0]:.1f}); the load generator (locust {LOCUST_VERSION}) runs on the same "
        f"cores. Each run starts once the service has finished starting (its workers' imports), "
        f"then lasts {args.seconds} s after a ramp of a tenth of the people a second; people "
        "of every role sign in through the form and pause 1 to 3 s between pages "
        "(bench/load/locustfile.py). Times in milliseconds.\n\n"
        "Reproduce: `.venv/bin/python bench/load_bench.py` "
        f"`--users {args.users} --seconds {args.seconds} --web-workers {args.web_workers} "
        f"--databases {args.databases} --big-upload {args.big_upload}`\n\n"
        "## All pages\n\n| database | web workers | people | requests/s | p50 | p95 | p99 | errors |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(summary) + "\n\n"
        "## A 50,000-child return uploaded through the API under load\n\n"
        "| database | web workers | people | children | upload to accepted, s | accepted |\n"
        "| --- | --- | --- | --- | --- | --- |\n" + "\n".join(upload_lines) + "\n\n"
        "## Errors\n\n| database | web workers | people | page | error | times |\n"
        "| --- | --- | --- | --- | --- | --- |\n"
        + ("\n".join(errors) or "| none | | | | | |")
        + "\n\n"
        "## By page\n\n| database | web workers | people | page | requests | p50 | p95 | p99 | errors |\n"
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n" + "\n".join(pages) + "\n"
    )
    print(args.out.read_text())


if __name__ == "__main__":
    main()
