"""`generate_years`: one council's returns over several years, consistent from year to year."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise
from pathlib import Path

import polars as pl

from statutory.ssda903.reader import read_return


def _episodes(folder: Path) -> pl.DataFrame:
    return read_return(folder, int(folder.name), check_year=False).tables["Episodes"]


def test_each_year_holds_only_its_own_episodes(six_years: list[Path]) -> None:
    for folder in six_years:
        year = int(folder.name)
        episodes = _episodes(folder)
        assert episodes.height > 200
        assert episodes["DECOM"].max() <= dt.date(year, 3, 31)
        assert (episodes["DEC"].drop_nulls() >= dt.date(year - 1, 4, 1)).all()
        assert (episodes["DEC"].drop_nulls() <= dt.date(year, 3, 31)).all()


def test_a_child_looked_after_at_31_march_is_in_next_years_return_with_the_same_start(
    six_years: list[Path],
) -> None:
    for this, following in pairwise(six_years):
        end = dt.date(int(this.name), 3, 31)
        open_ = _episodes(this).filter(pl.col("DEC").is_null()).select("CHILD", "DECOM")
        later = _episodes(following).select("CHILD", "DECOM")
        assert open_.height > 150
        assert open_.join(later, on=["CHILD", "DECOM"], how="anti").is_empty(), end
        births = [
            read_return(f, int(f.name), check_year=False).tables["Header"].select("CHILD", "DOB")
            for f in (this, following)
        ]
        joined = births[0].join(births[1], on="CHILD", suffix="_next")
        assert (joined["DOB"] == joined["DOB_next"]).all()


def test_every_child_has_left_care_by_their_18th_birthday(six_years: list[Path]) -> None:
    folder = six_years[-1]
    tables = read_return(folder, int(folder.name), check_year=False).tables
    open_ = tables["Episodes"].filter(pl.col("DEC").is_null()).join(tables["Header"], on="CHILD")
    age_days = (pl.lit(dt.date(int(folder.name), 3, 31)) - pl.col("DOB")).dt.total_days()
    assert open_.select((age_days < 18 * 365.25).all()).item()


def test_the_same_seed_writes_the_same_files(tmp_path: Path, six_years: list[Path]) -> None:
    from statutory.ssda903.generator.multi_year import generate_years

    again = generate_years(tmp_path, 300, 2025, 6, seed=0)
    assert (again[-1] / "episodes.csv").read_bytes() == (
        six_years[-1] / "episodes.csv"
    ).read_bytes()


def test_the_command_writes_several_years(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from alliance.cli import app

    result = CliRunner().invoke(
        app, ["903", "generate", "--children", "120", "--years", "3", "--year", "2025",
              "--la", "392", "--out", str(tmp_path)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2023", "2024", "2025"]
    assert (tmp_path / "2025" / "episodes.csv").read_text().startswith("CHILD,DECOM,RNE")
    assert (tmp_path / "2025" / "header.csv").exists()
