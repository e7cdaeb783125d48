"""The list of known differences from the DfE's open-source validators, the docs' tables of them,
and how the differential harness (bench/differential) judges a rule's comparison."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "bench" / "differential"))

import known  # noqa: E402

RULE_LISTS = {
    "ssda903": ROOT.parent / "shared" / "data" / "ssda903-rules.csv",
    "cin": ROOT.parent / "shared" / "data" / "cin-rules.csv",
}


def _codes(collection: str) -> set[str]:
    with open(RULE_LISTS[collection], newline="", encoding="utf-8") as f:
        return {row["code"] for row in csv.DictReader(f)}


@pytest.fixture(scope="module")
def entries() -> dict[tuple[str, str], known.KnownDifference]:
    return known.load()


def test_every_listed_rule_is_a_dfe_rule_of_its_return(entries):
    for collection, rule in entries:
        assert rule in _codes(collection), f"{collection} {rule} is not in the DfE's rule list"


@pytest.mark.parametrize("collection", ["ssda903", "cin"])
def test_the_docs_tables_and_the_csv_name_the_same_rules(entries, collection):
    documented = known.documented_differences(collection, _codes(collection))
    listed = {rule for c, rule in entries if c == collection}
    assert sorted(set(documented) - listed) == [], "in the docs' table, missing from the CSV"
    assert sorted(listed - set(documented)) == [], "in the CSV, missing from the docs' table"


@pytest.mark.parametrize("collection", ["ssda903", "cin"])
def test_pending_rows_are_marked_pending_in_the_docs(entries, collection):
    documented = known.documented_differences(collection, _codes(collection))
    for (c, rule), entry in entries.items():
        if c != collection:
            continue
        first_cell = documented[rule].strip().strip("|").split("|")[0]
        pending_in_doc = "pending" in first_cell
        assert pending_in_doc == (entry.status == "pending"), f"{collection} {rule}"


@pytest.mark.parametrize("collection", ["ssda903", "cin"])
def test_the_csv_quotes_the_dfe_text_the_settled_tables_rely_on(entries, collection):
    for rule, text in known.documented_dfe_text(collection, _codes(collection)).items():
        quoted = entries[collection, rule].dfe_text.rstrip(".")
        assert quoted in text, f"{collection} {rule}: the CSV's DfE text is not the docs'"


def test_both_kinds_of_docs_table_are_read_and_same_is_no_difference(tmp_path, monkeypatch):
    doc = tmp_path / "readings.md"
    doc.write_text(
        "| rule | here | csc-validator-be-903 |\n|---|---|---|\n"
        "| 146 (2024/25) | K3 valid | flags K3 |\n| 392d | postcodes | same |\n\n"
        "| rule | DfE text | decision | validator |\n|---|---|---|---|\n"
        '| 199 | "Episode information shows child has been previously adopted" | kept | twice |\n'
        '| 186 | "SDQ" | changed | same: both blank |\n'
        '| 189 | "17" | changed | same (strict) |\n'
        '| 8820 | "overlap" | kept | the same day counts as an overlap |\n',
        encoding="utf-8",
    )
    monkeypatch.setitem(known.DOCS, "ssda903", doc)
    codes = {"146", "186", "189", "199", "392d", "8820"}
    assert set(known.documented_differences("ssda903", codes)) == {"146", "199", "8820"}
    assert known.documented_agreements("ssda903", codes) == {"186", "189", "392d"}
    assert known.documented_dfe_text("ssda903", codes) == {
        "8820": '"overlap"',
        "199": '"Episode information shows child has been previously adopted"',
    }


def test_codes_in_reads_ranges_series_and_skips_years():
    codes = {"131", "132", "133", "146", "392d", "SW16aSTG2", "SW16bSTG2", "SW16cSTG2", "2024"}
    assert known.codes_in("146 (2024/25)", codes) == {"146"}
    assert known.codes_in("code lists (131-133, 392d)", codes) == {"131", "132", "133", "392d"}
    assert known.codes_in("SW16a-c", codes) == {"SW16aSTG2", "SW16bSTG2", "SW16cSTG2"}
    assert known.codes_in("all date rules", codes) == set()


def _write(tmp_path: Path, *rows: list[str]) -> Path:
    path = tmp_path / "known.csv"
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(known.COLUMNS)
        writer.writerows(rows)
    return path


def test_load_rejects_a_row_without_dfe_text_or_with_an_unknown_side(tmp_path):
    good = [
        "cin",
        "8869",
        "project",
        "peer-bug",
        "settled",
        "the peer finds nothing",
        "DfE: 21 alone",
    ]
    assert known.load(_write(tmp_path, good))[("cin", "8869")].flags_more == "project"
    with pytest.raises(ValueError, match="no DfE text"):
        known.load(_write(tmp_path, [*good[:6], ""]))
    with pytest.raises(ValueError, match="flags_more"):
        known.load(_write(tmp_path, [good[0], good[1], "us", *good[3:]]))
    with pytest.raises(ValueError, match="listed twice"):
        known.load(_write(tmp_path, good, good))


def _entry(flags_more: str) -> dict[tuple[str, str], known.KnownDifference]:
    return {
        ("cin", "8869"): known.KnownDifference(
            "cin", "8869", flags_more, "peer-bug", "settled", "c", "t"
        )
    }


def test_verdicts():
    same = known.RuleComparison("cin", "8869")
    same.add("r1", {("Assessments", "2")}, {("Assessments", "2")})
    assert same.verdict({}) == "agree"

    ours_more = known.RuleComparison("cin", "8869")
    ours_more.add("r1", {("Assessments", "2"), ("Assessments", "3")}, {("Assessments", "2")})
    assert (ours_more.project_only, ours_more.peer_only, ours_more.both) == (1, 0, 1)
    assert ours_more.verdict({}) == "unlisted difference"
    assert ours_more.verdict(_entry("project")) == "known difference"
    assert ours_more.verdict(_entry("both")) == "known difference"
    assert ours_more.verdict(_entry("peer")) == "listed, wrong side"
    assert ours_more.example_project_only == "r1: Assessments row 3"

    crashed = known.RuleComparison("cin", "8540")
    crashed.crashed("r1", "KeyError: 'ROW_ID'")
    assert crashed.verdict({}) == "peer crash"
    crashed.add("r2", set(), set())
    assert crashed.verdict({}) == "agree"


def test_alliance_assessment_rows_map_to_the_peers_one_row_per_assessment(tmp_path):
    import run  # bench/differential/run.py

    census = tmp_path / "census.xml"
    census.write_text(
        "<Message><Children><Child><CINdetails>"
        "<Assessments><FactorsIdentifiedAtAssessment><AssessmentFactors>1A</AssessmentFactors>"
        "<AssessmentFactors>2B</AssessmentFactors><AssessmentFactors>3C</AssessmentFactors>"
        "</FactorsIdentifiedAtAssessment></Assessments>"
        "<Assessments><AssessmentActualStartDate>2024-05-01</AssessmentActualStartDate></Assessments>"
        "<Assessments><FactorsIdentifiedAtAssessment/></Assessments>"
        "</CINdetails><CINdetails><Assessments><FactorsIdentifiedAtAssessment>"
        "<AssessmentFactors>21</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>"
        "</CINdetails></Child></Children></Message>",
        encoding="utf-8",
    )
    # Alliance: three factor rows, then one row each for the factorless, empty and one-factor ones.
    assert run.assessment_of_row(census) == [1, 1, 1, 2, 3, 4]
