"""Every reader's limits (issue #12 item 8): small hostile files, limits set low, and each limit
refuses with one line that names the file and the limit. The same files at full size are in
`bench/hostile_input.py`, which also measures time and memory."""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import pytest
from typer.testing import CliRunner

from statutory.cin.reader import read_return as read_cin
from statutory.engine.errors import MESSAGE_LIMIT, InputError, one_line
from statutory.engine.limits import Limits, default_limits, scan_csv
from statutory.ssda903.providers import read_providers
from statutory.ssda903.reader import read_return as read_903

EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)
EPISODE = "1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n"
CIN_IDS = "LAchildID,PersonBirthDate,Sex\n"
CIN_HEADER = (
    "<Header><CollectionDetails><Collection>CIN</Collection><Year>2025</Year>"
    "<ReferenceDate>2025-03-31</ReferenceDate></CollectionDetails>"
    "<Source><SourceLevel>L</SourceLevel><LEA>201</LEA></Source></Header>"
)
CIN_CHILD = (
    "<Child><ChildIdentifiers><LAchildID>{id}</LAchildID><PersonBirthDate>2015-01-01"
    "</PersonBirthDate><Sex>M</Sex></ChildIdentifiers>"
    "<CINdetails><CINreferralDate>2024-05-01</CINreferralDate><ReferralNFA>0</ReferralNFA>"
    "</CINdetails></Child>"
)
XML_903_CHILD = (
    "<CHILD><CHILDID>{id}</CHILDID><SEX>F</SEX><DOB>2010-02-01</DOB><ETHNIC>WBRI</ETHNIC>"
    "<UPN>UN2</UPN><MOTHER>0</MOTHER><UASC>0</UASC>"
    "<EPISODE><DECOM>2024-05-01</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>"
    "<PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE>{extra}</CHILD>"
)
LOW = Limits(max_bytes=64 * 1024, max_columns=20, max_rows=5, max_cell_bytes=40, max_ratio=50)


def _refusal(excinfo: pytest.ExceptionInfo[InputError], file: Path | str, *words: str) -> str:
    """The message: one line, naming the file and each of `words` (the limit)."""
    text = str(excinfo.value)
    assert "\n" not in text
    assert len(text) <= MESSAGE_LIMIT
    assert Path(str(file)).name in text, text
    for word in words:
        assert word in text, text
    return text


def _return_folder(tmp_path: Path, episodes: str) -> Path:
    folder = tmp_path / "return"
    folder.mkdir(exist_ok=True)
    (folder / "episodes.csv").write_text(episodes)
    (folder / "header.csv").write_text(
        "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n1,1,01/02/2010,WBRI,,,\n"
    )
    return folder


# -- the CSV scan -------------------------------------------------------------------------------


def test_a_header_with_too_many_columns_is_refused_before_its_rows(tmp_path: Path) -> None:
    episodes = EPISODES.rstrip("\n") + "".join(f",X{i}" for i in range(30)) + "\n" + EPISODE
    folder = _return_folder(tmp_path, episodes)
    with pytest.raises(InputError) as caught:
        read_903(folder, 2025, limits=LOW)
    _refusal(caught, "episodes.csv", "header row", "43 columns", "20 columns", "MAX_COLUMNS")


def test_a_header_longer_than_any_header_could_be(tmp_path: Path) -> None:
    # no line end within the longest a record may be (20 columns of 40 bytes)
    folder = _return_folder(tmp_path, "CHILD" + ",X" * 0 + "Y" * 2_000)
    with pytest.raises(InputError) as caught:
        read_903(folder, 2025, limits=LOW)
    _refusal(caught, "episodes.csv", "header row is longer than", "MAX_COLUMNS")


def test_too_many_rows(tmp_path: Path) -> None:
    folder = _return_folder(tmp_path, EPISODES + EPISODE * 6)
    with pytest.raises(InputError) as caught:
        read_903(folder, 2025, limits=LOW)
    _refusal(caught, "episodes.csv", "6 rows", "limit is 5 rows", "ALLIANCE_MAX_ROWS")
    assert read_903(_return_folder(tmp_path, EPISODES + EPISODE * 5), 2025, limits=LOW)


def test_a_value_over_the_cell_limit_names_its_row(tmp_path: Path) -> None:
    long_postcode = "A" * 41
    rows = EPISODE * 2 + f"1,01/05/2024,S,C2,N1,U1,PR1,,,,{long_postcode},,\n"
    folder = _return_folder(tmp_path, EPISODES + rows)
    with pytest.raises(InputError) as caught:
        read_903(folder, 2025, limits=LOW)
    text = _refusal(caught, "episodes.csv", "41 bytes", "40 bytes", "ALLIANCE_MAX_CELL_BYTES")
    assert "row 3" in text


