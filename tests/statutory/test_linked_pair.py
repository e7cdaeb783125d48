"""`alliance generate linked-pair`: a CIN census and SSDA903 returns about the same children, and
the generators' defaults (a year the rules cover and the service accepts, North Tyneside)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from statutory.cin.cli import app as cin_app
from statutory.cin.reader import read_xml
from statutory.cin.schema import years as cin_years
from statutory.engine.commands import finished_collection_year
from statutory.linked_cli import app, linked_year
from statutory.ssda903.cli import app as ssda903_app
from statutory.ssda903.reader import read_return

runner = CliRunner()


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("pair")
    result = runner.invoke(
        app, ["--out", str(out), "--children", "600", "--year", "2026", "--seed", "3"]
    )
    assert result.exit_code == 0, result.output
    assert "SSDA903, collection year 2027 (April 2026 to March 2027)" in result.output
    return out


def test_children_in_need_who_enter_care_are_the_same_children_in_both_returns(pair: Path):
    census = read_xml(pair / "cin-2026.xml", 2026).tables
    idents = census["ChildIdentifiers"]
    referred = (
        census["CINdetails"].group_by("LAchildID").agg(pl.col("CINreferralDate").min()).rows()
    )
    first_referral = dict(referred)
    cin = {
        row["LAchildID"]: (row["PersonBirthDate"], row["Sex"])
        for row in idents.iter_rows(named=True)
    }
    both = pl.concat(
        [read_return(pair / "ssda903" / str(year), year).tables["Header"] for year in (2026, 2027)]
    ).unique("CHILD")
    episodes = pl.concat(
        [
            read_return(pair / "ssda903" / str(year), year).tables["Episodes"]
            for year in (2026, 2027)
        ]
    )
    shared = set(both["CHILD"].to_list()) & set(cin)
    assert len(shared) >= 30, "a real council's returns share many children"
    for row in both.filter(pl.col("CHILD").is_in(list(shared))).iter_rows(named=True):
        born, sex = cin[row["CHILD"]]
        assert row["DOB"] == born, row
        assert str(row["SEX"]) in {"M": ("M", "1"), "F": ("F", "2")}[sex], row
        # they enter care after they were first referred as children in need
        started = episodes.filter(pl.col("CHILD") == row["CHILD"])["DECOM"].min()
        assert started > first_referral[row["CHILD"]], row
    # and the other children looked after are there too
    assert both.height > len(shared) * 2


def test_the_returns_are_north_tynesides_by_default(pair: Path):
    text = (pair / "cin-2026.xml").read_text(encoding="utf-8")
    assert "<LEA>392</LEA>" in text
    episodes = pl.read_csv(pair / "ssda903" / "2027" / "episodes.csv", infer_schema=False)
    home = episodes["HOME_POST"].drop_nulls()
    # North Tyneside's postcodes are NE25-NE30 and NE12/NE13/NE23/NE27 districts
    assert home.str.starts_with("NE").mean() > 0.95


def test_the_default_year_is_one_the_service_checks():
    # 4 December 2026: April 2025 to March 2026 is the latest finished year
    assert finished_collection_year(range(2018, 2028), dt.date(2026, 12, 4)) == 2026
    assert finished_collection_year(range(2018, 2028), dt.date(2027, 3, 31)) == 2026
    assert finished_collection_year(range(2018, 2028), dt.date(2027, 4, 1)) == 2027
    # never a year the rules do not cover
    assert finished_collection_year([2024, 2025], dt.date(2030, 1, 1)) == 2025
    assert linked_year(dt.date(2026, 12, 4)) == 2026


def test_the_single_return_generators_default_to_north_tyneside_and_a_checked_year(
    tmp_path: Path,
):
    year = finished_collection_year(cin_years())
    census = tmp_path / "census.xml"
    result = runner.invoke(cin_app, ["generate", "--children", "20", "--out", str(census)])
    assert result.exit_code == 0, result.output
    text = census.read_text(encoding="utf-8")
    assert "<LEA>392</LEA>" in text
    assert f"<Year>{year}</Year>" in text
    result = runner.invoke(
        ssda903_app, ["generate", "--children", "40", "--out", str(tmp_path / "903")]
    )
    assert result.exit_code == 0, result.output
    header = pl.read_csv(tmp_path / "903" / "current" / "header.csv", infer_schema=False)
    upns = header.filter(pl.col("UPN") != "UN1")["UPN"]
    assert upns.str.slice(1, 3).eq("392").all()


def test_linking_adds_no_kind_of_mistake_the_other_children_lack(pair: Path, tmp_path: Path):
    """With no planted mistakes, the children linked from the census break no DfE rule that the
    generator's own children do not (the generator's known near-misses, like social worker
    episodes, apply to both); rule 234 (custody under 10) fired for linked children before."""
    report = tmp_path / "findings.csv"
    folder = pair / "ssda903"
    result = runner.invoke(
        ssda903_app,
        [
            "validate",
            str(folder / "2027"),
            "--year",
            "2027",
            "--previous",
            str(folder / "2026"),
            "--la",
            "392",
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    findings = pl.read_csv(report, infer_schema=False)
    linked = findings.filter(pl.col("child_id").str.starts_with("C0"))
    others = findings.filter(~pl.col("child_id").str.starts_with("C0"))
    assert set(linked["rule_code"].to_list()) <= set(others["rule_code"].to_list())
    assert "234" not in set(findings["rule_code"].to_list())
