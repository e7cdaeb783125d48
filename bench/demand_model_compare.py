"""Comparison with cs-demand-model on generated multi-year SSDA903 returns.

For each seed and council size: `alliance 903 generate --years N` writes a council's consistent
returns for N years; the last `--hold-out` years are held back. Both models are given the same
earlier returns (the same files) and forecast children looked after at 31 March of each held-out
year; each forecast is compared with the held-back returns (children whose episode is open at the
end of the year, by placement category).

- Ours: `forecast.bottom_up` (`alliance forecast returns`), 80% intervals included.
- cs-demand-model 0.5.1 (PyPI), the Children's Social Care Demand Model: run headless by
  `bench/demand_model_peer.py` in a virtual environment of its own (var/peers/demand-model/venv,
  made on first use; it needs Python 3.10-3.11 and pandas < 2, so it is never a dependency of the
  project). It gives a single figure, no interval.

States compared are cs-demand-model's four placement categories, which are sets of SSDA903
placement codes (its `standard-v1.yaml`): Fostering U1-U6; Residential K2, R1; Supported H5, P2;
Other every other code; and their total. The truth is counted from the held-back returns with
the same code sets; our states are mapped onto them (see STATE_MAP).

    .venv/bin/python bench/demand_model_compare.py [--seeds 1,2,3] [--children 300,1500]
        [--years 7] [--hold-out 3] [--reference-months 6,12,all] → bench/results/demand-model.md
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ALLIANCE = str(Path(sys.executable).with_name("alliance"))
PEER_VERSION = "0.5.1"
PEER_VENV = ROOT / "var" / "peers" / "demand-model" / "venv"
PEER_RUNNER = Path(__file__).with_name("demand_model_peer.py")
RESULTS = Path(__file__).parent / "results" / "demand-model.md"

# cs-demand-model's placement categories (its fixtures/config/standard-v1.yaml), by PLACE code.
PEER_CATEGORIES = {
    "Fostering": {"U1", "U2", "U3", "U4", "U5", "U6"},
    "Residential": {"K2", "R1"},
    "Supported": {"H5", "P2"},
}
# Our bottom-up states (forecast/bottom_up/states.py) grouped the same way: fostering (in-house
# and agency) is the same code set; our residential and supported take in more codes.
OUR_CATEGORIES = {
    "Fostering": PEER_CATEGORIES["Fostering"],
    "Residential": {"K1", "K2", "R1", "R2", "R5", "S1", "P3"},
    "Supported": {"K3", "H5", "P2"},
}
CATEGORIES = ["Fostering", "Residential", "Supported", "Other", "Total"]


def category_of(place: str, categories: dict[str, set[str]]) -> str:
    for name, codes in categories.items():
        if place in codes:
            return name
    return "Other"


def _peer_python() -> Path:
    """The Python of cs-demand-model's own virtual environment, made on first use."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        base = next(
            (p for p in ("python3.11", "python3.10") if shutil.which(p)),
            None,
        ) or next(
            (str(p) for p in Path("/root/.pyenv/versions").glob("3.11*/bin/python3.11")), None
        )
        if base is None:
            raise SystemExit("cs-demand-model needs Python 3.10 or 3.11 (pandas < 2): none found")
        print(f"installing cs-demand-model {PEER_VERSION} into {PEER_VENV}…", flush=True)
        subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
        subprocess.run(
            [
                str(PEER_VENV / "bin" / "pip"),
                "install",
                "--quiet",
                f"cs-demand-model=={PEER_VERSION}",
            ],
            check=True,
        )
    return python


# ---------------------------------------------------------------------------------------------
# The returns


def open_at_year_end(
    episodes: Path, categories: dict[str, set[str]] = PEER_CATEGORIES
) -> dict[str, int]:
    """Children looked after at 31 March of a return's year, by category (cs-demand-model's by
    default): the episodes still open (no DEC) in that year's return."""
    counts: dict[str, int] = defaultdict(int)
    with episodes.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if not (row.get("DEC") or "").strip():
                counts[category_of((row.get("PLACE") or "").strip(), categories)] += 1
    counts["Total"] = sum(counts[c] for c in CATEGORIES[:-1])
    return dict(counts)


