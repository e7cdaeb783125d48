"""Pseudonymising: keyed ids consistent across tables and years, coarsened dates and postcodes."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from statutory.ssda903.generator import generate_to
from statutory.ssda903.pseudonymise import (
    load_key,
    postcode_sector,
    pseudonymise_path,
    pseudonymise_tables,
)

KEY = b"a council's secret key, 32 bytes"


def test_ids_dates_postcodes() -> None:
    tables = {
        "Header": pl.DataFrame(
            {"CHILD": ["1", "2"], "DOB": ["15/06/2010", "bad"], "UPN": ["UN1", "A12"]}
        ),
        "Episodes": pl.DataFrame({"CHILD": ["2", "1"], "HOME_POST": ["NE33 1AB", "ne331ab"]}),
    }
    out = pseudonymise_tables(tables, KEY)
    header, episodes = out["Header"], out["Episodes"]
    assert header["CHILD"][0] == episodes["CHILD"][1]
    assert header["CHILD"][1] == episodes["CHILD"][0]
    assert header["CHILD"][0] not in ("1", "2")
    assert header["DOB"].to_list() == ["01/06/2010", "bad"]
    assert header["UPN"].to_list() == ["UN1", "INVALIDUPN"]
    assert episodes["HOME_POST"].to_list() == ["NE33 1", "NE33 1"]


def test_another_key_gives_other_ids() -> None:
    tables = {"Header": pl.DataFrame({"CHILD": ["1"]})}
    assert (
        pseudonymise_tables(tables, KEY)["Header"]["CHILD"][0]
        != pseudonymise_tables(tables, KEY[::-1])["Header"]["CHILD"][0]
    )


def test_postcode_sector() -> None:
    frame = pl.DataFrame({"p": ["NE33 1AB", "SW1A 1AA", "M1 1AE", "X", None]})
    assert frame.select(postcode_sector(pl.col("p")))["p"].to_list() == [
        "NE33 1",
        "SW1A 1",
        "M1 1",
        "X",
        None,
    ]


def test_key_is_required(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="key"):
        load_key(None, None)
    short = tmp_path / "k"
    short.write_text("short")
    with pytest.raises(ValueError, match="at least"):
        load_key(short)


def test_whole_return_keeps_joins_across_years(tmp_path: Path) -> None:
    generate_to(tmp_path / "in", 200, 2025, seed=3, error_rate=0)
    written = pseudonymise_path(tmp_path / "in", tmp_path / "out", KEY)
    assert any("previous" in str(p) for p in written)
    now = pl.read_csv(tmp_path / "out" / "header.csv", infer_schema=False)
    before = pl.read_csv(tmp_path / "out" / "previous" / "header.csv", infer_schema=False)
    original = pl.read_csv(tmp_path / "in" / "current" / "header.csv", infer_schema=False)
    assert now.height == original.height
    assert set(now["CHILD"]).isdisjoint(set(original["CHILD"]))
    assert len(set(now["CHILD"]) & set(before["CHILD"])) > 50
    assert now["DOB"].str.starts_with("01/").all()
    assert not any(KEY.decode() in p.read_text() for p in written)


def test_indicators_agree_on_pseudonymised_data(tmp_path: Path) -> None:
    from statutory.ssda903.indicators import compute
    from statutory.ssda903.reader import read_return

    generate_to(tmp_path / "in", 400, 2025, seed=8, error_rate=0)
    pseudonymise_path(tmp_path / "in", tmp_path / "out", KEY)
    original = compute(read_return(tmp_path / "in" / "current", 2025), la="393")
    hidden = compute(read_return(tmp_path / "out", 2025), la="393")
    # everything that does not turn on the day of birth is unchanged
    same = pl.col("indicator").str.contains("Care leavers|Long-term").not_()
    assert original.filter(same).equals(hidden.filter(same))
