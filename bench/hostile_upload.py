"""Hostile uploads through the real service, and one council's large upload beside another's.

    .venv/bin/python bench/hostile_upload.py [--children 50000] [--task-workers 2]

Sets up a temporary service as `returns_bench.py` does (its own SQLite database, reference data,
an analyst in each of two councils), starts `alliance serve` with `--task-workers`, and:

1. uploads hostile files through the upload form (200 MB of junk rows under a good header,
   490 MB of text junk, a 200 MB zip bomb, a header of 5 million columns), waits for each to be
   decided and records the message the council sees;
2. uploads a large good return for one council and, straight after, a small one for another,
   and times each from upload to decision: with two task workers the small one does not wait;
3. reads the task workers' peak memory (`VmHWM` in /proc) after all of it.

-> `bench/results/hostile-upload.md` (`hostile-upload-N-workers.md` for another number of
workers, to compare). Linux only (reads /proc). Not a unit test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import http.cookiejar
import json
import os
import platform
import re
import tempfile
import time
import urllib.parse
import urllib.request
import zipfile
from html import unescape
from pathlib import Path

from returns_bench import YEAR, _csrf, _multipart  # bench/returns_bench.py
from service import run_alliance, running_service, throwaway_env  # bench/service.py

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results" / "hostile-upload.md"
MB = 1024 * 1024
PASSWORD = "bench-password-2026-not-real"  # noqa: S105 - a throwaway database's only accounts
COUNCILS = {"392": "analyst-a@bench.test", "393": "analyst-b@bench.test"}
EPISODES_HEADER = (
    b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    b"PL_POST,URN\n"
)


class Analyst:
    def __init__(self, base: str, username: str) -> None:
        self.base = base
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )
        page = self.opener.open(base + "/sign-in/").read().decode()
        form = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": _csrf(page), "username": username, "password": PASSWORD}
        ).encode()
        self.opener.open(
            urllib.request.Request(  # noqa: S310 - our own loopback service
                base + "/sign-in/", data=form, headers={"Referer": base + "/sign-in/"}
            )
        )

    def upload(self, path: Path) -> tuple[str, str]:
        """-> (the upload's page, or '' when refused at once; the refusal's text)."""
        page = self.opener.open(self.base + "/returns/").read().decode()
        body, content_type = _multipart(
            {"csrfmiddlewaretoken": _csrf(page), "kind": "ssda903", "year": str(YEAR)},
            {"current": path},
        )
        try:
            response = self.opener.open(
                urllib.request.Request(  # noqa: S310 - our own loopback service
                    self.base + "/returns/upload/",
                    data=body,
                    headers={"Content-Type": content_type, "Referer": self.base + "/returns/"},
                ),
                timeout=600,
            )
            url = response.geturl()
            text = response.read().decode()
        except urllib.error.HTTPError as error:
            url, text = "", error.read().decode()
        if "/uploads/" not in url:
            return "", _message(text)
        return url, ""

    def decided(self, url: str, limit: float = 900) -> tuple[str, str]:
        """Wait for the decision: (status, the problem shown on the page)."""
        started = time.perf_counter()
        while True:
            status = json.loads(self.opener.open(url + "status.json").read())
            if status["finished"]:
                page = self.opener.open(url).read().decode()
                return str(status["status"]), _message(page)
            if time.perf_counter() - started > limit:
                return "not decided", ""
            time.sleep(0.25)


def _message(html: str) -> str:
    found = re.search(
        r"(The return could not be read[^<]*|This file[^<]*|The upload is larger[^<]*|"
        r"The zip[^<]*|[^<>]*zip bomb[^<]*)",
        html,
    )
    return unescape(found.group(1)).strip() if found else ""


def _workers_peak_mb(server_pid: int) -> list[float]:
    """VmHWM of each task worker the service started (its children running `alliance worker`)."""
    peaks = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            status = (entry / "status").read_text()
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        ppid = re.search(r"^PPid:\s+(\d+)", status, re.M)
        if ppid and int(ppid.group(1)) == server_pid and b"worker" in cmdline:
            hwm = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            if hwm:
                peaks.append(int(hwm.group(1)) / 1024)
    return peaks


def _build(folder: Path, children: int) -> dict[str, Path]:
    files: dict[str, Path] = {}
    junk = folder / "junk-rows.csv"
    with junk.open("wb") as out:
        out.write(EPISODES_HEADER)
        for _ in range(200):
            out.write(b"x\n" * (MB // 2))
    files["200 MB of two-byte junk rows under a good header"] = junk
    garbage = folder / "garbage.csv"
    alphabet = b"abcdefghij,klmnopqrst,uvwxyz0123\n"
    block = bytes(alphabet[b % len(alphabet)] for b in os.urandom(MB))
    with garbage.open("wb") as out:
        out.write(b"a,b,c\n")
        for _ in range(490):
            out.write(block)
    files["490 MB of text junk"] = garbage
    bomb = folder / "bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open("episodes.csv", "w", force_zip64=True) as member,
    ):
        member.write(EPISODES_HEADER)
        for _ in range(200):
            member.write(b"0" * MB)
    files["zip bomb: 200 MB of zeros in 0.2 MB"] = bomb
    wide = folder / "wide.csv"
    wide.write_bytes(EPISODES_HEADER.rstrip() + b",C" * 5_000_000 + b"\n1\n")
    files["header row of 5 million columns"] = wide
    for council, n in (("big", children), ("small", 2_000)):
        out = folder / council
        run_alliance(
            os.environ.copy(),
            "903",
            "generate",
            "--children",
            str(n),
            "--out",
            str(out),
            "--year",
            str(YEAR),
        )
        archive_path = folder / f"{council}.zip"
        with zipfile.ZipFile(archive_path, "w", zipfile.ZIP_DEFLATED) as archive:
            for p in sorted(out.rglob("*.csv")):
                archive.write(p, p.relative_to(out).as_posix())
        files[council] = archive_path
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--task-workers", type=int, default=2)
    args = parser.parse_args()
    lines: list[str] = []
    with tempfile.TemporaryDirectory(prefix="hostile-upload-") as folder:
        var = Path(folder)
        env = throwaway_env(var, ALLIANCE_TASK_WORKERS=str(args.task_workers))
        print("setting up a temporary service…", flush=True)
        run_alliance(env, "manage", "migrate", "--no-input", "-v0")
        run_alliance(env, "load-reference")
        for code, username in COUNCILS.items():
            run_alliance(
                env,
                "manage",
                "shell",
                "-c",
                "from alliance.accounts.models import User, Membership, Role;"
                "from alliance.organisations.models import Organisation;"
                f"u = User.objects.create_user(username='{username}', email='{username}', "
                f"password='{PASSWORD}');"
                f"Membership.objects.create(user=u, organisation=Organisation.objects.get("
                f"council__dfe_code='{code}'), role=Role.COUNCIL_ANALYST)",
            )
        print("building the files…", flush=True)
        files = _build(var, args.children)
        with running_service(env, var / "service.log") as (base, server):
            a = Analyst(base, COUNCILS["392"])
            b = Analyst(base, COUNCILS["393"])
            lines += [
                "| upload | refused at upload | decided | seconds | message the council sees |",
                "|---|---|---|---|---|",
            ]
            for label, path in files.items():
                if label in ("big", "small"):
                    continue
                started = time.perf_counter()
                url, refused = a.upload(path)
                status, problem = ("", refused) if not url else a.decided(url)
                seconds = time.perf_counter() - started
                print(
                    f"{label}: {status or 'refused at upload'} in {seconds:.1f} s: {problem}",
                    flush=True,
                )
                lines.append(
                    f"| {label} | {'yes' if not url else 'no'} | {status or '-'} | "
                    f"{seconds:.1f} | {(problem or '').replace('|', '/')} |"
                )
            started = time.perf_counter()
            big_url, _ = a.upload(files["big"])
            big_sent = time.perf_counter()
            small_url, _ = b.upload(files["small"])
            small_status, _ = b.decided(small_url)
            small_done = time.perf_counter()
            big_status, _ = a.decided(big_url)
            big_done = time.perf_counter()
            peaks = _workers_peak_mb(server.pid)
        load = os.getloadavg()[0]
    print(
        f"big: {big_status} {big_done - started:.1f} s; small: {small_status} "
        f"{small_done - big_sent:.1f} s; worker peaks {peaks}",
        flush=True,
    )
    results = (
        RESULTS
        if args.task_workers == 2
        else RESULTS.with_name(f"hostile-upload-{args.task_workers}-workers.md")
    )
    results.write_text(
        "# Hostile uploads through the real service\n\n"
        f"`bench/hostile_upload.py`, {dt.datetime.now():%Y-%m-%d %H:%M}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average {load:.1f} at the end, "
        f"`alliance serve --task-workers {args.task_workers}` on a temporary SQLite database. "
        "Each hostile file is uploaded through the form as council A's SSDA903 return; "
        "*seconds* is from the upload request to the decision.\n\n"
        + "\n".join(lines)
        + "\n\nOne council's large upload beside another's: council A uploads a good "
        f"{args.children:,}-child return (this year and last), council B a 2,000-child one straight "
        "after.\n\n| upload | decided | upload to decision, s |\n|---|---|---|\n"
        f"| A, {args.children:,} children | {big_status} | {big_done - started:.1f} |\n"
        f"| B, 2,000 children, sent {big_sent - started:.1f} s after A's | {small_status} | "
        f"{small_done - big_sent:.1f} |\n\n"
        f"Peak memory of each task worker after all of the above (VmHWM): "
        + ", ".join(f"{p:,.0f} MB" for p in peaks)
        + ".\n",
        encoding="utf-8",
    )
    print(f"Wrote {results}")


if __name__ == "__main__":
    main()
