"""Insight benchmark: all the improvement figures for all 153 councils' judgement history.

    .venv/bin/python bench/insight_bench.py [--repeat 30] [--out bench/results/insight.md] [--note "..."]

Measured in this process, each step `--repeat` times, on the real published files:

- `load`: read the three published files and reconcile them (`insight.judgements.load_history`);
- `compute`: from the loaded history, every estimate a page would show: the transition table,
  the survival estimates by starting judgement and framework, and by starting judgement and
  region (`insight.transitions.transitions`, `insight.improvement.estimates` twice);
- `spells`: building the spells alone;
- `cold CLI`: one fresh `alliance insight improvement` process, start-up and imports included
  (run `--cli-repeat` times).

The goal for the pages to come is p95 under 200 ms per page; the report says whether the
figures can be computed per request or must be precomputed. Nothing here is a test.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

TARGET_MS = 200.0


def timings(step: Callable[[], object], repeat: int) -> list[float]:
    found = []
    for _ in range(repeat):
        start = time.perf_counter()
        step()
        found.append((time.perf_counter() - start) * 1000)
    return found


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--cli-repeat", type=int, default=3)
    parser.add_argument("--out", type=Path, default=ROOT / "bench/results/insight.md")
    parser.add_argument("--note", default="")
    args = parser.parse_args()

    from insight.improvement import estimates, spells
    from insight.judgements import load_history
    from insight.transitions import transitions

    start = time.perf_counter()
    history = load_history()
    first_load = (time.perf_counter() - start) * 1000
    estimates(history)  # the first call imports statsmodels; pages would pay it once a process

    def compute() -> None:
        transitions(history)
        estimates(history)
        estimates(history, by_region=True)

    rows = {
        "load (read and reconcile the three files)": timings(
            load_history, max(3, args.repeat // 10)
        ),
        "compute (transitions + estimates by framework + by region)": timings(compute, args.repeat),
        "spells only": timings(lambda: spells(history), args.repeat),
        "estimates by framework only": timings(lambda: estimates(history), args.repeat),
        "transitions only": timings(lambda: transitions(history), args.repeat),
    }
    cli = []
    with tempfile.TemporaryDirectory() as folder:
        for _ in range(args.cli_repeat):
            start = time.perf_counter()
            subprocess.run(
                [
                    str(ROOT / ".venv/bin/alliance"),
                    "insight",
                    "improvement",
                    "--out",
                    str(Path(folder) / "x.csv"),
                ],
                check=True,
                capture_output=True,
            )
            cli.append((time.perf_counter() - start) * 1000)
    rows["cold CLI (`alliance insight improvement`, new process)"] = cli

    councils = len({j.council for j in history.overall()})
    judged = len(history.overall())
    found = spells(history)
    compute_p95 = p95(rows["compute (transitions + estimates by framework + by region)"])
    load_p95 = p95(rows["load (read and reconcile the three files)"])
    verdict = (
        f"Computing every figure from a loaded history takes p95 {compute_p95:.0f} ms, "
        f"{'within' if compute_p95 < TARGET_MS else 'over'} the 200 ms page goal; reading the files "
        f"takes p95 {load_p95:.0f} ms, {'within' if load_p95 < TARGET_MS else 'over'} it. "
        + (
            "So a page must not read the files per request: precompute the figures (or at least "
            "the loaded history) when the reference data are loaded, and show the computation's date."
            if load_p95 + compute_p95 >= TARGET_MS
            else "Both fit in a request, though precomputing at load still saves the work."
        )
    )
    lines = [
        "# Insight benchmark: improvement figures for every council",
        "",
        f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, load average "
        f"{os.getloadavg()[0]:.2f} at the start (the machine is shared by other work). "
        f"`{' '.join(['bench/insight_bench.py', *sys.argv[1:]])}`",
        "",
        f"Data: {judged} overall judgements (SIF and ILACS) of {councils} councils "
        f"({len(history.councils)} known, 5 of them former councils), "
        f"{len(history.judgements)} judgements of every framework, {len(found)} spells; "
        f"first load {first_load:.0f} ms (imports included).",
        "",
        "| step | runs | median ms | p95 ms | max ms |",
        "|---|---:|---:|---:|---:|",
    ]
    for name, values in rows.items():
        lines.append(
            f"| {name} | {len(values)} | {statistics.median(values):.1f} | {p95(values):.1f} | {max(values):.1f} |"
        )
    lines += ["", verdict]
    if args.note:
        lines += ["", args.note]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text("\n".join(lines) + "\n")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
