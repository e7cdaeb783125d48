"""One pseudonym for a child in both returns, and CIN findings unchanged by pseudonymising."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal

from statutory.cin.generator import generate
from statutory.cin.pseudonymise import pseudonymise_tables as cin_tables
from statutory.cin.pseudonymise import pseudonymise_xml
from statutory.cin.reader import read_xml
from statutory.engine import Registry, run
from statutory.engine.pseudonym import child_pseudonym, child_pseudonyms
from statutory.ssda903.generator import generate_to
from statutory.ssda903.pseudonymise import pseudonymise_path as pseudonymise_903
from statutory.ssda903.pseudonymise import pseudonymise_tables as ssda903_tables

KEY = b"one council's key for both returns"
_ID = re.compile(r"<LAchildID>([^<]*)</LAchildID>")


def _with_ids(source: Path, target: Path, ids: list[str]) -> Path:
    """The census with its children's ids replaced, in order, by `ids` (the rest kept)."""
    supplied = iter(ids)
    text = _ID.sub(
        lambda m: f"<LAchildID>{next(supplied, m.group(1))}</LAchildID>", source.read_text()
    )
    target.write_text(text)
    return target


def _counts(path: Path) -> pl.DataFrame:
    findings = run(Registry.load("cin"), read_xml(path, 2025))
    return findings.counts.select("rule_code", "findings").sort("rule_code")


def test_the_same_children_get_the_same_pseudonyms_in_both_returns(tmp_path: Path) -> None:
    current, _previous = generate_to(tmp_path / "903", 120, 2025, seed=4, error_rate=0)
    looked_after = pl.read_csv(current / "header.csv", infer_schema=False)["CHILD"].to_list()
    census = _with_ids(generate(tmp_path / "c.xml", 150, seed=6), tmp_path / "s.xml", looked_after)
    pseudonymise_903(tmp_path / "903", tmp_path / "903p", KEY)
    pseudonymise_xml(census, tmp_path / "p.xml", KEY)

    in_903 = pl.read_csv(tmp_path / "903p" / "header.csv", infer_schema=False)["CHILD"].to_list()
    in_cin = read_xml(tmp_path / "p.xml", 2025).tables["ChildIdentifiers"]["LAchildID"].to_list()
    # the header keeps its rows in order, the census its children: child i is the same child
    assert in_cin[: len(in_903)] == in_903
    assert set(in_903).isdisjoint(looked_after)
    # the 30 children only in the census have pseudonyms that match nobody in SSDA903
    assert set(in_cin[len(in_903) :]).isdisjoint(in_903)
    # another council's key gives other pseudonyms
    other = b"another council's key, as long"
    assert child_pseudonym(other, looked_after[0]) != in_903[0]


def test_odd_ids_agree_across_returns_and_keep_their_shape() -> None:
    ids = [" ab-12 ", "X" * 25, "c1000001", "élan1", "9"]
    ssda903 = ssda903_tables({"Header": pl.DataFrame({"CHILD": ids})}, KEY)["Header"]["CHILD"]
    cin = cin_tables({"ChildIdentifiers": pl.DataFrame({"LAchildID": ids})}, KEY)
    in_cin = cin["ChildIdentifiers"]["LAchildID"]
    assert ssda903.to_list() == in_cin.to_list() == [child_pseudonym(KEY, i) for i in ids]
    assert ssda903[0] == child_pseudonym(KEY, "AB-12")  # both returns read ids in capitals
    assert len(ssda903[1]) == 25
    assert "-" in ssda903[0]
    assert "-" in ssda903[3]
    assert all(re.fullmatch(r"[0-9A-F]{16}", p) for p in (ssda903[2], ssda903[4]))
    assert child_pseudonym(KEY, None) is None
    assert child_pseudonym(KEY, "  ") == "  "


def test_ids_differing_only_in_case_stay_apart_in_a_census() -> None:
    mapping = child_pseudonyms(KEY, ["cd34", "CD34", "Cd34", "EF56"], case_sensitive=True)
    assert len(set(mapping.values())) == 4
    assert mapping["CD34"] == child_pseudonym(KEY, "cd34")  # the capital spelling is shared
    assert mapping["EF56"] == child_pseudonym(KEY, "ef56")
    # without a clash, a lower-case id gets the shared pseudonym
    assert child_pseudonyms(KEY, ["gh78"], case_sensitive=True)["gh78"] == child_pseudonym(
        KEY, "GH78"
    )


def test_findings_are_the_same_after_pseudonymising(tmp_path: Path) -> None:
    source = generate(tmp_path / "a.xml", 300, seed=9, error_rate=0.1)
    originals = _ID.findall(source.read_text())
    planted = [
        "X" * 25,  # 1570: longer than 20
        "AB-12",  # 1580: not alphanumeric
        "cd34",  # 8510 would appear if case were folded
        "CD34",
        originals[5],  # 8510: a duplicate id
    ]
    census = _with_ids(source, tmp_path / "planted.xml", planted)
    target = pseudonymise_xml(census, tmp_path / "p.xml", KEY)
    before, after = _counts(census), _counts(target)
    assert {"1570", "1580", "8510"} <= set(before["rule_code"])
    assert_frame_equal(before, after)
    kept = read_xml(target, 2025).tables["ChildIdentifiers"]["LAchildID"]
    assert not set(kept).intersection(planted)


def test_tables_and_xml_give_the_same_pseudonyms(tmp_path: Path) -> None:
    source = generate(tmp_path / "a.xml", 60, seed=2)
    from_xml = read_xml(pseudonymise_xml(source, tmp_path / "p.xml", KEY), 2025)
    tables = read_xml(source, 2025).tables
    from_tables = cin_tables(
        {"ChildIdentifiers": tables["ChildIdentifiers"].select("LAchildID")}, KEY
    )
    assert (
        from_tables["ChildIdentifiers"]["LAchildID"].to_list()
        == from_xml.tables["ChildIdentifiers"]["LAchildID"].to_list()
    )
