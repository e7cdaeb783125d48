"""`make differential`: compare Alliance's rules with the DfE's open-source validators, rule by rule.

1. Builds (once) a virtual environment of the peers' own under var/differential/peers, from PyPI:
   the latest csc-validator-be-903 and csc-validator-be-cin with pandas 1.5 and numpy below 2,
   on a Python 3.10 (or 3.11) found on the machine. They are never a dependency of Alliance.
2. Generates SSDA903 returns and CIN censuses (several seeds, error rates and years) and takes
   every return in bench/differential/returns/ and any given with --return.
3. Runs Alliance (`alliance ... validate --report x.json`) and the peers (peer_driver.py, each
   rule on its own fresh copy of the tables) on each, and compares the rows each rule flags.
4. Judges each rule against docs/statutory/known-differences.csv, writes var/differential/report.csv
   and prints a summary; exits 1 when a difference is not listed (or is listed for the other side).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from known import FAILING, ROOT, KnownDifference, RuleComparison, load

HERE = Path(__file__).resolve().parent
WORK = ROOT / "var" / "differential"
PEER_VENV = Path(os.environ.get("DIFFERENTIAL_PEER_VENV", WORK / "peers"))
PEER_PACKAGES = ["csc-validator-be-903", "csc-validator-be-cin", "pandas>=1.5,<2", "numpy<2"]
PYTHONS = [
    "python3.10",
    *sorted(str(p) for p in Path("/root/.pyenv/versions").glob("3.10*/bin/python3.10")),
    "python3.11",
    *sorted(str(p) for p in Path("/root/.pyenv/versions").glob("3.11*/bin/python3.11")),
    "/usr/bin/python3.11",
]
ALLIANCE = Path(sys.executable).parent / "alliance"
LA = "E08000023"  # South Tyneside: the generator's home postcodes (NE3x) fall in it


@dataclass(frozen=True)
class Return:
    collection: str  # ssda903 | cin
    label: str
    year: int
    current: Path
    previous: Path | None = None
    generated: bool = False  # written by Alliance's own generator


def _runs(python: str) -> bool:
    """Whether this Python exists, starts (a pyenv shim may not) and is 3.10 or 3.11."""
    if not (shutil.which(python) or Path(python).is_file()):
        return False
    check = "import sys; sys.exit(sys.version_info[:2] not in ((3, 10), (3, 11)))"
    done = subprocess.run([python, "-c", check], capture_output=True, check=False)
    return done.returncode == 0


def peer_python(refresh: bool) -> Path:
    """The peers' interpreter, installing them first when needed (or when refresh asks)."""
    python = PEER_VENV / "bin" / "python"
    marker = PEER_VENV / ".installed"
    if marker.exists() and not refresh:
        return python
    base = next((p for p in PYTHONS if _runs(p)), None)
    if base is None:
        raise SystemExit("differential: the peers need Python 3.10 or 3.11; none was found")
    if PEER_VENV.exists():
        shutil.rmtree(PEER_VENV)
    print(f"Installing the peers from PyPI into {PEER_VENV} (Python {base})", flush=True)
    subprocess.run([base, "-m", "venv", str(PEER_VENV)], check=True)
    subprocess.run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *PEER_PACKAGES,
        ],
        check=True,
    )
    marker.touch()
    return python


