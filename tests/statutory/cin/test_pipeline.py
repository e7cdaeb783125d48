"""Generator, pseudonymiser and CLI end to end on small files."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from statutory.cin.cli import app
from statutory.cin.generator import generate, upn_for
from statutory.cin.indicators import compute
from statutory.cin.pseudonymise import child_pseudonym, month_of, pseudonymise_xml, upn_pseudonym
from statutory.cin.reader import read_xml
from statutory.engine import Registry, run

KEY = b"a-council-key-of-some-length"


def test_generator_is_seeded_and_clean(tmp_path: Path) -> None:
    a = generate(tmp_path / "a.xml", 300, seed=7, error_rate=0.0)
    b = generate(tmp_path / "b.xml", 300, seed=7, error_rate=0.0)
    assert a.read_bytes() == b.read_bytes()
    findings = run(Registry.load("cin"), read_xml(a, 2025))
    errors = findings.frame.filter(pl.col("severity") == "error")
    assert errors.height == 0, errors["rule_code"].unique().to_list()


def test_generator_plants_errors(tmp_path: Path) -> None:
    path = generate(tmp_path / "a.xml", 500, seed=3, error_rate=0.2)
    findings = run(Registry.load("cin"), read_xml(path, 2025))
    assert findings.frame.filter(pl.col("severity") == "error").height > 20


def test_pseudonymised_census_validates_and_counts_the_same(tmp_path: Path) -> None:
    source = generate(tmp_path / "a.xml", 400, seed=5, error_rate=0.1)
    target = pseudonymise_xml(source, tmp_path / "p.xml", KEY)
    before, after = read_xml(source, 2025), read_xml(target, 2025)
    registry = Registry.load("cin")
    counts = [run(registry, r).counts.select("rule_code", "findings") for r in (before, after)]
    assert_frame_equal(counts[0], counts[1])
    assert_frame_equal(compute(before), compute(after))
    assert set(before.tables["ChildIdentifiers"]["LAchildID"]).isdisjoint(
        after.tables["ChildIdentifiers"]["LAchildID"]
    )


def test_pseudonyms_keep_what_rules_see() -> None:
    upn = upn_for("201", 42)
    assert upn_pseudonym(KEY, upn) != upn
    assert (upn_pseudonym(KEY, upn) or "")[1:4] == "201"
    assert upn_pseudonym(KEY, upn) == upn_pseudonym(KEY, upn)
    assert upn_pseudonym(b"another-council-key", upn) != upn_pseudonym(KEY, upn)
    assert len(child_pseudonym(KEY, "X" * 25) or "") == 25
    assert "-" in (child_pseudonym(KEY, "AB-12") or "")
    assert month_of("2016-05-23") == "2016-05-01"


def test_cli_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    xml = tmp_path / "c.xml"
    assert (
        runner.invoke(
            app, ["generate", "--children", "50", "--out", str(xml), "--year", "2025"]
        ).exit_code
        == 0
    )
    result = runner.invoke(
        app, ["validate", str(xml), "--year", "2025", "--report", str(tmp_path / "r.csv")]
    )
    assert result.exit_code == 0, result.output
    assert (tmp_path / "r.csv").exists()
    rules = runner.invoke(app, ["rules", "--year", "2025"])
    assert rules.output.strip().splitlines()[-1] == "implemented 109 / listed 109"
    assert runner.invoke(app, ["indicators", str(xml)]).exit_code == 0
    env = {"ALLIANCE_PSEUDONYMISE_KEY": "0123456789abcdefXYZ"}
    assert (
        runner.invoke(
            app, ["pseudonymise", str(xml), "--out", str(tmp_path / "p.xml")], env=env
        ).exit_code
        == 0
    )
    truncated = tmp_path / "t.xml"
    truncated.write_bytes(xml.read_bytes()[:500])
    bad = runner.invoke(
        app, ["validate", str(truncated), "--year", "2025", "--report", str(tmp_path / "x.csv")]
    )
    assert bad.exit_code == 1
    assert "malformed or truncated" in bad.output
    assert not (tmp_path / "x.csv").exists()
