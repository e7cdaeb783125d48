"""Run the DfE's open-source validators rule by rule on one return; write what each rule flags.

This script runs inside the peers' own virtual environment (Python 3.10/3.11, pandas 1.5,
numpy below 2, csc-validator-be-903 and csc-validator-be-cin from PyPI), never in Alliance's.
Alliance's harness (differential/run.py) calls it with paths and reads the files it writes:

    python peer_driver.py 903 --current DIR [--previous DIR] --year 2025 --la E08000023 --out DIR
    python peer_driver.py cin --current FILE.xml --year 2025 --out DIR

Each rule gets its own deep copy of every table: some peer rules write into the tables they are
given (the 903 peer's rule 365 fills every blank DEC of Episodes with 31/03/2025), and the
peers' own runners copy the tables shallowly, so a later rule would see an earlier one's edits.

Writes OUT/findings.csv (rule, table, row: the 1-based data row, blank for a council-level
finding) and OUT/rules.csv (rule, status: flagged | passed | skipped | crashed, detail).
"""

from __future__ import annotations

import argparse
import copy
import csv
import importlib.metadata
import logging
import sys
import traceback
import warnings
from pathlib import Path

logging.disable(logging.CRITICAL)
warnings.simplefilter("ignore")


def _write(
    out: Path,
    findings: list[tuple[str, str, str]],
    rules: list[tuple[str, str, str]],
    meta: dict[str, str],
) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with open(out / "findings.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rule", "table", "row"])
        w.writerows(sorted(set(findings)))
    with open(out / "rules.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["rule", "status", "detail"])
        w.writerows(rules)
    with open(out / "peer.csv", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["key", "value"])
        w.writerows(sorted(meta.items()))


def _crash(exc: BaseException) -> str:
    last = traceback.extract_tb(exc.__traceback__)[-1]
    return f"{type(exc).__name__}: {str(exc)[:160]} ({Path(last.filename).name}:{last.lineno})"


def run_903(args: argparse.Namespace) -> None:
    import pandas as pd
    from lac_validator.datastore import create_datastore
    from lac_validator.ingress import read_from_text
    from lac_validator.rules.ruleset_utils import get_year_ruleset

    files = []
    for folder, description in ((args.current, "This year"), (args.previous, "Prev year")):
        if folder is None:
            continue
        for path in sorted(Path(folder).glob("*.csv")):
            files.append(
                {"name": path.name, "file_content": path.read_bytes(), "description": description}
            )
    dfs, extras = read_from_text(files)
    metadata = {"collectionYear": str(args.year), "localAuthority": args.la, **extras}
    store = create_datastore(dfs, metadata)
    registry = get_year_ruleset(str(args.year))

    findings: list[tuple[str, str, str]] = []
    rules: list[tuple[str, str, str]] = []
    for code, rule in registry.items():
        fresh = {
            k: (v.copy(deep=True) if k != "metadata" else copy.deepcopy(v))
            for k, v in store.items()
        }
        try:
            result = rule.func(fresh)
        except Exception as exc:  # a peer rule that cannot run on the data is recorded, not fatal
            rules.append((str(code), "crashed", _crash(exc)))
            continue
        if result == {}:
            rules.append((str(code), "skipped", "a table it needs was not supplied"))
            continue
        flagged = 0
        for table, rows in result.items():
            index = store[table].index
            for label in rows:
                if label is None or pd.isna(
                    label
                ):  # NaN row labels: the peer's runner drops them too
                    continue
                position = index.get_loc(label)
                findings.append((str(code), table, str(int(position) + 1)))
                flagged += 1
        rules.append((str(code), "flagged" if flagged else "passed", ""))
    _write(
        Path(args.out),
        findings,
        rules,
        {
            "package": "csc-validator-be-903",
            "version": importlib.metadata.version("csc-validator-be-903"),
        },
    )


def run_cin(args: argparse.Namespace) -> None:
    import xml.etree.ElementTree as ET

    from cin_validator.cin_validator import convert_data, enum_keys, process_data
    from cin_validator.rule_engine import RuleContext
    from cin_validator.rules.ruleset_utils import get_year_ruleset

    # The peer's reader takes an ElementTree root; the census is one the harness generated or was given.
    root = ET.parse(args.current).getroot()  # noqa: S314
    tables = enum_keys(process_data(convert_data(root)))
    registry = get_year_ruleset(str(args.year))

    findings: list[tuple[str, str, str]] = []
    rules: list[tuple[str, str, str]] = []
    for code, rule in registry.items():
        fresh = copy.deepcopy(tables)
        ctx = RuleContext(rule)
        try:
            rule.func(fresh, ctx)
        except Exception as exc:
            rules.append((str(code), "crashed", _crash(exc)))
            continue
        broken = _unreportable(ctx)
        if broken:
            # The peer's report step swallows this error and shows the rule as passed.
            rules.append((str(code), "crashed", broken))
            continue
        # The peer's report keeps the issue type with the most locations (CinValidator.process_issues).
        kinds = [
            ctx.type_zero_issues,
            ctx.type_one_issues,
            ctx.type_two_issues,
            ctx.type_three_issues,
        ]
        sizes = [len(k) for k in kinds]
        la_level = len(ctx.la_level_issues) > 0
        if max(sizes) == 0 and not la_level:
            rules.append((str(code), "passed", ""))
            continue
        if la_level and max(sizes) <= len(ctx.la_level_issues):
            findings.append((str(code), "", ""))
        else:
            issues = kinds[sizes.index(max(sizes))]
            for table, row in zip(issues["tables_affected"], issues["ROW_ID"], strict=True):
                findings.append((str(code), str(table), str(int(row) + 1)))
        rules.append((str(code), "flagged", ""))
    _write(
        Path(args.out),
        findings,
        rules,
        {
            "package": "csc-validator-be-cin",
            "version": importlib.metadata.version("csc-validator-be-cin"),
        },
    )


def _unreportable(ctx: object) -> str:
    """Why issues a CIN rule pushed cannot be turned into report rows, or "" when they can.

    The peer's RuleContext expands pushed issue frames inside a bare `except` that returns no
    issues, so a rule whose frames lack the ROW_ID column silently reports nothing."""
    from cin_validator.utils import create_issue_locs

    pushed = []
    if not isinstance(ctx.type1_issues, list):
        pushed.append(ctx.type1_issues)
    pushed += list(ctx.type2_issues) + list(ctx.type3_issues)
    for issues in pushed:
        if len(issues.row_df) == 0:
            continue
        try:
            create_issue_locs(issues)
        except Exception as exc:
            return "its issues cannot be reported (the peer drops them silently): " + _crash(exc)
    return ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("collection", choices=["903", "cin"])
    parser.add_argument("--current", required=True)
    parser.add_argument("--previous")
    parser.add_argument("--year", type=int, required=True)
    parser.add_argument("--la", default="E08000023")
    parser.add_argument("--out", required=True)
    args = parser.parse_args()
    (run_903 if args.collection == "903" else run_cin)(args)


if __name__ == "__main__":
    sys.exit(main())