def generated(children: int) -> list[Return]:
    """The generated returns: each collection at several seeds, error rates and years."""
    plans = [(1, 0.01, 2025), (2, 0.05, 2025), (3, 0.0, 2026), (4, 0.02, 2024)]
    out: list[Return] = []
    for seed, rate, year in plans:
        label = f"generated-{children}-seed{seed}-rate{rate}-{year}"
        folder = WORK / "returns" / "ssda903" / label
        if not (folder / "current").exists():
            subprocess.run(
                [
                    str(ALLIANCE),
                    "903",
                    "generate",
                    "--children",
                    str(children),
                    "--out",
                    str(folder),
                    "--seed",
                    str(seed),
                    "--error-rate",
                    str(rate),
                    "--year",
                    str(year),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        out.append(
            Return("ssda903", label, year, folder / "current", folder / "previous", generated=True)
        )
        census = WORK / "returns" / "cin" / f"{label}.xml"
        if not census.exists():
            census.parent.mkdir(parents=True, exist_ok=True)
            subprocess.run(
                [
                    str(ALLIANCE),
                    "cin",
                    "generate",
                    "--children",
                    str(children),
                    "--out",
                    str(census),
                    "--seed",
                    str(seed),
                    "--error-rate",
                    str(rate),
                    "--year",
                    str(year),
                ],
                check=True,
                stdout=subprocess.DEVNULL,
            )
        out.append(Return("cin", label, year, census, generated=True))
    return out


def given(path: Path) -> Return:
    """A return given to the harness: a CIN XML file (its year from the name, e.g. ..._2024.xml, or
    a year.txt beside it) or a SSDA903 folder with current/ (and previous/) and a year.txt."""
    year_file = (path.parent if path.is_file() else path) / "year.txt"
    if path.is_file():
        year = int(year_file.read_text().split()[0]) if year_file.exists() else int(path.stem[-4:])
        return Return("cin", path.stem, year, path)
    year = int(year_file.read_text().split()[0])
    previous = path / "previous"
    return Return(
        "ssda903", path.name, year, path / "current", previous if previous.is_dir() else None
    )


def assessment_of_row(census: Path) -> list[int]:
    """For each row of Alliance's CIN Assessments table (one per factor), the 1-based number of its
    assessment in the file, which is the peer's row (one per assessment, its factors in a list)."""
    from lxml import etree

    rows: list[int] = []
    for number, (_, element) in enumerate(etree.iterparse(str(census), tag="Assessments"), start=1):
        factors = element.find("FactorsIdentifiedAtAssessment")
        rows += [number] * max(
            1, 0 if factors is None else len(factors.findall("AssessmentFactors"))
        )
        element.clear()
    return rows


def ours(ret: Return, out: Path) -> tuple[dict[str, set[tuple[str, str]]], set[str]]:
    """Alliance's findings per rule, and the rules it ran."""
    report = out / "alliance.json"
    if ret.collection == "ssda903":
        cmd = [
            str(ALLIANCE),
            "903",
            "validate",
            str(ret.current),
            "--year",
            str(ret.year),
            "--la",
            "393",
        ]
        if ret.previous is not None:
            cmd += ["--previous", str(ret.previous)]
    else:
        cmd = [str(ALLIANCE), "cin", "validate", str(ret.current), "--year", str(ret.year)]
    subprocess.run([*cmd, "--report", str(report)], check=True, stdout=subprocess.DEVNULL)
    data = json.loads(report.read_text())
    assessments = assessment_of_row(ret.current) if ret.collection == "cin" else []
    findings: dict[str, set[tuple[str, str]]] = {}
    for f in data["findings"]:
        row = "" if f["row_number"] in (None, "") else str(f["row_number"])
        if row and f["table"] == "Assessments":
            row = str(assessments[int(row) - 1])
        table = f["table"] if row else ""
        findings.setdefault(f["rule_code"], set()).add((table, row))
    return findings, set(data["rules_run"])


def theirs(
    python: Path, ret: Return, out: Path
) -> tuple[dict[str, set[tuple[str, str]]], dict[str, tuple[str, str]], str]:
    """The peer's findings per rule, each rule's status and detail, and the peer's version."""
    peer_out = out / "peer"
    cmd = [
        str(python),
        str(HERE / "peer_driver.py"),
        "903" if ret.collection == "ssda903" else "cin",
        "--current",
        str(ret.current),
        "--year",
        str(ret.year),
        "--la",
        LA,
        "--out",
        str(peer_out),
    ]
    if ret.previous is not None:
        cmd += ["--previous", str(ret.previous)]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    findings: dict[str, set[tuple[str, str]]] = {}
    with open(peer_out / "findings.csv", newline="") as f:
        for row in csv.DictReader(f):
            findings.setdefault(row["rule"], set()).add((row["table"], row["row"]))
    with open(peer_out / "rules.csv", newline="") as f:
        statuses = {row["rule"]: (row["status"], row["detail"]) for row in csv.DictReader(f)}
    with open(peer_out / "peer.csv", newline="") as f:
        version = {row["key"]: row["value"] for row in csv.DictReader(f)}
    return findings, statuses, f"{version['package']} {version['version']}"


def summarise(
    report: Path,
    comparisons: dict[tuple[str, str], RuleComparison],
    foreign: dict[tuple[str, str], RuleComparison],
    not_compared: dict[str, set[str]],
    versions: set[str],
    known: dict[tuple[str, str], KnownDifference],
) -> list[RuleComparison]:
    """Write the per-rule report, print the summary, and return the rules that fail the run."""
    rows = sorted(comparisons.values(), key=lambda c: (c.collection, c.rule))
    report.parent.mkdir(parents=True, exist_ok=True)
    with open(report, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(
            [
                "return",
                "rule",
                "verdict",
                "returns",
                "both",
                "project_only",
                "peer_only",
                "peer_crashes",
                "example_project_only",
                "example_peer_only",
                "crash",
            ]
        )
        for c in rows:
            w.writerow(
                [
                    c.collection,
                    c.rule,
                    c.verdict(known),
                    c.returns,
                    c.both,
                    c.project_only,
                    c.peer_only,
                    c.crashes,
                    c.example_project_only,
                    c.example_peer_only,
                    c.crash_detail,
                ]
            )

    print(f"Peers: {', '.join(sorted(versions))}")
    failing = [c for c in rows if c.verdict(known) in FAILING]
    for collection in ("ssda903", "cin"):
        mine = [c for c in rows if c.collection == collection]
        if not mine:
            continue
        tally: dict[str, int] = {}
        for c in mine:
            tally[c.verdict(known)] = tally.get(c.verdict(known), 0) + 1
        crashed_some = sum(1 for c in mine if 0 < c.crashes < c.returns)
        print(
            f"{collection}: {len(mine)} rules compared: "
            + ", ".join(f"{n} {v}" for v, n in sorted(tally.items()))
            + f" (and {crashed_some} that crashed on some returns);"
            + f" {len({r.split()[0] for r in not_compared.get(collection, ())})} not compared (one side lacks or did not run the rule)"
        )
        for verdict in ("known difference", "peer crash"):
            pending = {
                rule for (c, rule), e in known.items() if c == collection and e.status == "pending"
            }
            names = [
                c.rule + (" (pending)" if c.rule in pending else "")
                for c in mine
                if c.verdict(known) == verdict
            ]
            print(f"  {verdict}: {', '.join(names) or 'none'}")
        partly = [
            f"{c.rule} ({c.crashes} of {c.returns})" for c in mine if 0 < c.crashes < c.returns
        ]
        print(f"  peer crashed on some returns: {', '.join(partly) or 'none'}")
        print(f"  not compared: {', '.join(sorted(not_compared.get(collection, ()))) or 'none'}")
    for collection in ("ssda903", "cin"):
        mine = [c for c in foreign.values() if c.collection == collection and c.crashes < c.returns]
        if mine:
            agreeing = [c for c in mine if c.verdict(known) in ("agree", "known difference")]
            strictly = [c for c in mine if c.verdict(known) == "agree"]
            print(
                f"{collection}, on returns Alliance did not write: {len(agreeing)} of {len(mine)} rules "
                f"agree or differ as listed ({100 * len(agreeing) / len(mine):.1f}%; "
                f"{len(strictly)} agree row for row)"
            )
    for c in failing:
        print(
            f"FAIL {c.collection} {c.rule}: {c.verdict(known)}: {c.project_only} rows only here "
            f"({c.example_project_only}), {c.peer_only} only in the peer ({c.example_peer_only})"
        )
    return failing


def main() -> int:
    parser = argparse.ArgumentParser(
        description="Compare Alliance's rules with the DfE's open-source validators."
    )
    parser.add_argument("--children", type=int, default=2000, help="children per generated return")
    parser.add_argument(
        "--return",
        dest="returns",
        type=Path,
        action="append",
        default=[],
        help="also compare on this return (a CIN XML, or a SSDA903 folder with current/ and year.txt)",
    )
    parser.add_argument(
        "--no-generated", action="store_true", help="compare only on given and stored returns"
    )
    parser.add_argument("--only", choices=["ssda903", "cin"], help="compare one collection only")
    parser.add_argument(
        "--jobs",
        type=int,
        default=2,
        help="returns compared at once (each runs one process at a time)",
    )
    parser.add_argument(
        "--refresh", action="store_true", help="reinstall the latest peers from PyPI"
    )
    parser.add_argument("--report", type=Path, default=WORK / "report.csv")
    args = parser.parse_args()

    started = time.monotonic()
    python = peer_python(args.refresh)
    returns = [] if args.no_generated else generated(args.children)
    stored = HERE / "returns"
    returns += [
        given(p) for p in sorted(stored.glob("*/*")) if p.name != "README.md" and p.suffix != ".txt"
    ]
    returns += [given(p.resolve()) for p in args.returns]
    if args.only:
        returns = [r for r in returns if r.collection == args.only]
    known = load()

    comparisons: dict[tuple[str, str], RuleComparison] = {}
    # the same, on the returns Alliance did not write (the measure of agreement)
    foreign: dict[tuple[str, str], RuleComparison] = {}
    versions: set[str] = set()
    not_compared: dict[str, set[str]] = {}

    lock = threading.Lock()

    def one(ret: Return) -> None:
        out = WORK / "runs" / ret.collection / ret.label
        out.mkdir(parents=True, exist_ok=True)
        our_findings, ran = ours(ret, out)
        peer_findings, statuses, version = theirs(python, ret, out)
        label = f"{ret.collection}/{ret.label}"
        with lock:
            record(ret, label, our_findings, ran, peer_findings, statuses, version)
        print(f"  {label}: {time.monotonic() - started:.0f}s", flush=True)

    def record(
        ret: Return,
        label: str,
        our_findings: dict[str, set[tuple[str, str]]],
        ran: set[str],
        peer_findings: dict[str, set[tuple[str, str]]],
        statuses: dict[str, tuple[str, str]],
        version: str,
    ) -> None:
        versions.add(version)
        for rule, (status, detail) in statuses.items():
            if rule not in ran:
                not_compared.setdefault(ret.collection, set()).add(f"{rule} (peer only)")
                continue
            if status == "skipped":
                continue
            for into in (comparisons,) if ret.generated else (comparisons, foreign):
                comparison = into.setdefault(
                    (ret.collection, rule), RuleComparison(ret.collection, rule)
                )
                if status == "crashed":
                    comparison.crashed(label, detail)
                else:
                    comparison.add(
                        label, our_findings.get(rule, set()), peer_findings.get(rule, set())
                    )
        for rule in ran - statuses.keys():
            not_compared.setdefault(ret.collection, set()).add(f"{rule} (Alliance only)")

    print(f"Comparing on {len(returns)} returns, {args.jobs} at a time", flush=True)
    with ThreadPoolExecutor(args.jobs) as pool:
        for done in [pool.submit(one, ret) for ret in returns]:
            done.result()

    failing = summarise(args.report, comparisons, foreign, not_compared, versions, known)
    print(f"Report: {args.report}; {time.monotonic() - started:.0f}s")
    return 1 if failing else 0


if __name__ == "__main__":
    sys.exit(main())
