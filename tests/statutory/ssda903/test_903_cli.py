"""`alliance 903 …` through Typer's test runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from statutory.ssda903.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("gen")
    result = runner.invoke(
        app,
        [
            "generate",
            "--children",
            "150",
            "--out",
            str(out),
            "--seed",
            "4",
            "--year",
            "2025",
            "--la",
            "393",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_generate_writes_both_years(generated: Path) -> None:
    assert (generated / "current" / "episodes.csv").exists()
    assert (generated / "previous" / "header.csv").exists()


def test_validate_with_report(generated: Path, tmp_path: Path) -> None:
    report = tmp_path / "findings.csv"
    result = runner.invoke(
        app,
        [
            "validate",
            str(generated / "current"),
            "--year",
            "2025",
            "--previous",
            str(generated / "previous"),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "rules run" in result.output
    assert report.read_text().startswith("rule_code,severity,table,row_number,child_id")


def test_validate_bad_input_is_one_line(tmp_path: Path) -> None:
    (tmp_path / "x.csv").write_text("A,B\n1,2\n")
    result = runner.invoke(app, ["validate", str(tmp_path), "--year", "2025"])
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "x.csv" in result.output


def test_validate_missing_path() -> None:
    result = runner.invoke(app, ["validate", "/no/such/place", "--year", "2025"])
    assert result.exit_code == 1
    assert "no such file" in result.output


def test_rules_lists_coverage() -> None:
    result = runner.invoke(app, ["rules", "--year", "2025"])
    assert result.exit_code == 0
    lines = result.stdout.strip().splitlines()
    assert lines[-1].startswith("implemented ")
    listed = int(lines[-1].split("/ listed ")[1])
    assert len(lines) - 1 == listed
    assert all(line.split(" ")[1] in ("implemented", "missing") for line in lines[:-1])


def test_indicators(generated: Path, tmp_path: Path) -> None:
    out = tmp_path / "ind.csv"
    result = runner.invoke(
        app,
        [
            "indicators",
            str(generated / "current"),
            "--year",
            "2025",
            "--la",
            "393",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "Rate per 10,000" in result.output
    assert out.exists()


def test_pseudonymise(generated: Path, tmp_path: Path) -> None:
    key = tmp_path / "key"
    key.write_text("x" * 32)
    result = runner.invoke(
        app, ["pseudonymise", str(generated), "--out", str(tmp_path / "p"), "--key-file", str(key)]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "p" / "header.csv").exists()
    result = runner.invoke(app, ["pseudonymise", str(generated), "--out", str(tmp_path / "q")])
    assert result.exit_code == 1
    assert "key" in result.output


def _listed_in_csv(year: int) -> set[str]:
    """The rules the shared list gives for a year, read straight from the CSV by its README:
    `first_year` lac2022_23 means "2022/23 or earlier"; `removed_in` is the first collection
    year whose rule set no longer has the rule."""
    import csv

    from statutory.reference import shared_path

    def end(label: str) -> int:
        return int(label[3:7]) + 1

    with shared_path("ssda903-rules.csv").open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    oldest = min(end(row["first_year"]) for row in rows)
    return {
        row["code"]
        for row in rows
        if (end(row["first_year"]) <= year or end(row["first_year"]) == oldest)
        and (not row["removed_in"] or year < end(row["removed_in"]))
    }


REMOVED_FOR_2024_25 = {
    "217t", "230", "370", "445", "451", "555", "556", "SW01STG1", "SW03STG1",
    "SW11aSTG2", "SW14STG2", "SW15STG2", "SW16aSTG2", "SW16bSTG2", "SW16cSTG2",
}  # fmt: skip


@pytest.mark.parametrize("year", range(2018, 2028))  # every year the command supports
def test_rules_lists_exactly_the_years_rules(year: int) -> None:
    result = runner.invoke(app, ["rules", "--year", str(year)])
    assert result.exit_code == 0
    listed = {line.split(" ")[0] for line in result.stdout.strip().splitlines()[:-1]}
    assert listed == _listed_in_csv(year)


def test_rules_the_dfe_removed_for_2024_25_are_not_listed_from_that_year() -> None:
    def codes(year: int) -> set[str]:
        out = runner.invoke(app, ["rules", "--year", str(year)]).stdout
        return {line.split(" ")[0] for line in out.strip().splitlines()[:-1]}

    assert not codes(2025) & REMOVED_FOR_2024_25
    assert not codes(2026) & REMOVED_FOR_2024_25
    # drafted for 2024/25 and withdrawn before it: never listed; the other eleven ran in 2023/24
    assert codes(2024) & REMOVED_FOR_2024_25 == REMOVED_FOR_2024_25 - {
        "SW15STG2", "SW16aSTG2", "SW16bSTG2", "SW16cSTG2",
    }  # fmt: skip
