"""The one postcode tidier, checker and directory the service's apps share."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings

from alliance.organisations import postcodes


@pytest.mark.parametrize(
    ("typed", "tidied"),
    [("ne332rl", "NE33 2RL"), (" ne33   2rl ", "NE33 2RL"), ("sw1a1aa", "SW1A 1AA"), ("", "")],
)
def test_normalise_puts_one_space_before_the_inward_code(typed: str, tidied: str) -> None:
    assert postcodes.normalise(typed) == tidied


def test_a_postcode_is_checked_after_tidying() -> None:
    assert postcodes.valid_postcode("ne29 6dl") == "NE29 6DL"
    assert postcodes.is_postcode("M1 1AE")
    assert not postcodes.is_postcode("NE29")
    assert not postcodes.is_postcode("NE29 6D1")
    with pytest.raises(ValidationError, match="Enter a real postcode"):
        postcodes.valid_postcode("not a postcode")


def _directory(folder: Path) -> None:
    source = folder / "reference" / "onspd"
    source.mkdir(parents=True)
    with gzip.open(source / "onspd_postcodes.csv.gz", "wt") as f:
        f.write(
            "postcode,easting,northing,lad_code\n"
            "NE33 2RL,436000,566000,E08000023\n"
            "NE99 1AA,,,\n"
            "TD15 1AA,399000,652000,S12000026\n"
            "SW1A 1AA,529090,179645,E09000033\n"
        )


def test_the_directory_holds_only_its_areas(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _directory(tmp_path / "shared")
    monkeypatch.setenv("ALLIANCE_CACHE_DIR", str(tmp_path / "cache"))
    with override_settings(SHARED_DATA_DIR=tmp_path / "shared"):
        north_east = postcodes.PostcodeDirectory(("NE", "TD"))
        assert north_east.grid_reference("ne332rl") == (436000, 566000)
        assert north_east.council_code("NE33 2RL") == "E08000023"
        assert north_east.grid_reference("NE99 1AA") is None  # no grid reference: left out
        assert north_east.grid_reference("SW1A 1AA") is None  # another area
        assert north_east.grid_reference("TD15 1AA") == (399000, 652000)
        assert north_east.council_code("TD15 1AA") is None  # a Scottish council: not English
        # One cache, the statutory library's: a Parquet copy of the whole directory and one
        # file per postcode district; a later process reads only its areas' districts.
        districts = sorted(p.stem for p in (tmp_path / "cache").glob("*-areas/*.parquet"))
        assert districts == ["NE33", "NE99", "SW1A", "TD15"]
        # nothing under the service's own folder (the test's, made empty by the fixtures)
        assert not any((tmp_path / "var").iterdir())
        again = postcodes.PostcodeDirectory(("NE", "TD"))
        assert again.table() == north_east.table()