def test_a_row_longer_than_a_record_may_be(tmp_path: Path) -> None:
    rows = EPISODE + "1" + ",ABCDEFGHIJ" * 100 + "\n"  # 1,001 bytes, each value short
    with pytest.raises(InputError) as caught:
        scan_csv("junk.csv", (EPISODES + rows).encode(), LOW)
    _refusal(caught, "junk.csv", "row 2", "longer than 800 bytes")


def test_binary_data_is_not_quoted_back(tmp_path: Path) -> None:
    folder = tmp_path / "return"
    folder.mkdir()
    (folder / "episodes.csv").write_bytes(bytes(range(256)) * 4 + b"\n" + os.urandom(500))
    with pytest.raises(InputError) as caught:
        read_903(folder, 2025)
    _refusal(caught, "episodes.csv", "not a CSV table")


def test_a_file_that_is_no_table_is_refused_at_its_header(tmp_path: Path) -> None:
    # the rows would break the row limit: the header is judged first
    folder = _return_folder(tmp_path, "NAME,ADDRESS\n" + "a,b\n" * 50)
    with pytest.raises(InputError) as caught:
        read_903(folder, 2025, limits=LOW)
    _refusal(caught, "episodes.csv", "do not match any SSDA903 table")


def test_the_scan_counts_rows_and_keeps_the_header() -> None:
    shape = scan_csv("t.csv", (EPISODES + EPISODE * 3).encode(), LOW)
    assert shape.rows == 3
    assert shape.header == EPISODES.rstrip("\n").encode()
    assert scan_csv("t.csv", (EPISODES + EPISODE * 3).rstrip().encode(), LOW).rows == 3
    assert scan_csv("t.csv", EPISODES.encode(), LOW).rows == 0


# -- size and zips ------------------------------------------------------------------------------


def _zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return path


def test_a_zip_that_says_it_unpacks_over_the_limit(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"episodes.csv": EPISODES.encode() + b"0" * 100_000})
    for read in (read_903, read_cin):
        with pytest.raises(InputError) as caught:
            read(bomb, 2025, limits=LOW)
        _refusal(caught, "bomb.zip", "over the limit of 64 KB", "ALLIANCE_MAX_RETURN_MB")


def test_a_zip_member_that_expands_like_a_bomb(tmp_path: Path) -> None:
    bomb = _zip(tmp_path / "bomb.zip", {"episodes.csv": EPISODES.encode() + b"0" * 60_000})
    for read in (read_903, read_cin):
        with pytest.raises(InputError) as caught:
            read(bomb, 2025, limits=LOW)
        _refusal(caught, "bomb.zip!episodes.csv", "expands", "limit of 50", "zip bomb")


def _lie_about_size(path: Path, size: int) -> None:
    """Rewrite a one-member zip's sizes (local header and central directory) to `size`."""
    data = bytearray(path.read_bytes())
    local = data.index(b"PK\x03\x04")
    central = data.index(b"PK\x01\x02")
    data[local + 22 : local + 26] = size.to_bytes(4, "little")
    data[central + 24 : central + 28] = size.to_bytes(4, "little")
    path.write_bytes(bytes(data))


def test_a_zip_that_lies_about_its_sizes_is_refused_in_one_line(tmp_path: Path) -> None:
    bomb = _zip(
        tmp_path / "liar.zip", {"episodes.csv": EPISODES.encode() + EPISODE.encode() * 3000}
    )
    _lie_about_size(bomb, 200)
    for read in (read_903, read_cin):
        with pytest.raises(InputError) as caught:
            read(bomb, 2025, limits=LOW)
        _refusal(caught, "liar.zip!episodes.csv", "the zip is damaged")


def test_files_together_over_the_limit(tmp_path: Path) -> None:
    folder = _return_folder(tmp_path, EPISODES + EPISODE * 3)
    (folder / "more.csv").write_text("x" * 70_000)
    with pytest.raises(InputError) as caught:
        read_903(folder, 2025, limits=LOW)
    _refusal(caught, "return", "over the limit of 64 KB")


