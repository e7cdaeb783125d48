"""Hostile input for `alliance 903 validate` and `alliance cin validate`: each must exit non-zero
in under 10 s with a one-line message naming the file, using under 1 GB of memory; and a good
50,000-child return must still pass.

Builds the files in a temporary folder (removed afterwards), runs each command as a fresh process
and measures its wall time and peak resident memory (`os.wait4`, the child's own `ru_maxrss`):

    .venv/bin/python bench/hostile_input.py [--children 50000] [--keep DIR]

-> `bench/results/hostile-input.md`. Exit status 1 if any case misses its bar.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLIANCE = [sys.executable, "-m", "alliance"]
MB = 1024 * 1024
WALL_LIMIT = 10.0
MEMORY_LIMIT_MB = 1024

EPISODES_HEADER = b"CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,PL_POST,URN\n"
CIN_HEADER = b"LAchildID,PersonBirthDate,Sex\n"


def _zip_bomb(path: Path, member: str, header: bytes, size: int) -> None:
    """A zip whose one CSV member is `header` then `size` bytes of zeros (about 1,000:1)."""
    block = b"0" * MB
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive,
        archive.open(member, "w", force_zip64=True) as out,
    ):
        out.write(header)
        for _ in range(size // MB):
            out.write(block)


def _garbage(path: Path, size: int) -> None:
    """Text junk: short rows of random letters and commas, `size` bytes."""
    rng = os.urandom(MB)
    alphabet = b"abcdefghijklmnopqrstuvwxyz0123456789,,,,\n"
    block = bytes(alphabet[b % len(alphabet)] for b in rng)
    with path.open("wb") as out:
        for _ in range(size // MB):
            out.write(block)


def _wide_header(path: Path, first: bytes, columns: int) -> None:
    """A CSV whose header row has `columns` columns (then one short row)."""
    with path.open("wb") as out:
        out.write(first.rstrip(b"\n"))
        step = 100_000
        for start in range(0, columns, step):
            out.write(b"".join(b",C%d" % i for i in range(start, min(columns, start + step))))
        out.write(b"\n1,2,3\n")


def _junk_rows(path: Path, header: bytes, size: int) -> None:
    """A good header, then `size` bytes of two-byte rows (the ratio that cost 50x in memory)."""
    with path.open("wb") as out:
        out.write(header)
        block = b"x\n" * (MB // 2)
        for _ in range(size // MB):
            out.write(block)


@dataclass
class Case:
    label: str
    build: Callable[[Path], Path]
    commands: tuple[str, ...]  # "903", "cin"


@dataclass
class Result:
    label: str
    command: str
    status: int
    wall: float
    cpu: float
    peak_mb: float
    message: str
    lines: int
    file: str = ""

    def ok(self, expect_success: bool = False) -> bool:
        if expect_success:
            return self.status == 0 and self.peak_mb < MEMORY_LIMIT_MB
        return (
            self.status != 0
            and self.wall < WALL_LIMIT
            and self.peak_mb < MEMORY_LIMIT_MB
            and self.lines == 1
            and self.file in self.message
        )


def run(args: list[str], label: str, command: str) -> Result:
    env = {**os.environ, "POLARS_MAX_THREADS": os.environ.get("POLARS_MAX_THREADS", "2")}
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(args, stdout=out, stderr=err, env=env, cwd=ROOT)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        err.seek(0)
        text = err.read().decode("utf-8", errors="replace").strip()
    code = os.waitstatus_to_exitcode(status)
    lines = len(text.splitlines())
    cpu = usage.ru_utime + usage.ru_stime
    return Result(label, command, code, wall, cpu, usage.ru_maxrss / 1024, text[:300], lines)


def validate(command: str, path: Path, extra: list[str] | None = None) -> list[str]:
    return [*ALLIANCE, command, "validate", str(path), "--year", "2025", *(extra or [])]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=50_000)
    parser.add_argument("--keep", type=Path, help="build the files here and keep them")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="hostile-"))
    work.mkdir(parents=True, exist_ok=True)
    results: list[Result] = []
    try:
        cases = [
            Case(
                "zip bomb: one CSV of 1 GB of zeros (about 1 MB zipped)",
                lambda d: (
                    _zip_bomb(d / "bomb.zip", "episodes.csv", EPISODES_HEADER, 1024 * MB),
                    d / "bomb.zip",
                )[1],
                ("903", "cin"),
            ),
            Case(
                "zip bomb under the size limit: 200 MB of zeros (about 1,000:1)",
                lambda d: (
                    _zip_bomb(d / "bomb200.zip", "episodes.csv", EPISODES_HEADER, 200 * MB),
                    d / "bomb200.zip",
                )[1],
                ("903", "cin"),
            ),
            Case(
                "500 MB of text junk (.csv)",
                lambda d: (_garbage(d / "garbage.csv", 500 * MB), d / "garbage.csv")[1],
                ("903", "cin"),
            ),
            Case(
                "500 MB of text junk (.xml)",
                lambda d: (
                    shutil.copyfile(d / "garbage.csv", d / "garbage.xml"),
                    d / "garbage.xml",
                )[1],
                ("903", "cin"),
            ),
            Case(
                "200 MB of two-byte junk rows under a good header (.csv)",
                lambda d: (
                    _junk_rows(d / "junk-rows.csv", EPISODES_HEADER, 200 * MB),
                    d / "junk-rows.csv",
                )[1],
                ("903",),
            ),
            Case(
                "200 MB of two-byte junk rows under a good CIN header (.csv)",
                lambda d: (
                    _junk_rows(d / "cin-junk-rows.csv", CIN_HEADER, 200 * MB),
                    d / "cin-junk-rows.csv",
                )[1],
                ("cin",),
            ),
            Case(
                "header row of 5 million columns (SSDA903 Episodes columns first)",
                lambda d: (
                    _wide_header(d / "wide.csv", EPISODES_HEADER, 5_000_000),
                    d / "wide.csv",
                )[1],
                ("903",),
            ),
            Case(
                "header row of 5 million columns (CIN ChildIdentifiers columns first)",
                lambda d: (
                    _wide_header(d / "cin-wide.csv", CIN_HEADER, 5_000_000),
                    d / "cin-wide.csv",
                )[1],
                ("cin",),
            ),
            Case(
                "10 MB of random bytes (.csv)",
                lambda d: ((d / "random.csv").write_bytes(os.urandom(10 * MB)), d / "random.csv")[
                    1
                ],
                ("903", "cin"),
            ),
            Case(
                "10 MB of random bytes (.xml)",
                lambda d: ((d / "random.xml").write_bytes(os.urandom(10 * MB)), d / "random.xml")[
                    1
                ],
                ("903", "cin"),
            ),
            Case(
                "10 MB of random bytes (no suffix)",
                lambda d: ((d / "random").write_bytes(os.urandom(10 * MB)), d / "random")[1],
                ("903", "cin"),
            ),
        ]
        for case in cases:
            path = case.build(work)
            for command in case.commands:
                result = run(validate(command, path), case.label, command)
                result.message = result.message.replace(f"{work}/", "")
                result.file = path.name
                results.append(result)
                print(
                    f"{'ok  ' if result.ok() else 'FAIL'} {command:>3} {case.label}: exit "
                    f"{result.status}, {result.wall:.2f} s ({result.cpu:.2f} s CPU), "
                    f"{result.peak_mb:,.0f} MB, load {os.getloadavg()[0]:.1f}: {result.message}",
                    flush=True,
                )
        # good returns must still pass
        good: list[Result] = []
        n = args.children
        subprocess.run(
            [*ALLIANCE, "903", "generate", "--children", str(n), "--out", str(work / "g903")],
            check=True,
            capture_output=True,
        )
        r = run(
            validate(
                "903", work / "g903" / "current", ["--previous", str(work / "g903" / "previous")]
            ),
            f"good {n:,}-child SSDA903 return (this year and last)",
            "903",
        )
        good.append(r)
        subprocess.run(
            [*ALLIANCE, "cin", "generate", "--children", str(n), "--out", str(work / "cin.xml")],
            check=True,
            capture_output=True,
        )
        good.append(run(validate("cin", work / "cin.xml"), f"good {n:,}-child CIN census", "cin"))
        for r in good:
            print(
                f"{'ok  ' if r.ok(True) else 'FAIL'} {r.command:>3} {r.label}: exit {r.status}, {r.wall:.2f} s, {r.peak_mb:,.0f} MB",
                flush=True,
            )
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)
    _write(results, good)
    return 0 if all(r.ok() for r in results) and all(r.ok(True) for r in good) else 1


def _write(results: list[Result], good: list[Result]) -> None:
    load = os.getloadavg()[0]
    lines = [
        "# Hostile input: `alliance 903 validate` and `alliance cin validate`",
        "",
        f"`bench/hostile_input.py`, {dt.datetime.now():%Y-%m-%d %H:%M}, Python "
        f"{platform.python_version()}, {os.cpu_count()} cores, load average {load:.1f} at the end. "
        "Each command is a fresh process; wall time from outside, peak memory is the process's "
        "maximum resident set and CPU is user + system time (`os.wait4`). The bar: exit status "
        "not 0, under 10 s wall, under 1 GB, one line on stderr naming the file. Default limits "
        "(`statutory.engine.limits`). About 1 s of each run is Python starting and importing "
        "(more when the machine's 2 cores are shared: compare the load average).",
        "",
        "| input | command | exit | wall s | CPU s | peak MB | meets the bar | message (temporary folder left out) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        message = r.message.replace("|", "\\|")
        lines.append(
            f"| {r.label} | {r.command} | {r.status} | {r.wall:.2f} | {r.cpu:.2f} | {r.peak_mb:,.0f} | "
            f"{'yes' if r.ok() else '**no**'} | {message} |"
        )
    lines += [
        "",
        "Good returns, which must still pass (exit 0: the command ran, whatever it found):",
        "",
        "| input | command | exit | wall s | CPU s | peak MB |",
        "|---|---|---|---|---|---|",
    ]
    for r in good:
        lines.append(
            f"| {r.label} | {r.command} | {r.status} | {r.wall:.2f} | {r.cpu:.2f} | {r.peak_mb:,.0f} |"
        )
    out = ROOT / "bench" / "results" / "hostile-input.md"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"Wrote {out}")


if __name__ == "__main__":
    sys.exit(main())
