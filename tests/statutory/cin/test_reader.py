"""The CIN reader: structure, keys, row numbers, CSV input and bad input."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from statutory.cin import parallel
from statutory.cin.reader import detect_year, read_cached, read_csv_tables, read_return, read_xml
from statutory.engine.errors import InputError

HEADER = (
    "<Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>"
    "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>"
    "<Source><SourceLevel>L</SourceLevel><LEA>201</LEA></Source></Header>"
)
CHILD = (
    "<Child><ChildIdentifiers><LAchildID>a1</LAchildID><PersonBirthDate>2015-01-01"
    "</PersonBirthDate><Sex>M</Sex></ChildIdentifiers>"
    "<ChildCharacteristics><Ethnicity>WBRI</Ethnicity><Disabilities><Disability>AUT</Disability>"
    "<Disability>HEAR</Disability></Disabilities></ChildCharacteristics>"
    "<CINdetails><CINreferralDate>2024-05-01</CINreferralDate><ReferralNFA>0</ReferralNFA>"
    "<Assessments><AssessmentActualStartDate>2024-05-02</AssessmentActualStartDate>"
    "<FactorsIdentifiedAtAssessment><AssessmentFactors>1A</AssessmentFactors>"
    "<AssessmentFactors>2B</AssessmentFactors></FactorsIdentifiedAtAssessment></Assessments>"
    "<Assessments><AssessmentActualStartDate>2024-06-02</AssessmentActualStartDate>"
    "<FactorsIdentifiedAtAssessment/></Assessments>"
    "<ChildProtectionPlans><CPPstartDate>2024-05-20</CPPstartDate><NumberOfPreviousCPP>0"
    "</NumberOfPreviousCPP><Reviews><CPPreviewDate>2024-08-01</CPPreviewDate></Reviews>"
    "<Reviews><CPPreviewDate>2024-11-01</CPPreviewDate></Reviews></ChildProtectionPlans>"
    "</CINdetails><CINdetails><CINreferralDate>2024-01-01</CINreferralDate>"
    "<!-- a comment --><ReferralNFA>1</ReferralNFA></CINdetails></Child>"
)


def write(tmp_path: Path, text: str, name: str = "cin.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def census(children: str = CHILD, header: str = HEADER) -> str:
    return f'<?xml version="1.0"?>\n<Message>{header}<Children>{children}</Children></Message>'


def test_flattens_blocks_with_keys_and_row_numbers(tmp_path: Path) -> None:
    r = read_xml(write(tmp_path, census(CHILD + CHILD.replace("a1", "b2"))), 2025)
    counts = r.row_counts()
    assert counts["ChildIdentifiers"] == 2
    assert counts["CINdetails"] == 4
    assert counts["Assessments"] == 6  # 2 factor rows + 1 factorless row, per child
    assert counts["Reviews"] == 4
    assessments = r.tables["Assessments"]
    assert assessments["AssessmentID"].to_list() == [1, 1, 2, 1, 1, 2]
    assert assessments["ROW_NUMBER"].to_list() == [1, 2, 3, 4, 5, 6]
    assert assessments["AssessmentFactors"].to_list() == ["1A", "2B", None, "1A", "2B", None]
    cin = r.tables["CINdetails"]
    assert cin["CINdetailsID"].to_list() == [1, 2, 1, 2]
    assert cin["LAchildID"].to_list() == ["a1", "a1", "b2", "b2"]
    assert r.tables["Reviews"]["CPPID"].to_list() == [1, 1, 1, 1]
    assert r.tables["Disabilities"]["Disability"].to_list() == ["AUT", "HEAR", "AUT", "HEAR"]


def test_malformed_and_truncated(tmp_path: Path) -> None:
    text = census()
    with pytest.raises(InputError, match=r"line \d+.*malformed or truncated"):
        read_xml(write(tmp_path, text[: len(text) // 2]), 2025)
    with pytest.raises(InputError, match="malformed"):
        read_xml(write(tmp_path, text.replace("</LAchildID>", "</LAchild>")), 2025)


def test_wrong_namespace_root_and_missing_blocks(tmp_path: Path) -> None:
    namespaced = census().replace("<Message>", '<Message xmlns="urn:other">')
    with pytest.raises(InputError, match="namespace 'urn:other'"):
        read_xml(write(tmp_path, namespaced), 2025)
    with pytest.raises(InputError, match="root element must be <Message>"):
        read_xml(write(tmp_path, census().replace("Message>", "Msg>")), 2025)
    with pytest.raises(InputError, match=r"no <Header>|<Header> must come before"):
        read_xml(write(tmp_path, census(header="")), 2025)
    with pytest.raises(InputError, match=r"line 2, element <Child>.*no <ChildIdentifiers>"):
        read_xml(write(tmp_path, census("<Child><CINdetails/></Child>")), 2025)


def test_another_years_census_and_sex_element(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="names the 2023 / 2024 collection, not 2025"):
        read_xml(
            write(
                tmp_path,
                census(
                    header=HEADER.replace("2025-03-31", "2024-03-31").replace(">2025<", ">2023<")
                ),
            ),
            2025,
        )
    # a 2023/24 element in a 2024/25 census is read into Sex (with a note), so 4180 judges it
    old = CHILD.replace("<Sex>M</Sex>", "<GenderCurrent>1</GenderCurrent>")
    r = read_xml(write(tmp_path, census(old)), 2025)
    assert r.tables["ChildIdentifiers"]["Sex"].to_list() == ["1"]
    assert any("GenderCurrent" in note for note in r.notes)
    old_header = HEADER.replace("2025", "2024")
    r = read_xml(write(tmp_path, census(old, old_header)), 2024)
    assert r.tables["ChildIdentifiers"]["GenderCurrent"].to_list() == ["1"]


def test_refuses_a_file_too_large_before_reading(tmp_path: Path) -> None:
    path = write(tmp_path, census())
    with pytest.raises(InputError, match="larger than a council's census"):
        read_return(path, 2025, max_bytes=100)
    assert read_return(path, 2025, max_bytes=None).row_counts()["ChildIdentifiers"] == 1


def test_detect_year_and_not_found(tmp_path: Path) -> None:
    assert detect_year(write(tmp_path, census())) == 2025
    with pytest.raises(InputError, match="no such file"):
        read_return(tmp_path / "missing.xml", 2025)


def test_csv_folder_and_zip(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "ChildIdentifiers.csv").write_text("LAchildID,PersonBirthDate,Sex\na1,01/02/2015,M\n")
    (folder / "episodes.csv").write_text(
        "LAchildID,CINdetailsID,CINreferralDate,ReferralSource,PrimaryNeedCode,CINclosureDate,ReasonForClosure,DateOfInitialCPC,ReferralNFA\na1,1,2024-05-01,1A,N1,,,,0\n"
    )
    r = read_csv_tables(folder, 2025)
    assert r.supplied == {"ChildIdentifiers", "CINdetails"}
    assert str(r.tables["ChildIdentifiers"]["PersonBirthDate"][0]) == "2015-02-01"
    archive = tmp_path / "tables.zip"
    with zipfile.ZipFile(archive, "w") as z:
        for p in folder.iterdir():
            z.write(p, p.name)
    assert read_return(archive, 2025).row_counts()["CINdetails"] == 1


def test_csv_with_the_other_years_sex_column(tmp_path: Path) -> None:
    folder = tmp_path / "t"
    folder.mkdir()
    (folder / "ChildIdentifiers.csv").write_text("LAchildID,GenderCurrent\na1,1\n")
    r = read_csv_tables(folder, 2025)
    assert r.tables["ChildIdentifiers"]["Sex"].to_list() == ["1"]
    assert any("GenderCurrent read as Sex" in n for n in r.notes)


def test_parallel_parse_gives_the_same_tables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statutory.cin.generator import generate

    path = generate(tmp_path / "g.xml", 300, seed=3, error_rate=0.1)
    monkeypatch.setattr(parallel, "PARALLEL_MIN_BYTES", 0)
    one = read_xml(path, 2025)
    two = read_xml(path, 2025, workers=2, fast=False)
    for name, frame in one.tables.items():
        assert frame.equals(two.tables[name]), name
    # notes name the file's first such element and line, whichever slice it is in
    lines = path.read_text(encoding="utf-8").split("\n")
    for at, (after, extra) in {
        20: ("</LAchildID>", "<Extra>1</Extra>"),
        250: ("</LAchildID>", "<Extra>2</Extra>"),
        270: ("</CINreferralDate>", "<Later>1</Later>"),
    }.items():
        lines[at] = lines[at].replace(after, after + extra, 1)
    path.write_text("\n".join(lines), encoding="utf-8")
    one = read_xml(path, 2025, fast=False)
    two = read_xml(path, 2025, workers=2, fast=False)
    assert (
        one.notes
        == two.notes
        == [
            "ignored element <Extra> in <ChildIdentifiers> (first at line 21)",
            "ignored element <Later> in <CINdetails> (first at line 271)",
        ]
    )
    # a file that cannot be parsed in slices falls back to one pass and its error
    bad = write(tmp_path, census(CHILD * 3)[:-40])
    with pytest.raises(InputError, match="malformed or truncated"):
        read_xml(bad, 2025, workers=2)


def test_parquet_cache_gives_the_same_tables(tmp_path: Path) -> None:
    path = write(tmp_path, census())
    first = read_cached(path, 2025, tmp_path / "cache")
    second = read_cached(path, 2025, tmp_path / "cache")
    for name, frame in first.tables.items():
        assert frame.equals(second.tables[name])
