"""Reading SSDA903 returns: folders, zips, XML, encodings, dates, and bad input."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from statutory.engine.columns import parse_date_series
from statutory.engine.errors import InputError
from statutory.engine.limits import Limits
from statutory.ssda903.reader import read_raw_tables, read_return

HEADER = "CHILD,SEX,DOB,ETHNIC,UPN,MOTHER,MC_DOB\n"
EPISODES = (
    "CHILD,DECOM,RNE,LS,CIN,PLACE,PLACE_PROVIDER,DEC,REC,REASON_PLACE_CHANGE,HOME_POST,"
    "PL_POST,URN\n"
)


def _write(folder: Path, files: dict[str, str | bytes]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (folder / name).write_bytes(data)
    return folder


def _minimal(folder: Path) -> Path:
    return _write(
        folder,
        {
            "a.csv": HEADER + "1,M,01/02/2010,WBRI,UN1,,\n2,F,2012-03-04,wbri,,0,\n",
            "b.csv": EPISODES + "1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n"
            "2,1/6/2024,S,C2,N1,U1,PR1,01/07/2024 00:00:00,E11,,,,\n",
        },
    )


def _last_year(folder: Path) -> Path:
    return _write(
        folder,
        {
            "h.csv": HEADER + "1,1,01/02/2010,WBRI,UN1,,\n",
            "e.csv": EPISODES + "1,01/05/2023,S,C2,N1,U1,PR1,,,,,,\n"
            "2,1/6/2023,S,C2,N1,U1,PR1,01/07/2023,E11,,,,\n",
        },
    )


def test_tables_are_found_by_their_columns_not_their_names(tmp_path: Path) -> None:
    r = read_return(_minimal(tmp_path), 2025)
    assert r.supplied == {"Header", "Episodes"}
    episodes = r.table("Episodes")
    assert episodes["DECOM"].to_list() == [dt.date(2024, 5, 1), dt.date(2024, 6, 1)]
    assert episodes["DEC"].to_list() == [None, dt.date(2024, 7, 1)]
    assert episodes["ROW_NUMBER"].to_list() == [1, 2]
    # text is upper-cased; blanks are null; raw text kept for typed columns
    assert r.table("Header")["ETHNIC"].to_list() == ["WBRI", "WBRI"]
    assert r.table("Header")["MOTHER"].to_list() == [None, "0"]
    assert episodes["DEC__raw"].to_list() == [None, "01/07/2024 00:00:00"]
    # tables not supplied are empty with the year's columns
    assert r.table("OC3").is_empty()
    assert "IN_TOUCH" in r.table("OC3").columns


def test_zip_and_previous_subfolder(tmp_path: Path) -> None:
    source = _minimal(tmp_path / "src")
    before = _last_year(tmp_path / "before")
    archive = tmp_path / "return.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for file in source.iterdir():
            zf.write(file, f"current/{file.name}")
        for file in before.iterdir():
            zf.write(file, f"previous/{file.name}")
    r = read_return(archive, 2025)
    assert r.supplied == {"Header", "Episodes"}
    assert r.has_previous
    assert r.previous is not None
    assert r.previous.year == 2024


def test_previous_given_separately(tmp_path: Path) -> None:
    r = read_return(_minimal(tmp_path / "now"), 2025, previous=_last_year(tmp_path / "before"))
    assert r.has_previous
    assert r.previous is not None
    assert r.previous.table("Episodes").height == 2


@pytest.mark.parametrize(
    ("encoding", "bom"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("cp1252", b""), ("utf-16", b"")],
)
def test_encodings(tmp_path: Path, encoding: str, bom: bytes) -> None:
    header = (HEADER + "1,M,01/02/2010,WBRI,UN1,,\n").replace("UN1", "UN1")
    episodes = EPISODES + "1,01/05/2024,S,C2,N1,U1,PR1,,,,Zoë’s,,\n"
    _write(
        tmp_path, {"h.csv": bom + header.encode(encoding), "e.csv": bom + episodes.encode(encoding)}
    )
    r = read_return(tmp_path, 2025)
    assert r.table("Episodes")["HOME_POST"].to_list() == ["ZOË’S"]
    assert r.table("Header")["CHILD"].to_list() == ["1"]


def _error(path: Path, year: int = 2025) -> InputError:
    with pytest.raises(InputError) as caught:
        read_return(path, year)
    return caught.value


def test_missing_episodes_table(tmp_path: Path) -> None:
    _write(tmp_path, {"h.csv": HEADER + "1,M,01/02/2010,WBRI,UN1,,\n"})
    assert "no Episodes table" in str(_error(tmp_path))


def test_wrong_columns_name_the_missing_column(tmp_path: Path) -> None:
    _minimal(tmp_path)
    _write(tmp_path, {"r.csv": "CHILD,DOB,REVIEW\n1,01/01/2010,01/05/2024\n"})
    error = _error(tmp_path)
    assert error.file is not None
    assert error.file.endswith("r.csv")
    assert error.row == 0
    assert error.column == "REVIEW_CODE"
    assert "Reviews" in str(error)


def test_unrecognised_file(tmp_path: Path) -> None:
    _minimal(tmp_path)
    _write(tmp_path, {"x.csv": "A,B,C\n1,2,3\n"})
    assert "do not match any SSDA903 table" in str(_error(tmp_path))


def test_excel_saved_as_csv(tmp_path: Path) -> None:
    _minimal(tmp_path)
    _write(tmp_path, {"c.csv": b"PK\x03\x04" + b"\x00" * 100})
    error = _error(tmp_path)
    assert "Excel workbook" in str(error)
    assert error.file is not None
    assert error.file.endswith("c.csv")


def test_empty_file(tmp_path: Path) -> None:
    _minimal(tmp_path)
    _write(tmp_path, {"e.csv": b""})
    assert "empty" in str(_error(tmp_path))


def test_ragged_row_names_the_row(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "h.csv": HEADER + "1,M,01/02/2010,WBRI,UN1,,\n2,F,01/02/2010,WBRI,UN1,,,,9\n",
            "e.csv": EPISODES + "1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n",
        },
    )
    error = _error(tmp_path)
    assert error.row == 2
    assert "values" in str(error)


def test_duplicate_rows_are_noted(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "h.csv": HEADER + "1,M,01/02/2010,WBRI,UN1,,\n1,M,01/02/2010,WBRI,UN1,,\n",
            "e.csv": EPISODES + "1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n",
        },
    )
    r = read_return(tmp_path, 2025)
    assert any("repeat an earlier row" in note for note in r.notes)
    assert r.table("Header").height == 2  # kept: rules about duplicates must see them


def test_wrong_year_is_refused(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "h.csv": HEADER + "1,M,01/02/2010,WBRI,UN1,,\n",
            "e.csv": EPISODES + "1,01/05/2020,S,C2,N1,U1,PR1,01/06/2020,E11,,,,\n",
        },
    )
    error = _error(tmp_path)
    assert error.column == "DECOM"
    assert "2024/25" in str(error)


def test_file_over_the_limit_is_refused(tmp_path: Path) -> None:
    _minimal(tmp_path)
    with pytest.raises(InputError, match="over the limit of 50 bytes"):
        read_return(tmp_path, 2025, limits=Limits(max_bytes=50))


def test_large_file_is_read_from_disk(tmp_path: Path) -> None:
    r = read_return(_minimal(tmp_path), 2025, memory_limit=10)
    assert r.table("Episodes").height == 2


def test_unknown_year(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="not supported"):
        read_return(_minimal(tmp_path), 2010)


def test_xml_export(tmp_path: Path) -> None:
    xml = """<?xml version="1.0"?>
