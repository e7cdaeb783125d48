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
    result = runner.invoke(app, ["generate", "--children", "150", "--out", str(out), "--seed", "4"])
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