def test_a_provider_list_is_held_to_the_limits(tmp_path: Path) -> None:
    csv = tmp_path / "providers.csv"
    csv.write_text("URN,Provision type\n" + "1,X\n" * 10)
    with pytest.raises(InputError) as caught:
        read_providers(csv, limits=LOW)
    _refusal(caught, "providers.csv", "10 rows", "ALLIANCE_MAX_ROWS")
    book = _zip(
        tmp_path / "providers.xlsx",
        {"[Content_Types].xml": b"<x/>", "xl/sharedStrings.xml": b"<a>" + b"0" * 60_000},
    )
    with pytest.raises(InputError) as caught:
        read_providers(book, limits=LOW)
    _refusal(caught, "providers.xlsx", "zip bomb")


# -- XML -----------------------------------------------------------------------------------------


def test_903_xml_child_record_with_too_many_elements(tmp_path: Path) -> None:
    path = tmp_path / "return.xml"
    flood = "<HEADER>" + "<AREVIEW><REVIEW>2024-05-20</REVIEW></AREVIEW>" * 600 + "</HEADER>"
    path.write_text("<Children>" + XML_903_CHILD.format(id=1, extra=flood) + "</Children>")
    with pytest.raises(InputError) as caught:
        read_903(path, 2025, limits=Limits(max_columns=20))
    _refusal(caught, "return.xml", "more than 1,000 elements", "ALLIANCE_MAX_COLUMNS")


def test_903_xml_rows_and_values(tmp_path: Path) -> None:
    path = tmp_path / "return.xml"
    children = "".join(XML_903_CHILD.format(id=i, extra="") for i in range(6))
    path.write_text(f"<Children>{children}</Children>")
    with pytest.raises(InputError) as caught:
        read_903(path, 2025, limits=LOW)
    _refusal(caught, "return.xml", "6 rows", "ALLIANCE_MAX_ROWS")
    path.write_text("<Children>" + XML_903_CHILD.format(id="9" * 41, extra="") + "</Children>")
    with pytest.raises(InputError) as caught:
        read_903(path, 2025, limits=LOW)
    _refusal(caught, "return.xml", "column CHILD", "41 bytes", "ALLIANCE_MAX_CELL_BYTES")


def _census(children: str) -> str:
    return f'<?xml version="1.0"?>\n<Message>{CIN_HEADER}<Children>{children}</Children></Message>'


@pytest.mark.parametrize("plain", [True, False], ids=["plain reader", "lxml reader"])
def test_cin_xml_rows_and_values(tmp_path: Path, plain: bool) -> None:
    # a comment makes the census not plain, so the lxml reader reads it
    extra = "" if plain else "<!-- not plain -->"
    path = tmp_path / "cin.xml"
    path.write_text(_census(extra + "".join(CIN_CHILD.format(id=i) for i in range(6))))
    with pytest.raises(InputError) as caught:
        read_cin(path, 2025, limits=LOW)
    _refusal(caught, "cin.xml", "6 rows", "ALLIANCE_MAX_ROWS")
    path.write_text(_census(extra + CIN_CHILD.format(id="9" * 41)))
    with pytest.raises(InputError) as caught:
        read_cin(path, 2025, limits=LOW)
    _refusal(caught, "cin.xml", "column LAchildID", "41 bytes", "ALLIANCE_MAX_CELL_BYTES")


def test_cin_xml_record_longer_than_the_limit(tmp_path: Path) -> None:
    # one <Child> holding thousands of elements: neither reader builds it
    flood = "<Disabilities>" + "<Disability>AUT</Disability>" * 200 + "</Disabilities>"
    child = CIN_CHILD.format(id=1).replace(
        "</ChildIdentifiers>",
        f"</ChildIdentifiers><ChildCharacteristics>{flood}</ChildCharacteristics>",
    )
    path = tmp_path / "cin.xml"
    path.write_text(_census(child))
    with pytest.raises(InputError) as caught:
        read_cin(path, 2025, limits=Limits(max_columns=10, max_cell_bytes=100))
    _refusal(caught, "cin.xml", "<Child>", "longer than 1,000 bytes", "ALLIANCE_MAX_COLUMNS")
    assert read_cin(path, 2025).row_counts()["Disabilities"] == 200


def test_cin_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "cin.xml"
    path.write_text(_census(CIN_CHILD.format(id=1) * 1000))
    with pytest.raises(InputError) as caught:
        read_cin(path, 2025, limits=LOW)
    _refusal(caught, "cin.xml", "limit 64 KB", "ALLIANCE_MAX_RETURN_MB")