<Children>
  <CHILD><CHILDID>9</CHILDID><SEX>F</SEX><DOB>2010-02-01</DOB><ETHNIC>WBRI</ETHNIC>
    <UPN>UN2</UPN><MOTHER>0</MOTHER><UASC>0</UASC>
    <EPISODE><DECOM>2024-05-01</DECOM><RNE>S</RNE><LS>C2</LS><CIN>N1</CIN><PL>U1</PL>
      <PLACE_PROVIDER>PR1</PLACE_PROVIDER></EPISODE>
    <HEADER><AREVIEW><REVIEW>2024-05-20</REVIEW><REVIEW_CODE>PN1</REVIEW_CODE></AREVIEW>
      <AMISSING><MISSING>M</MISSING><MIS_START>2024-06-01</MIS_START></AMISSING></HEADER>
  </CHILD>
</Children>"""
    path = tmp_path / "return.xml"
    path.write_text(xml)
    r = read_return(path, 2025)
    assert r.source_format == "xml"
    assert r.table("Episodes")["PLACE"].to_list() == ["U1"]
    assert r.table("Header")["UASC"].to_list() == ["0"]
    assert r.table("Reviews")["REVIEW_CODE"].to_list() == ["PN1"]
    assert r.table("Missing")["CHILD"].to_list() == ["9"]


def test_raw_tables_for_pseudonymising(tmp_path: Path) -> None:
    current, previous = read_raw_tables(_minimal(tmp_path), 2025)
    assert set(current) == {"Header", "Episodes"}
    assert previous == {}


# -- dates ----------------------------------------------------------------------------------


def _parse(values: list[str | None]) -> list[dt.date | None]:
    return parse_date_series(pl.Series(values, dtype=pl.String)).to_list()


def test_date_formats() -> None:
    assert (
        _parse(
            [
                "01/04/2024",
                "1/4/2024",
                "2024-04-01",
                "01-04-2024",
                "01.04.2024",
                "2024-04-01 00:00:00",
                "01/04/2024 10:22",
                "2024-04-01T00:00:00Z",
            ]
        )
        == [dt.date(2024, 4, 1)] * 8
    )


def test_not_dates() -> None:
    assert (
        _parse(["30/02/2024", "", None, "x", "01/04/24", "2024-13-01", "45/01/2024"]) == [None] * 7
    )


@settings(max_examples=200, deadline=None)
@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.sampled_from(["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d/%m/%Y %H:%M:%S", "d/m/Y"]),
)
def test_any_date_round_trips(day: dt.date, layout: str) -> None:
    text = f"{day.day}/{day.month}/{day.year:04d}" if layout == "d/m/Y" else day.strftime(layout)
    assert _parse([text]) == [day]


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=20))
def test_parsing_never_raises(text: str) -> None:
    result = _parse([text])
    assert len(result) == 1


def test_last_years_files_beside_this_years_by_name(tmp_path: Path) -> None:
    _minimal(tmp_path)
    _write(
        tmp_path,
        {
            "episodes_last.csv": EPISODES + "1,01/05/2023,S,C2,N1,U1,PR1,,,,,,\n",
            "header_previous.csv": HEADER + "1,1,01/02/2010,WBRI,UN1,,\n",
        },
    )
    r = read_return(tmp_path, 2025)
    assert r.has_previous
    assert r.previous is not None
    assert r.previous.table("Episodes")["DECOM"].to_list() == [dt.date(2023, 5, 1)]
    assert r.table("Episodes").height == 2


def test_two_unmarked_files_of_one_table(tmp_path: Path) -> None:
    _minimal(tmp_path)
    _write(tmp_path, {"c.csv": EPISODES + "1,01/05/2024,S,C2,N1,U1,PR1,,,,,,\n"})
    assert "two files hold the Episodes table" in str(_error(tmp_path))


def test_malformed_xml_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.xml"
    path.write_text("<Children>\n<CHILD><CHILDID>1</CHILDID>\n</Children>\n")
    error = _error(path)
    assert "not well-formed XML" in str(error)
    assert error.row is not None


def test_trailing_commas_and_lower_case_headers(tmp_path: Path) -> None:
    _write(
        tmp_path,
        {
            "h.csv": HEADER.lower().replace("\n", ",\n") + "1,M,01/02/2010,WBRI,UN1,,,\n",
            "e.csv": EPISODES.replace("\n", ",,\n") + "1,01/05/2024,S,C2,N1,U1,PR1,,,,,,,,\n",
        },
    )
    r = read_return(tmp_path, 2025)
    assert r.supplied == {"Header", "Episodes"}
    assert r.notes == []


def test_previous_must_be_last_years(tmp_path: Path) -> None:
    now = _minimal(tmp_path / "now")
    with pytest.raises(InputError, match="--previous should be last year's"):
        read_return(now, 2025, previous=now)