def return_year(episodes: Path) -> int:
    """The collection year of a return (2025 = 2024/25): the 31 March that ends its latest date."""
    latest = dt.date.min
    with episodes.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            for field in ("DECOM", "DEC"):
                text = (row.get(field) or "").strip()
                if text:
                    latest = max(latest, dt.datetime.strptime(text, "%d/%m/%Y").date())
    return latest.year if latest.month <= 3 else latest.year + 1


def _multi_year_generator() -> bool:
    """Whether `alliance 903 generate` has its multi-year mode (`--years N`)."""
    shown = subprocess.run(
        [ALLIANCE, "903", "generate", "--help"], capture_output=True, text=True, check=True
    ).stdout
    return "--years" in shown


def generate(out: Path, years: int, children: int, seed: int, last_year: int) -> dict[int, Path]:
    """A council's consistent returns, one folder per collection year: {year: folder}."""
    command = [ALLIANCE, "903", "generate", "--children", str(children), "--out", str(out),
               "--seed", str(seed), "--year", str(last_year), "--error-rate", "0"]  # fmt: skip
    if _multi_year_generator():
        command += ["--years", str(years)]
    subprocess.run(command, check=True, capture_output=True)
    folders = {}
    for episodes in sorted(out.rglob("episodes.csv")):
        folders[return_year(episodes)] = episodes.parent
    if len(folders) < 2:
        raise SystemExit(f"the generator wrote fewer than two years into {out}")
    return dict(sorted(folders.items()))


# ---------------------------------------------------------------------------------------------
# The models


