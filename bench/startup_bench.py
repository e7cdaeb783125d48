"""How long a council waits for `alliance 903 validate` on a small (1,000-child) return.

Each run is a fresh process, as on the command line, so start-up (the interpreter, imports) is
counted with the reading and checking. Reports the median and range of wall and CPU seconds over
`--runs` runs after one warm-up, with Python's bytecode cache on (an installed package, or a
checkout whose `.pyc` files have been written) and off (`PYTHONDONTWRITEBYTECODE=1` and an empty
`PYTHONPYCACHEPREFIX`: every module, the libraries' too, compiled from source on every run, as in
a virtual environment installed without `--compile-bytecode` on a machine that sets
`PYTHONDONTWRITEBYTECODE`).

    .venv/bin/python bench/startup_bench.py [--children 1000] [--runs 7] [--src DIR] [--label L]

`--src DIR` times another checkout's `src` (e.g. an older commit unpacked with `git archive`)
with this virtual environment; `--label` names the row. Appends to `bench/results/startup.md`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "startup.md"
BIN = Path(sys.executable).parent


def _timed(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run of the command as a child process."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _series(command: list[str], env: dict[str, str], runs: int) -> tuple[list[float], list[float]]:
    _timed(command, env)  # warm-up: file cache, postcode cache, .pyc files when allowed
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = _timed(command, env)
        walls.append(wall)
        cpus.append(cpu)
    return walls, cpus


def _cell(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}-{max(values):.2f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--src", type=Path, default=ROOT / "src")
    parser.add_argument("--label", default="this checkout")
    args = parser.parse_args()
    src = args.src.resolve()

    with tempfile.TemporaryDirectory(prefix="startup-bench-") as folder:
        data = Path(folder) / "return"
        generate = ["903", "generate", "--children", str(args.children), "--out", str(data)]
        subprocess.run(
            [str(BIN / "alliance"), *generate, "--year", "2025", "--seed", "1"],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        command = [sys.executable, "-m", "alliance", "903", "validate", str(data)]
        command += ["--year", "2025"]
        # the shared data stays this checkout's when another checkout's code is timed
        shared = os.environ.get("ALLIANCE_SHARED_DATA") or str(ROOT.parent / "shared" / "data")
        base = {**os.environ, "PYTHONPATH": str(src), "ALLIANCE_SHARED_DATA": shared}
        base.pop("PYTHONDONTWRITEBYTECODE", None)
        cached = _series(command, base, args.runs)
        # an empty bytecode cache that nothing may write to: every module compiled every run
        nothing = {"PYTHONDONTWRITEBYTECODE": "1", "PYTHONPYCACHEPREFIX": str(Path(folder) / "x")}
        uncached = _series(command, {**base, **nothing}, args.runs)
        empty = _series([sys.executable, "-c", "pass"], base, args.runs)

    load = os.getloadavg()[0]
    row = (
        f"| {dt.date.today()} | {args.label} | {args.children:,} | {_cell(cached[0])} | "
        f"{_cell(cached[1])} | {_cell(uncached[0])} | {_cell(uncached[1])} | "
        f"{_cell(empty[0])} | {load:.1f} |\n"
    )
    if not RESULTS.exists():
        RESULTS.write_text(
            "# Start-up: `alliance 903 validate` on a small return\n\n"
            "Written by `bench/startup_bench.py`: seconds per run, median (min-max) of fresh "
            "processes after a warm-up. *pyc* = Python's bytecode cache in use (an installed "
            "package); *no pyc* = every module, the libraries' too, compiled on every run "
            "(`PYTHONDONTWRITEBYTECODE=1`, an empty `PYTHONPYCACHEPREFIX`). Load = the machine's one-minute "
            "load average at the end (2 cores; wall seconds stretch with it, CPU seconds much "
            "less).\n\n"
            "| date | code | children | wall, pyc | CPU, pyc | wall, no pyc | CPU, no pyc | "
            "`python -c pass` wall | load |\n|---|---|---|---|---|---|---|---|---|\n"
        )
    with RESULTS.open("a") as handle:
        handle.write(row)
    print(row, end="")


if __name__ == "__main__":
    main()