def test_cin_csv_limits_and_no_table(tmp_path: Path) -> None:
    folder = tmp_path / "tables"
    folder.mkdir()
    (folder / "ChildIdentifiers.csv").write_text(CIN_IDS + "a1,2015-01-01,M\n" * 6)
    with pytest.raises(InputError) as caught:
        read_cin(folder, 2025, limits=LOW)
    _refusal(caught, "ChildIdentifiers.csv", "6 rows", "ALLIANCE_MAX_ROWS")
    junk = tmp_path / "junk.csv"
    junk.write_text("a,b,c\n1,2,3\n")
    with pytest.raises(InputError) as caught:
        read_cin(junk, 2025)
    _refusal(caught, "junk.csv", "no CIN table found")


# -- messages and settings ----------------------------------------------------------------------


def test_messages_are_one_printable_line_however_long_the_input() -> None:
    error = InputError("f.csv", 0, None, "the columns (" + "\x1b[31mX\n" * 10_000 + ")")
    text = str(error)
    assert "\n" not in text
    assert "\x1b" not in text
    assert len(text) == MESSAGE_LIMIT
    assert text.endswith("…")
    assert one_line("a\r\nb\tc") == "a b c"


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ALLIANCE_MAX_RETURN_MB", "3")
    monkeypatch.setenv("ALLIANCE_MAX_COLUMNS", "7")
    monkeypatch.setenv("ALLIANCE_MAX_ROWS", "11")
    monkeypatch.setenv("ALLIANCE_MAX_CELL_BYTES", "13")
    assert default_limits() == Limits(
        max_bytes=3 * 1024 * 1024, max_columns=7, max_rows=11, max_cell_bytes=13
    )
    monkeypatch.setenv("ALLIANCE_MAX_ROWS", "nonsense")
    assert default_limits().max_rows == Limits().max_rows


# -- the command lines ---------------------------------------------------------------------------

runner = CliRunner()


def _cli(command: str, path: Path) -> tuple[int, str]:
    from statutory.cin.cli import app as cin_app
    from statutory.ssda903.cli import app as ssda903_app

    app = ssda903_app if command == "903" else cin_app
    result = runner.invoke(app, ["validate", str(path), "--year", "2025"])
    return result.exit_code, result.output


@pytest.mark.parametrize("command", ["903", "cin"])
def test_command_lines_refuse_hostile_files_in_one_line(
    tmp_path: Path, command: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ALLIANCE_MAX_RETURN_MB", "1")
    monkeypatch.delenv("ALLIANCE_DEBUG", raising=False)
    hostile = {
        "bomb.zip": lambda p: _zip(p, {"episodes.csv": EPISODES.encode() + b"0" * 2_000_000}),
        "big.csv": lambda p: p.write_bytes(EPISODES.encode() + b"x\n" * 600_000),
        "wide.csv": lambda p: p.write_text(EPISODES.rstrip("\n") + ",C" * 200_000 + "\n" + EPISODE),
        "random.bin": lambda p: p.write_bytes(os.urandom(100_000)),
        "random.csv": lambda p: p.write_bytes(os.urandom(100_000)),
        "random.xml": lambda p: p.write_bytes(os.urandom(100_000)),
        "markup.csv": lambda p: p.write_text("[/bold],[red]x\n1,2\n"),
    }
    for name, build in hostile.items():
        path = tmp_path / name
        build(path)
        code, output = _cli(command, path)
        assert code == 1, (name, output)
        lines = output.strip().splitlines()
        assert len(lines) == 1, (name, output)
        assert lines[0].startswith("error: "), (name, output)
        assert name in lines[0], (name, output)
        assert "Traceback" not in output


def test_cin_pseudonymise_is_held_to_the_limits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from statutory.cin.pseudonymise import pseudonymise_path

    key = b"k" * 32
    bomb = _zip(
        tmp_path / "bomb.zip", {"ChildIdentifiers.csv": CIN_IDS.encode() + b"0" * 3_000_000}
    )
    monkeypatch.setenv("ALLIANCE_MAX_RETURN_MB", "1")
    with pytest.raises(InputError) as caught:
        pseudonymise_path(bomb, tmp_path / "out", key)
    _refusal(caught, "bomb.zip", "over the limit of 1 MB")
    monkeypatch.setenv("ALLIANCE_MAX_COLUMNS", "10")
    flood = "<Disabilities>" + "<Disability>AUT</Disability>" * 1000 + "</Disabilities>"
    child = CIN_CHILD.format(id=1).replace(
        "</ChildIdentifiers>",
        f"</ChildIdentifiers><ChildCharacteristics>{flood}</ChildCharacteristics>",
    )
    census = tmp_path / "cin.xml"
    census.write_text(_census(child))
    with pytest.raises(InputError) as caught:
        pseudonymise_path(census, tmp_path / "out.xml", key)
    _refusal(caught, "cin.xml", "<Child>", "longer than")
