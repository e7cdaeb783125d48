"""Runs every benchmark in bench/ (each writes its own bench/results/<name>.md) and prints where
the results are. Benchmarks report figures and ratios; they are never timed unit tests."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    failures = []
    for script in sorted(HERE.glob("*_bench.py")):
        started = time.monotonic()
        print(f"== {script.name}", flush=True)
        done = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, check=False)
        print(f"   {time.monotonic() - started:.0f}s, exit {done.returncode}", flush=True)
        if done.returncode:
            failures.append(script.name)
    print("results in", HERE / "results")
    if failures:
        print("failed:", ", ".join(failures))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
