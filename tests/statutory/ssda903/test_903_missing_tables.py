"""A table the council did not supply: the rules that need it are reported once as not run, with
the table named, in the terminal summary, the JSON and the Excel report; they never report the
whole return as wrong (a return without its social worker episodes used to get SW12STG2 for
every child looked after).

Which rules need which table is read from the DfE list (`ssda903-rules.csv`, column `tables`),
independently of the code, with the few places the list is incomplete or mistyped named below.
"""

from __future__ import annotations

import csv
import json
import shutil
from functools import cache
from pathlib import Path

import openpyxl
import pytest
from rich.console import Console
from typer.testing import CliRunner

from statutory.engine import Registry, run
from statutory.engine.reports import print_summary
from statutory.reference import shared_path
from statutory.ssda903.cli import app
from statutory.ssda903.generator import generate_to
from statutory.ssda903.reader import read_return

YEAR = 2025

# table -> (file the generator writes, how the report names it)
TABLES = {
    "Reviews": ("reviews", "the reviews table (Reviews)"),
    "UASC": ("uasc", "the UASC table"),
    "OC2": ("oc2", "the OC2 table"),
    "OC3": ("oc3", "the OC3 table"),
    "AD1": ("ad1", "the AD1 table"),
    "PlacedAdoption": ("placedadoption", "the placed for adoption table (PlacedAdoption)"),
    "PrevPerm": ("prevperm", "the previous permanence table (PrevPerm)"),
    "Missing": ("missing", "the missing table (Missing)"),
    "SWEpisodes": ("swepisodes", "the social worker episodes table (SWEpisodes)"),
}
LAST_YEAR = {
    "Header": ("header", "last year's header table (Header)"),
    "Episodes": ("episodes", "last year's episodes table (Episodes)"),
    "UASC": ("uasc", "last year's UASC table"),
}

# Where the DfE list's `tables` column does not say what a rule reads.
LIST_ADDS = {
    ("OC2", False): {"542"},  # the list writes the table as "OC2s"
    # compares the first episode with the one open at the end of last year; listed as Episodes
    ("Episodes", True): {"503D"},
}
LIST_DROPS = {
    # in a CSV return a child's UASC status is their UASC row, not a header item, so these
    # need last year's UASC table (tested below), not last year's header
    ("Header", True): {"205A", "205B", "205C", "205D"},
}


@cache
def _needing(table: str, last_year: bool) -> frozenset[str]:
    """The year's implemented rules whose DfE-list `tables` name the table."""
    wanted = f"{table}_last" if last_year else table
    with shared_path("ssda903-rules.csv").open(encoding="utf-8-sig", newline="") as handle:
        listed = {
            row["code"]
            for row in csv.DictReader(handle)
            if wanted.lower() in [t.strip().lower() for t in row["tables"].split(";")]
        }
    applicable = {item.code for item in Registry.load("903").applicable(YEAR)}
    expected = (listed | LIST_ADDS.get((table, last_year), set())) - LIST_DROPS.get(
        (table, last_year), set()
    )
    return frozenset(expected & applicable)


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("missing-tables")
    generate_to(out, 80, YEAR, seed=5, error_rate=0.0)
    return out


def _without(generated: Path, tmp_path: Path, file: str, *, last_year: bool) -> Path:
    folder = tmp_path / "return"
    shutil.copytree(generated, folder)
    (folder / ("previous" if last_year else "current") / f"{file}.csv").unlink()
    return folder


CASES = [(t, False, *v) for t, v in TABLES.items()] + [(t, True, *v) for t, v in LAST_YEAR.items()]


@pytest.mark.parametrize(
    ("table", "last_year", "file", "named"),
    CASES,
    ids=[f"{'last-' if c[1] else ''}{c[0]}" for c in CASES],
)
def test_rules_needing_a_table_left_out_are_not_run_and_say_so(
    generated: Path, tmp_path: Path, table: str, last_year: bool, file: str, named: str
) -> None:
    folder = _without(generated, tmp_path, file, last_year=last_year)
    findings = run(Registry.load("903"), read_return(folder, YEAR), year=YEAR)
    reason = f"not run: {named} was not supplied"
    expected = _needing(table, last_year)
    assert expected, "every table is needed by some rule"
    without_providers = {c for c, why in findings.not_run.items() if "Ofsted" not in why}
    assert without_providers == expected
    assert {findings.not_run[c] for c in expected} == {reason}
    assert not set(findings.frame["rule_code"].unique()) & expected  # no findings from them
    assert not set(findings.rules_run) & expected

    # terminal: once, with the table named and the rules listed
    console = Console(record=True, width=200)
    print_summary(findings, console)
    text = console.export_text()
    line = next(ln for ln in text.splitlines() if named in ln)
    assert line.startswith(f"{len(expected)} rules {reason}:")
    assert text.count(named) == 1
    assert set(line.split(f"{reason}:", 1)[1].replace(" ", "").split(",")) == expected

    # JSON
    findings.write(str(tmp_path / "r.json"))
    data = json.loads((tmp_path / "r.json").read_text())
    listed = {item["rule_code"]: item["reason"] for item in data["not_run"]}
    assert {c for c, why in listed.items() if why == reason} == expected

    # Excel: the Summary sheet lists each rule with the reason
    findings.write(str(tmp_path / "r.xlsx"))
    book = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True)
    rows = [tuple(row) for row in book["Summary"].iter_rows(values_only=True)]
    book.close()  # a read-only workbook holds its file open until closed
    assert {row[0] for row in rows if len(row) > 1 and row[1] == reason} == expected


def test_the_command_says_once_that_the_social_worker_episodes_were_not_supplied(
    generated: Path, tmp_path: Path
) -> None:
    folder = _without(generated, tmp_path, "swepisodes", last_year=False)
    result = CliRunner().invoke(app, ["validate", str(folder), "--year", str(YEAR)])
    assert result.exit_code == 0, result.output
    assert "the social worker episodes table (SWEpisodes) was not supplied:" in result.output
    assert "SW12STG2" in result.output.split("was not supplied:")[1]
    # SW12STG2 is not among the findings
    table_part = result.output.split("was not supplied")[0]
    assert "SW12STG2" not in table_part


@pytest.mark.parametrize("file", ["header", "episodes"])
def test_without_header_or_episodes_the_return_is_refused(
    generated: Path, tmp_path: Path, file: str
) -> None:
    """Every rule needs the Header or the Episodes; the reader refuses a return without them,
    naming the table, rather than reporting every rule as not run."""
    folder = _without(generated, tmp_path, file, last_year=False)
    result = CliRunner().invoke(app, ["validate", str(folder), "--year", str(YEAR)])
    assert result.exit_code == 1
    assert ("Header" if file == "header" else "Episodes") in result.output


def test_without_last_years_return_the_rules_comparing_with_it_are_not_run(
    generated: Path,
) -> None:
    findings = run(Registry.load("903"), read_return(generated / "current", YEAR), year=YEAR)
    reason = "not run: last year's return was not supplied"
    not_run = {c for c, why in findings.not_run.items() if why == reason}
    assert _needing("Episodes", True) | _needing("Header", True) <= not_run
    assert not set(findings.frame["rule_code"].unique()) & not_run
