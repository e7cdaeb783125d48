"""`Postcodes.rows_for` reads only the districts a return's postcodes are in, from a per-district
copy of the national directory, and finds exactly what the whole directory finds."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from statutory.engine import postcodes
from statutory.engine.postcodes import Postcodes


@pytest.fixture
def fresh_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A cache folder of the test's own, seeded with the user's Parquet copy when there is one
    (so the test does not parse the 2.7M-row CSV), and no directory loaded in memory."""
    monkeypatch.setenv("ALLIANCE_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(Postcodes, "_shared", None)
    cached = postcodes._cache_path(postcodes.shared_path(*postcodes.ONSPD))
    assert cached is not None
    home = Path.home() / ".cache" / "alliance" / cached.name
    if home.exists():
        shutil.copy(home, tmp_path / cached.name)
    return tmp_path


def test_rows_for_finds_what_the_whole_directory_finds(fresh_cache: Path) -> None:
    whole = Postcodes.shared().frame
    sample = whole.sample(400, seed=1)["postcode_key"]
    keys = pl.concat([sample, pl.Series(["NOTAPC", "1234", "ZZ99 9ZZ", "E1", ""])])
    expected = whole.filter(pl.col("postcode_key").is_in(keys.implode()))
    # first call: writes the per-district copy from the loaded directory
    first = Postcodes.rows_for(keys)
    assert any(fresh_cache.glob("*-areas/*.parquet"))
    # a new process: the directory is not in memory; only the districts needed are read
    Postcodes._shared = None
    again = Postcodes.rows_for(keys)
    assert Postcodes._shared is None
    for found in (first, again):
        assert_frame_equal(found.sort("postcode_key"), expected.sort("postcode_key"))


def test_in_areas_reads_a_region_as_the_whole_directory_holds_it(fresh_cache: Path) -> None:
    whole = Postcodes.shared().frame
    area = pl.col("postcode_key").str.extract(r"^([A-Z]+)", 1)
    expected = whole.filter(area.is_in(["NE", "SR"])).sort("postcode_key")
    # N and S are areas too: "NE" must not take "N1 …" nor "SR" take "S1 …"
    first = Postcodes.in_areas(["ne", "SR"])
    assert any(fresh_cache.glob("*-areas/*.parquet"))
    Postcodes._shared = None
    again = Postcodes.in_areas(("NE", "SR"))
    assert Postcodes._shared is None
    for found in (first, again):
        assert_frame_equal(found.sort("postcode_key"), expected)
    assert set(expected["postcode_key"].str.extract(r"^([A-Z]+)", 1).unique()) == {"NE", "SR"}
    assert Postcodes.in_areas(["QQ"]).height == 0
