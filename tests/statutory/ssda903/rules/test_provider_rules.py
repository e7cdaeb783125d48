"""Rules 219, 221, 224, 227, 228, 229 and 1008: episodes against Ofsted's provider information,
and what happens without it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
from builders import every_table, make_return, registry
from typer.testing import CliRunner

from statutory.engine import InputError, run
from statutory.ssda903.providers import (
    NOT_RUN,
    attach_providers,
    providers_from_frame,
    read_providers,
)

PROVIDER_CODES = ["219", "221", "224", "227", "228", "229", "1008"]

# Ofsted's combined list headings, as councils download it (then saved as CSV)
OFSTED = [
    {
        "URN": "SC111111",
        "Provider type": "Children's Home",
        "Local authority": "Leeds",
        "Placement code": "K2",
        "Placement provider code": "PR1/PR3",
        "Deregistration date": "",
        "Setting address postcode": "LS1 1UR",
    },
    {
        "URN": "SC222222",
        "Provider type": "Children's Home",
        "Local authority": "Bradford",
        "Placement code": "K2, R3",
        "Placement provider code": "PR2",
        "Deregistration date": "30/09/2024",
        "Setting address postcode": "BD1 1HY",
    },
    {
        "URN": "2533333",
        "Provider type": "Supported accommodation",
        "Local authority": "Leeds",
        "Placement code": "H5",
        "Placement provider code": "PR4",
        "Deregistration date": "",
        "Setting address postcode": "",
    },
]


def providers(rows: list[dict[str, str]] = OFSTED) -> pl.DataFrame:
    return providers_from_frame(pl.DataFrame(rows))


def episode(**values: str | None) -> dict[str, str | None]:
    base: dict[str, str | None] = {
        "CHILD": "1",
        "DECOM": "01/05/2024",
        "RNE": "P",
        "LS": "C2",
        "CIN": "N1",
        "PLACE": "K2",
        "PLACE_PROVIDER": "PR1",
        "DEC": None,
        "REC": None,
        "REASON_PLACE_CHANGE": None,
        "HOME_POST": "LS2 7UE",
        "PL_POST": "LS1 1UR",
        "URN": "SC111111",
    }
    base.update(values)
    return base


def flagged(code: str, rows: list[dict[str, Any]], *, year: int = 2025, **kw: Any) -> list[int]:
    return_ = make_return(year, Episodes=rows)
    return_.la_code = kw.get("la", "E08000035")  # Leeds
    attach_providers(return_, kw.get("providers", providers()))
    found = run(registry(), return_, year=year, codes=[code], raise_errors=True).frame
    assert set(found["table"].to_list()) <= {"Episodes"}
    return sorted(found["row_number"].to_list())


# --- reading the file ------------------------------------------------------------------------


def test_reads_ofsted_combined_list(tmp_path: Path) -> None:
    path = tmp_path / "providers.csv"
    pl.DataFrame(OFSTED).write_csv(path)
    frame = read_providers(path).sort("URN")
    assert frame["URN"].to_list() == ["2533333", "SC111111", "SC222222"]
    assert frame["PLACE_CODES"].to_list() == [["H5"], ["K2"], ["K2", "R3"]]
    assert frame["PROVIDER_CODES"].to_list() == [["PR4"], ["PR1", "PR3"], ["PR2"]]
    assert frame["POSTCODE"].to_list() == [None, "LS11UR", "BD11HY"]
    assert str(frame["REG_END"][2]) == "2024-09-30"


def test_reads_childrens_homes_list_headings() -> None:
    frame = providers_from_frame(
        pl.DataFrame(
            {
                "URN": ["SC1", "SC1"],
                "Local Authority": ["Leeds", "Leeds"],
                "Provider Code": ["K2", "S1"],
                "Provider Placement Code": ["PR1/PR2", "PR3"],
                "Closed Date": ["2024-01-31", None],
                "Setting Postcode": ["ls1 1ur", "LS1 1UR"],
            }
        )
    )
    # one row per URN: codes united; still registered because one row has no closing date
    assert frame.height == 1
    assert frame["PLACE_CODES"][0].to_list() == ["K2", "S1"]
    assert frame["PROVIDER_CODES"][0].to_list() == ["PR1", "PR2", "PR3"]
    assert frame["REG_END"][0] is None


def test_file_without_needed_columns_names_them(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    path.write_text("URN,Name\nSC1,Home\n")
    with pytest.raises(InputError) as caught:
        read_providers(path)
    text = str(caught.value)
    assert "p.csv" in text
    assert "PLACE_CODES" in text
    assert "'placement code'" in text


def test_bad_date_names_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "p.csv"
    rows = [dict(r) for r in OFSTED]
    rows[1]["Deregistration date"] = "soon"
    pl.DataFrame(rows).write_csv(path)
    with pytest.raises(InputError) as caught:
        read_providers(path)
    assert str(caught.value).startswith(f"{path}, row 2, column Deregistration date:")


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    when = book.add_format({"num_format": "dd/mm/yyyy"})
    for title, rows in sheets.items():
        sheet = book.add_worksheet(title)
        for i, row in enumerate(rows):
            for j, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(
                        i, j, dt.datetime(value.year, value.month, value.day), when
                    )
                elif value is not None:
                    sheet.write(i, j, value)
    book.close()
    return path


def test_reads_ofsteds_combined_workbook_with_its_supported_accommodation_sheet(
    tmp_path: Path,
) -> None:
    book = _workbook(
        tmp_path / "SCPCH.xlsx",
        {
            "Providers": [
                ["URN", "Local authority", "Placement code", "Placement provider code",
                 "Deregistration date", "Setting address postcode"],
                ["SC111111", "Leeds", "K2", "PR1/PR3", None, "LS1 1UR"],
                [2533333, "Bradford", "K2", "PR2", dt.date(2024, 9, 30), "BD1 1HY"],
            ],
            "Supported accommodation": [
                ["URN", "Provider local authority", "Placement provider code", "Closed date",
                 "Setting address postcode"],
                ["2644444", "Leeds", "PR4", None, "LS2 7UE"],
            ],
        },
    )  # fmt: skip
    frame = read_providers(book).sort("URN")
    assert frame["URN"].to_list() == ["2533333", "2644444", "SC111111"]
    assert frame["PLACE_CODES"].to_list() == [["K2"], ["H5", "K3"], ["K2"]]
    assert frame["REG_END"].to_list() == [dt.date(2024, 9, 30), None, None]
    assert frame["POSTCODE"].to_list() == ["BD11HY", "LS27UE", "LS11UR"]


def test_reads_childrens_homes_workbook_with_separate_addresses_and_a_second_list(
    tmp_path: Path,
) -> None:
    homes = _workbook(
        tmp_path / "CH.xlsx",
        {
            "Settings and Inspection Info": [
                ["URN", "Local Authority", "Provider Code", "Provider Placement Code",
                 "Closed Date"],
                ["SC111111", "Leeds", "K2", "PR1", None],
            ],
            "Address Details": [["URN", "Setting Address Postcode"], ["SC111111", "LS1 1UR"]],
        },
    )  # fmt: skip
    other = tmp_path / "scp.csv"
    pl.DataFrame(OFSTED[1:]).write_csv(other)
    frame = read_providers([homes, other]).sort("URN")
    assert frame["URN"].to_list() == ["2533333", "SC111111", "SC222222"]
    assert frame.filter(pl.col("URN") == "SC111111")["POSTCODE"].to_list() == ["LS11UR"]


def test_a_workbook_without_provider_sheets_is_refused_plainly(tmp_path: Path) -> None:
    book = _workbook(tmp_path / "p.xlsx", {"Notes": [["URN", "Name"], ["SC1", "Home"]]})
    with pytest.raises(InputError, match="sheet Notes has no column for PLACE_CODES"):
        read_providers(book)
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04rest")
    with pytest.raises(InputError, match="could not be read as a workbook"):
        read_providers(broken)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0rest")
    with pytest.raises(InputError, match=r"old-style \.xls"):
        read_providers(old)


# --- without the file ------------------------------------------------------------------------


def test_without_providers_the_rules_are_named_as_not_run() -> None:
    return_ = make_return(2025, Episodes=[episode(URN="NOPE")])
    # they find nothing rather than guess, and the run says they did not run
    found = run(registry(), return_, year=2025, codes=PROVIDER_CODES, raise_errors=True)
    assert found.frame.is_empty()
    assert sorted(found.not_run) == sorted(PROVIDER_CODES)
    assert set(found.not_run.values()) == {NOT_RUN}
    assert not set(found.rules_run) & set(PROVIDER_CODES)
    attach_providers(return_, providers())
    found = run(registry(), return_, year=2025, codes=PROVIDER_CODES, raise_errors=True)
    assert found.not_run == {}
    assert sorted(found.rules_run) == sorted(PROVIDER_CODES)


def test_221_is_listed_for_2025() -> None:
    # ssda903-rules.csv marks 221 changed (not removed) in 2024/25; the DfE's 2024/25 rule
    # set still carries it, with K3 in place of H5
    for year in (2024, 2025):
        # every rule of the year, on a return without provider information: exactly the
        # provider rules are the ones that could not run
        return_ = make_return(
            year,
            previous=every_table(year - 1),
            **{**every_table(year), "Episodes": [episode()]},
        )
        found = run(registry(), return_, year=year)
        assert sorted(found.not_run) == sorted(PROVIDER_CODES)


# --- the rules -------------------------------------------------------------------------------


def test_219_placement_type_must_be_one_ofsted_lists() -> None:
    rows = [
        episode(),  # K2 at SC111111: listed
        episode(PLACE="R3", URN="SC222222"),  # listed second of two
        episode(PLACE="R3"),  # SC111111 is K2 only
        episode(PLACE="K2", URN=None),  # no URN: not checked
        episode(PLACE="K2", URN="XXXXXXX"),  # placeholder: not checked
        episode(PLACE="K2", URN="SC999999"),  # unknown URN: nothing to match
        episode(PLACE=None),  # blank PLACE does not match
        episode(PLACE="k2", URN="sc111111"),  # any case
    ]
    assert flagged("219", rows) == [3, 6, 7]


def test_221_postcode_must_be_ofsteds_for_registered_settings() -> None:
    rows = [
        episode(PL_POST="LS11UR"),  # same without the space
        episode(PL_POST="LS2 9JT"),  # K2 elsewhere
        episode(PL_POST="LS2 9JT", LS="V3"),  # short breaks: not checked
        episode(PL_POST="LS2 9JT", PLACE="U1"),  # not a registered-setting type
        episode(PL_POST=None),  # no postcode: not checked
        episode(PL_POST="LS2 9JT", URN="SC999999"),  # unknown URN: nothing to match
        episode(PL_POST="LS2 9JT", PLACE="K3", URN="2533333"),  # K3 checked from 2024/25
    ]
    assert flagged("221", rows) == [2, 6, 7]
    # in 2023/24 supported accommodation (H5) was checked and K3 was not
    older = [
        episode(DECOM="01/05/2023", PL_POST="LS2 9JT", PLACE="K3", URN="2533333"),
        episode(DECOM="01/05/2023", PL_POST="LS2 9JT", PLACE="H5", URN="2533333"),
    ]
    assert flagged("221", older, year=2024) == [2]


def test_224_provider_code_must_be_one_ofsted_lists() -> None:
    rows = [
        episode(PLACE_PROVIDER="PR1"),
        episode(PLACE_PROVIDER="PR3"),
        episode(PLACE_PROVIDER="PR2"),  # SC111111 is PR1/PR3
        episode(PLACE_PROVIDER=None),  # blank does not match
        episode(PLACE_PROVIDER="PR2", URN="XXXXXXX"),
        episode(PLACE_PROVIDER="PR2", URN="SC999999"),
    ]
    assert flagged("224", rows) == [3, 4, 6]


def test_227_start_must_be_before_registration_ended() -> None:
    rows = [
        episode(URN="SC222222", DECOM="29/09/2024"),
        episode(URN="SC222222", DECOM="30/09/2024"),  # the day it ended: flagged
        episode(URN="SC222222", DECOM="01/10/2024"),
        episode(URN="SC111111", DECOM="01/10/2024"),  # still registered
        episode(URN="SC999999", DECOM="01/10/2024"),  # unknown: 1008's finding
        episode(URN="SC222222", DECOM="not a date"),
    ]
    assert flagged("227", rows) == [2, 3]


def test_228_end_must_be_on_or_before_registration_ended() -> None:
    rows = [
        episode(URN="SC222222", DECOM="01/05/2024", DEC="30/09/2024"),  # on the day: fine
        episode(URN="SC222222", DECOM="01/05/2024", DEC="01/10/2024"),
        episode(URN="SC222222", DECOM="01/05/2024", DEC=None),  # open at 31 March: closed
        episode(URN="SC111111", DECOM="01/05/2024", DEC=None),  # still registered
    ]
    assert flagged("228", rows) == [2, 3]
    closes_31_march = providers(
        [{**OFSTED[1], "Deregistration date": "31/03/2025"}, OFSTED[0], OFSTED[2]]
    )
    open_row = [episode(URN="SC222222", DEC=None)]
    assert flagged("228", open_row, providers=closes_31_march) == []


def test_229_own_provision_must_be_the_councils_own() -> None:
    rows = [
        episode(PLACE_PROVIDER="PR1"),  # Leeds home, Leeds council: fine
        episode(PLACE_PROVIDER="PR2"),  # "another council's" but the home is Leeds's
        episode(PLACE_PROVIDER="PR1", URN="SC222222", PLACE="R3"),  # Bradford's home as own
        episode(PLACE_PROVIDER="PR2", URN="SC222222", PLACE="R3"),  # fine
        episode(PLACE_PROVIDER="PR1", URN="SC999999"),  # council unknown: does not match
        episode(PLACE_PROVIDER="PR2", URN="SC999999"),  # unknown: passes
        episode(PLACE_PROVIDER="PR4", URN="SC222222"),  # only PR1/PR2 are checked
    ]
    assert flagged("229", rows) == [2, 3, 5]


def test_229_uses_the_councils_named_in_the_file_without_a_postcode() -> None:
    # 2533333 has no postcode; the file names Leeds
    rows = [
        episode(PLACE="H5", PLACE_PROVIDER="PR1", URN="2533333"),
        episode(PLACE="H5", PLACE_PROVIDER="PR2", URN="2533333"),
    ]
    assert flagged("229", rows) == [2]


def test_229_skips_placements_without_a_registered_provider_from_2026() -> None:
    rows = [
        episode(DECOM="01/05/2025", PLACE="K3", PLACE_PROVIDER="PR1", URN="SC222222"),
        episode(DECOM="01/05/2025", PLACE="K2", PLACE_PROVIDER="PR1", URN="SC222222"),
    ]
    assert flagged("229", rows, year=2026) == [2]
    assert flagged("229", rows, year=2025) == [1, 2]


def test_1008_urn_must_be_listed() -> None:
    rows = [
        episode(URN="SC111111"),
        episode(URN="sc111111"),  # any case
        episode(URN=None),
        episode(URN="XXXXXXX"),  # the placeholder
        episode(URN="XXXXXX"),  # six Xs is not the placeholder
        episode(URN="2345"),
        episode(URN="2533333"),
    ]
    assert flagged("1008", rows) == [5, 6]


# --- the command line ------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from statutory.ssda903.cli import app

    out = tmp_path_factory.mktemp("gen")
    result = CliRunner().invoke(
        app,
        [
            "generate",
            "--children",
            "120",
            "--out",
            str(out),
            "--seed",
            "7",
            "--year",
            "2025",
            "--la",
            "393",
        ],
    )
    assert result.exit_code == 0, result.output
    return out


def test_validate_without_providers_says_which_rules_did_not_run(
    generated: Path, tmp_path: Path
) -> None:
    from statutory.ssda903.cli import app

    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        ["validate", str(generated), "--year", "2025", "--report", str(report)],
    )
    assert result.exit_code == 0, result.output
    assert NOT_RUN in result.output
    assert "1008" in result.output
    data = json.loads(report.read_text())
    assert sorted(r["rule_code"] for r in data["not_run"]) == sorted(PROVIDER_CODES)
    assert {r["reason"] for r in data["not_run"]} == {NOT_RUN}
    assert not set(PROVIDER_CODES) & set(data["rules_run"])
    assert data["engine_errors"] == []
    assert isinstance(data["findings"], list)


def test_validate_with_providers_runs_them(generated: Path, tmp_path: Path) -> None:
    from statutory.ssda903.cli import app

    episodes = pl.read_csv(generated / "current" / "episodes.csv", infer_schema=False)
    urns = episodes["URN"].drop_nulls().unique().sort().to_list()
    listed = urns[: len(urns) // 2]
    file = tmp_path / "providers.csv"
    pl.DataFrame(
        {
            "URN": listed,
            "Placement code": ["K2"] * len(listed),
            "Placement provider code": ["PR1/PR2/PR3/PR4/PR5"] * len(listed),
            "Deregistration date": [None] * len(listed),
            "Setting address postcode": [None] * len(listed),
        }
    ).write_csv(file)
    report = tmp_path / "r.json"
    result = CliRunner().invoke(
        app,
        [
            "validate",
            str(generated),
            "--year",
            "2025",
            "--la",
            "393",
            "--providers",
            str(file),
            "--report",
            str(report),
        ],
    )
    assert result.exit_code == 0, result.output
    assert NOT_RUN not in result.output
    data = json.loads(report.read_text())
    assert data["not_run"] == []
    assert set(PROVIDER_CODES) <= set(data["rules_run"])
    flagged_1008 = {f["row_number"] for f in data["findings"] if f["rule_code"] == "1008"}
    expected = episodes.with_row_index("row", offset=1).filter(
        pl.col("URN").is_not_null()
        & ~pl.col("URN").is_in(listed)
        & (pl.col("URN").str.to_uppercase() != "XXXXXXX")
    )
    assert flagged_1008 == set(expected["row"].to_list())
    assert data["engine_errors"] == []


def test_validate_with_a_bad_providers_file_is_one_line(generated: Path, tmp_path: Path) -> None:
    from statutory.ssda903.cli import app

    file = tmp_path / "providers.csv"
    file.write_text("URN,Name\nSC1,Home\n")
    result = CliRunner().invoke(
        app,
        ["validate", str(generated / "current"), "--year", "2025", "--providers", str(file)],
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert "providers.csv" in result.output