def run_peer(
    python: Path, training: dict[int, Path], targets: list[int], work: Path, months: int
) -> tuple[dict[tuple[int, str], float], dict[str, float], float]:
    """cs-demand-model's forecast at 31 March of each target year: {(year, category): count},
    its start population and the seconds it took."""
    folder = work / "peer-input"
    for year, source in training.items():
        (folder / str(year)).mkdir(parents=True, exist_ok=True)
        for table in ("header", "episodes"):
            shutil.copy(source / f"{table}.csv", folder / str(year) / f"{table}.csv")
    dates = ",".join(f"{year}-03-31" for year in targets)
    started = time.perf_counter()
    result = subprocess.run(
        [str(python), str(PEER_RUNNER), str(folder), "--dates", dates,
         "--reference-months", str(months)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    shutil.rmtree(folder)
    forecast: dict[tuple[int, str], float] = defaultdict(float)
    start: dict[str, float] = defaultdict(float)
    for row in csv.DictReader(
        line for line in result.stdout.splitlines() if not line.startswith("#")
    ):
        if row["category"] == "Not in care":  # the model's pool of children who left care
            continue
        value = float(row["forecast"])
        if row["date"] == "start":
            start[row["category"]] += value
            start["Total"] += value
        else:
            year = int(row["date"][:4])
            forecast[(year, row["category"])] += value
            forecast[(year, "Total")] += value
    return dict(forecast), dict(start), seconds


def _ours_available() -> bool:
    shown = subprocess.run(
        [ALLIANCE, "forecast", "--help"], capture_output=True, text=True, check=False
    )
    return "returns" in shown.stdout


# Our states (forecast.bottom_up) -> cs-demand-model's categories, by the words in our state's
# name (the states: fostering in-house / agency, residential, supported accommodation,
# with parents, adoption, other). Checked against the bottom-up model's placement-code sets when
# it is merged; a state matching none is counted in "Other".
STATE_WORDS = (
    ("in_house", "Fostering"),
    ("agency", "Fostering"),
    ("foster", "Fostering"),
    ("resid", "Residential"),
    ("support", "Supported"),
)
TOTAL_WORDS = ("total", "all", "looked after")


def our_category(state: str) -> str | None:
    """cs-demand-model's category for one of our states; None for the total."""
    name = state.strip().lower()
    if any(word == name or name.startswith(word) for word in TOTAL_WORDS):
        return None
    for word, category in STATE_WORDS:
        if word in name:
            return category
    return "Other"


def run_ours(
    training: dict[int, Path], horizon: int, work: Path, seed: int
) -> tuple[dict[tuple[int, str], tuple[float, float, float]], float]:
    """Our bottom-up forecast: {(year, category): (forecast, lower80, upper80)}, seconds."""
    out = work / "ours.csv"
    started = time.perf_counter()
    subprocess.run(
        [ALLIANCE, "forecast", "returns", *(str(folder) for folder in training.values()),
         "--horizon", str(horizon), "--seed", str(seed), "--by-state", "--out", str(out)],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    seconds = time.perf_counter() - started
    return read_ours(out), seconds


def read_ours(path: Path) -> dict[tuple[int, str], tuple[float, float, float]]:
    """Our CSV summed by (year, category). Where several of our states make one category (in-house
    and agency fostering), their 80% bounds are summed too: a wider range than the category's own,
    so the coverage shown for such a category is generous."""
    out: dict[tuple[int, str], list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    totals: dict[int, tuple[float, float, float]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        fields = reader.fieldnames or []
        state_field = next((f for f in ("state", "placement", "category") if f in fields), None)
        for row in reader:
            year = int(row["year"])
            values = (float(row["forecast"]), float(row["lower80"]), float(row["upper80"]))
            category = our_category(row[state_field]) if state_field else None
            if category is None:
                totals[year] = values
                continue
            cell = out[(year, category)]
            for i, value in enumerate(values):
                cell[i] += value
    result = {key: (v[0], v[1], v[2]) for key, v in out.items()}
    for year in {y for y, _ in result}:
        if year in totals:
            result[(year, "Total")] = totals[year]
        else:  # no total row: the states' sum, bounds summed (generous)
            cells = [v for (y, _), v in result.items() if y == year]
            result[(year, "Total")] = tuple(sum(c[i] for c in cells) for i in range(3))  # type: ignore[assignment]
    return result


def persistence(start: dict[str, int], targets: list[int]) -> dict[tuple[int, str], float]:
    """Naive persistence: each category's number at the origin, for every year ahead."""
    return {(year, c): float(start.get(c, 0)) for year in targets for c in CATEGORIES}


# ---------------------------------------------------------------------------------------------
# Scoring and the report

Row = dict[str, object]


def score(
    rows: list[Row],
    model: str,
    run: str,
    origin: int,
    truth: dict[int, dict[str, int]],
    forecast: dict[tuple[int, str], float],
    ranges: dict[tuple[int, str], tuple[float, float]] | None = None,
) -> None:
    for (year, category), value in forecast.items():
        actual = truth.get(year, {}).get(category, 0)
        if actual == 0:
            continue
        inside = None
        if ranges is not None:
            low, high = ranges[(year, category)]
            inside = low <= actual <= high
        rows.append({"model": model, "run": run, "horizon": year - origin,
                     "category": category, "forecast": value, "actual": actual,
                     "ape": abs(value - actual) / actual, "inside80": inside})  # fmt: skip


def summary(rows: list[Row], models: list[str], horizon: int, weighted: bool = False) -> list[str]:
    what = "WAPE %" if weighted else "MAPE %"
    lines = [
        "| state | years ahead | " + " | ".join(f"{m} {what}" for m in models) + " | forecasts |",
        "|---|---:|" + "---:|" * len(models) + "---:|",
    ]
    for category in CATEGORIES:
        for h in range(1, horizon + 1):
            cells, counts = [], set()
            for model in models:
                mine = [r["ape"] for r in rows if r["model"] == model and r["horizon"] == h
                        and r["category"] == category]  # fmt: skip
                counts.add(len(mine))
                if weighted:
                    chosen = [r for r in rows if r["model"] == model and r["horizon"] == h
                              and r["category"] == category]  # fmt: skip
                    actual = sum(float(r["actual"]) for r in chosen)  # type: ignore[arg-type]
                    missed = sum(abs(float(r["forecast"]) - float(r["actual"])) for r in chosen)  # type: ignore[arg-type]
                    cells.append(f"{100 * missed / actual:.1f}" if actual else "–")
                else:
                    cells.append(f"{100 * statistics.fmean(mine):.1f}" if mine else "–")  # type: ignore[arg-type]
            lines.append(f"| {category} | {h} | " + " | ".join(cells) + f" | {max(counts)} |")
    return lines


def coverage(rows: list[Row], model: str, horizon: int) -> list[str]:
    lines = ["| state | years ahead | in 80% interval % | forecasts |", "|---|---:|---:|---:|"]
    for category in CATEGORIES:
        for h in range(1, horizon + 1):
            mine = [r["inside80"] for r in rows if r["model"] == model and r["horizon"] == h
                    and r["category"] == category and r["inside80"] is not None]  # fmt: skip
            if mine:
                lines.append(
                    f"| {category} | {h} | {100 * sum(map(bool, mine)) / len(mine):.0f} | {len(mine)} |"
                )
    return lines


def peer_name(window: str) -> str:
    return f"cs-demand-model ({'all years' if window == 'all' else window + ' months'})"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", default="1,2,3")
    parser.add_argument("--children", default="300,1500", help="children in the latest return")
    parser.add_argument("--years", type=int, default=7, help="years of returns generated")
    parser.add_argument("--hold-out", type=int, default=3, help="latest years held back")
    parser.add_argument("--last-year", type=int, default=2025)
    parser.add_argument("--reference-months", default="6,12,all",
                        help="cs-demand-model's rate window(s), months before the data's end; "
                        "all: every year it is given")  # fmt: skip
    parser.add_argument("--out", default=str(RESULTS))
    args = parser.parse_args()

    python = _peer_python()
    ours = _ours_available()
    multi = _multi_year_generator()
    windows = args.reference_months.split(",")
    rows: list[Row] = []
    runs: list[str] = []
    notes: list[str] = []
    timings: dict[str, list[float]] = defaultdict(list)
    horizon = 0
    for size in (int(c) for c in args.children.split(",")):
        for seed in (int(s) for s in args.seeds.split(",")):
            with tempfile.TemporaryDirectory(prefix="demand-compare-") as tmp:
                work = Path(tmp)
                folders = generate(work / "returns", args.years, size, seed, args.last_year)
                years = list(folders)
                hold = min(args.hold_out, len(years) - 1)
                training = {y: folders[y] for y in years[:-hold]}
                targets = years[-hold:]
                origin = years[-hold - 1]
                horizon = max(horizon, hold)
                truth = {y: open_at_year_end(folders[y] / "episodes.csv") for y in years}
                ours_truth = {
                    y: open_at_year_end(folders[y] / "episodes.csv", OUR_CATEGORIES) for y in years
                }
                run = f"{size} children, seed {seed}"
                start = truth[origin]
                score(rows, "naive persistence", run, origin, truth, persistence(start, targets))
                for window in windows:
                    m = 12 * len(training) if window == "all" else int(window)
                    peer, peer_start, seconds = run_peer(python, training, targets, work, m)
                    timings[peer_name(window)].append(seconds)
                    score(rows, peer_name(window), run, origin, truth, peer)
                    if round(peer_start.get("Total", 0)) != start["Total"]:
                        notes.append(f"{run}: cs-demand-model starts from "
                                     f"{peer_start.get('Total', 0):.0f} children, the returns "
                                     f"have {start['Total']} at 31 March {origin}")  # fmt: skip
                if ours:
                    mine, seconds = run_ours(training, hold, work, seed)
                    timings["ours"].append(seconds)
                    score(rows, "ours", run, origin, ours_truth,
                          {k: v[0] for k, v in mine.items()},
                          {k: (v[1], v[2]) for k, v in mine.items()})  # fmt: skip
                counts = ", ".join(f"{truth[y]['Total']} ({y})" for y in [origin, *targets])
                runs.append(f"| {run} | {years[0]}-{years[-1]} | {origin} | {counts} |")
                print(f"{run}: years {years[0]}-{years[-1]}, origin {origin}, looked after "
                      f"at 31 March: {counts}", flush=True)  # fmt: skip
    models = (["ours"] if ours else []) + [peer_name(w) for w in windows]
    models.append("naive persistence")
    write(Path(args.out), args, rows, models, horizon, timings, notes, multi, ours, runs)


def write(path: Path, args: argparse.Namespace, rows: list[Row], models: list[str],
          horizon: int, timings: dict[str, list[float]], notes: list[str], multi: bool,
          ours: bool, runs: list[str]) -> None:  # fmt: skip
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Comparison with cs-demand-model on generated returns",
        "",
        f"`bench/demand_model_compare.py`, {when}, Python {platform.python_version()} (ours), "
        f"cs-demand-model {PEER_VERSION} under Python 3.11, {os.cpu_count()} cores.",
        "",
        "Reproduce: `.venv/bin/python bench/demand_model_compare.py "
        f"--seeds {args.seeds} --children {args.children} --years {args.years} "
        f"--hold-out {args.hold_out} --reference-months {args.reference_months}` (makes "
        "cs-demand-model's own virtual environment in var/peers/demand-model/venv on first use).",
        "",
    ]
    if not multi:
        lines += [
            "**Only two years of returns**: `alliance 903 generate` had no multi-year mode "
            "(`--years`) when this ran, so each council is its two consistent returns (this year "
            "and last): one year to learn from, one held back. The comparison over several years "
            "waits for it. These two years are not a steady council: the generator draws this "
            "year's children and gives last year only those of them already looked after then, so "
            "the number rises from one year to the next by construction (see Runs), which "
            "handicaps naive persistence.",
            "",
        ]
    if not ours:
        lines += [
            "**Our bottom-up model is not in this table**: `alliance forecast returns` did not "
            "exist yet when this ran. The table compares cs-demand-model with naive persistence "
            "(each state's number at the origin carried forward) on the same files.",
            "",
        ]
    lines += [
        "## How it was run",
        "",
        "- Each run: one generated council (`alliance 903 generate --children N --seed S "
        "--error-rate 0`), the latest years held back; both models see the same earlier "
        "returns' header and episodes files.",
        "- A caution on fairness: the returns come from our own multi-year generator, whose children "
        "move between placements at steady rates by kind of placement and age, much as our model "
        "assumes. Real councils' returns may suit cs-demand-model's recent-months rates better; "
        "the comparison should be repeated on real multi-year returns.",
        "- cs-demand-model is run as its own `predict` command runs it (`Config()`, "
        "`fs_datastore`, `DemandModellingDataContainer`, `PopulationStats`, "
        "`ModelPredictor.from_model(stats, start, end)`, `predict(days)`), day by day from the "
        "end of the data to 31 March of each held-back year. Its transition and entry rates are "
        "measured over the last months of the data: 6 (its default), 12, and every year it is "
        "given (all years). Its forecast "
        "includes a 'Not in care' pool of children who have left; that is left out.",
        "- States: cs-demand-model's placement categories, which are sets of placement codes: "
        "Fostering U1-U6; Residential K2, R1; Supported H5, P2; Other: every other code. Ours "
        "(forecast/bottom_up/states.py) are grouped onto them: in-house and agency fostering "
        "make Fostering (the same codes, U1-U6); our residential (K1, K2, R1, R2, R5, S1, P3) "
        "and supported (K3, H5, P2) take in more codes than its Residential and Supported; with "
        "parents, adoption and other make Other. So **Fostering and Total mean the same for "
        "every model**; Residential, Supported and Other are each model's own definition, and "
        "each model is scored against the truth counted with its own code sets (naive "
        "persistence with cs-demand-model's). The truth: children whose episode is still open "
        "at the end of the held-back return's year.",
        "- MAPE: mean over runs of |forecast − actual| / actual, by state and years ahead "
        "(a state with no children in a held-back year is not scored).",
        "",
        "## Error by state and years ahead",
        "",
        *summary(rows, models, horizon),
        "",
        "The same as one error over all runs, Σ|forecast − actual| / Σ actual (WAPE; small "
        "states with a handful of children weigh less than in MAPE):",
        "",
        *summary(rows, models, horizon, weighted=True),
        "",
    ]
    if ours:
        lines += ["## Our 80% intervals", "",
                  "cs-demand-model gives no interval. Our Fostering range is the sum of the "
                  "in-house and agency ranges (wider than Fostering's own would be); our Other "
                  "range likewise sums three states'.", "",
                  *coverage(rows, "ours", horizon), ""]  # fmt: skip
    lines += [
        "## Runs",
        "",
        "| run | years generated | origin | children looked after at 31 March (year) |",
        "|---|---|---:|---|",
        *runs,
        "",
        "| model | median seconds a run | runs |",
        "|---|---:|---:|",
        *(f"| {name} | {statistics.median(t):.1f} | {len(t)} |" for name, t in timings.items()),
        "",
    ]
    if notes:
        lines += ["Checks that failed:", "", *(f"- {n}" for n in notes), ""]
    path.write_text("\n".join(lines), encoding="utf-8")
    print(f"Wrote {path}")


if __name__ == "__main__":
    main()
