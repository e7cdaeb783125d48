"""The rule engine: registration, the registry's join with the DfE list, run() and Findings."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from builders import make_return, run_rule

from statutory.engine import Context, Flag, Registry, run
from statutory.engine.errors import DuplicateRuleError
from statutory.engine.rule import NotRun, kind_of_module, make_rule
from statutory.reference import load_rule_specs


def _ethnic(ctx: Context) -> pl.DataFrame:
    header = ctx.table("Header")
    return header.filter(pl.col("ETHNIC").is_null() | ~pl.col("ETHNIC").is_in(ctx.codes("ETHNIC")))


@pytest.fixture
def registry() -> Registry:
    reg = Registry("903")
    reg.rule("103", table="Header", fields=("ETHNIC",))(_ethnic)
    return reg


def test_message_comes_verbatim_from_the_dfe_list(registry: Registry) -> None:
    found = run_rule(
        "103",
        rules=registry,
        Header=[{"CHILD": "A", "ETHNIC": "wbri"}, {"CHILD": "B", "ETHNIC": "XXXX"}],
    )
    assert found["row_number"].to_list() == [2]
    assert found["child_id"].to_list() == ["B"]
    assert found["fields"].to_list() == ["ETHNIC"]
    assert found["message"].to_list() == [load_rule_specs("903")["103"].message]
    assert list(found.columns) == [
        "rule_code",
        "severity",
        "table",
        "row_number",
        "child_id",
        "fields",
        "reads",
        "message",
    ]


def test_a_crashing_rule_is_reported_and_the_run_goes_on(registry: Registry) -> None:
    @registry.rule("102", table="Header", fields=("DOB",))
    def broken(ctx: Context) -> pl.DataFrame:
        raise ZeroDivisionError("boom")

    return_ = make_return(Header=[{"CHILD": "A", "ETHNIC": "XX"}])
    findings = run(registry, return_)
    assert findings.frame["rule_code"].to_list() == ["103"]
    assert [e.code for e in findings.errors] == ["102"]
    assert "ZeroDivisionError" in findings.errors[0].error


def test_flags_in_several_tables(registry: Registry) -> None:
    @registry.rule("1003", table="Episodes", fields=("DECOM",))
    def two_tables(ctx: Context) -> list[Flag]:
        return [
            Flag("Episodes", ctx.table("Episodes"), ("DECOM",)),
            Flag("PlacedAdoption", ctx.table("PlacedAdoption"), ("DATE_PLACED",)),
        ]

    found = run_rule(
        "1003",
        rules=registry,
        Episodes=[{"CHILD": "A", "DECOM": "01/05/2024"}],
        PlacedAdoption=[{"CHILD": "A", "DATE_PLACED": "01/04/2024"}],
    )
    assert found.select("table", "fields").rows() == [
        ("Episodes", "DECOM"),
        ("PlacedAdoption", "DATE_PLACED"),
    ]


def test_rules_apply_only_in_their_years() -> None:
    reg = Registry("903")
    reg.rule("445", table="Episodes", fields=("LS",))(lambda ctx: ctx.table("Episodes"))
    reg.rule("454", table="Episodes", fields=("PL_DISTANCE",))(lambda ctx: ctx.table("Episodes"))
    # 445 is marked removed_in lac2024_25: the DfE's 2024/25 rule set no longer has it
    assert [r.code for r in reg.applicable(2024)] == ["445"]
    assert [r.code for r in reg.applicable(2025)] == []
    assert [r.code for r in reg.applicable(2026)] == ["454"]  # 454 first listed in 2025/26
    assert [r.code for r in reg.applicable(2019)] == ["445"]  # 2022/23 means "or earlier"


def test_coverage_lists_every_rule_for_the_year(registry: Registry) -> None:
    coverage = registry.coverage(2025)
    assert sum(c.implemented for c in coverage) == 1
    assert len(coverage) == len(
        load_rule_specs("903").keys() & {s.code for s in registry.listed(2025)}
    )
    assert next(c for c in coverage if c.code == "103").implemented


def test_two_checks_under_one_code_are_refused(registry: Registry) -> None:
    with pytest.raises(DuplicateRuleError):
        registry.rule("103", table="Header")(lambda ctx: ctx.table("Header"))


def test_kind_comes_from_the_module() -> None:
    assert kind_of_module("statutory.ssda903.rules.r100s") == "903"
    assert kind_of_module("statutory.cin.rules.r8000s") == "cin"
    assert kind_of_module("tests.whatever") is None
    with pytest.raises(ValueError, match="kind="):
        make_rule("1", _ethnic, table="Header")


def test_rule_output_without_row_number_is_an_engine_error(registry: Registry) -> None:
    @registry.rule("104", table="Header")
    def no_rows(ctx: Context) -> pl.DataFrame:
        return ctx.table("Header").select("CHILD")

    findings = run(registry, make_return(Header=[{"CHILD": "A", "ETHNIC": "WBRI"}]))
    assert [e.code for e in findings.errors] == ["104"]


def test_unsupplied_tables_are_not_run_or_optional() -> None:
    ctx = Context(make_return(Header=[{"CHILD": "A"}]))
    # a check that reads a table the return did not hold is not run, with the table named
    with pytest.raises(NotRun, match=r"^not run: the OC3 table was not supplied$"):
        ctx.table("OC3")
    with pytest.raises(NotRun, match=r"^not run: last year's return was not supplied$"):
        ctx.previous("Episodes")
    # a table a check only consults reads as empty, with the year's columns
    assert ctx.optional("OC3").is_empty()
    assert "IN_TOUCH" in ctx.optional("OC3").columns
    assert ctx.optional_previous("Episodes").is_empty()
    # Header and Episodes are in every return the reader accepts
    assert ctx.table("Episodes").is_empty()
    assert ctx.supplied("Header")
    assert not ctx.supplied("OC3")
    assert not ctx.has_previous
    assert str(ctx.reference_date) == "2025-03-31"
    assert str(ctx.collection_start) == "2024-04-01"


def test_load_imports_every_module_and_survives_a_broken_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    package = tmp_path / "fake_rules_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "good.py").write_text(
        "from statutory.engine import rule\n"
        "@rule('X1', table='Header', kind='engine-test')\n"
        "def check(ctx):\n"
        "    return ctx.table('Header')\n"
    )
    (package / "broken.py").write_text("raise RuntimeError('half-written module')\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    reg = Registry.load("engine-test", package="fake_rules_pkg")
    assert [r.code for r in reg] == ["X1"]
    assert list(reg.import_errors) == ["fake_rules_pkg.broken"]
    findings = run(reg, make_return(Header=[{"CHILD": "A"}]))
    assert findings.frame["rule_code"].to_list() == ["X1"]
    assert [e.code for e in findings.errors] == ["import fake_rules_pkg.broken"]


def test_threads_give_the_same_findings(registry: Registry) -> None:
    for code in ("104", "105", "112"):
        registry.rule(code, table="Header", fields=("ETHNIC",))(_ethnic)
    return_ = make_return(
        Header=[{"CHILD": str(i), "ETHNIC": "X" if i % 3 else "WBRI"} for i in range(50)]
    )
    one = run(registry, return_).frame.sort("rule_code", "row_number")
    two = run(registry, return_, threads=2).frame.sort("rule_code", "row_number")
    assert one.equals(two)
    assert set(run(registry, return_, threads=2).timings) == {"103", "104", "105", "112"}
