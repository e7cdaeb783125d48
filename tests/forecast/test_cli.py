"""`alliance forecast published` and `alliance forecast backtest` on the real figures."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from alliance.cli import app
from forecast.published import LAIT, shared_path

runner = CliRunner()


def test_published_writes_every_council_for_the_years_after_the_origin(tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    result = runner.invoke(
        app, ["forecast", "published", "--up-to", "2022", "--horizon", "3", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, schema_overrides={"la_number": pl.Utf8})
    assert table.columns == ["la_number", "year", "forecast", "lower80", "upper80"]
    assert sorted(table["year"].unique().to_list()) == [2023, 2024, 2025]
    per_council = table.group_by("la_number").agg(pl.col("year").sort())
    assert all(years == [2023, 2024, 2025] for years in per_council["year"].to_list())
    # every council with a published figure at 31 March 2022 (the 2022 councils' codes)
    raw = pl.read_parquet(shared_path(*LAIT)).filter(
        pl.col("Short Desc") == "LACnum", pl.col("Years") == "2022", pl.col("Values") != "-"
    )
    expected = {str(int(code)).zfill(3) for code in raw["LA Number"].to_list() if code < 970}
    assert set(table["la_number"].to_list()) == expected
    assert ((table["lower80"] <= table["forecast"]) & (table["forecast"] <= table["upper80"])).all()


def test_published_horizon_five(tmp_path: Path) -> None:
    out = tmp_path / "five.csv"
    result = runner.invoke(
        app, ["forecast", "published", "--up-to", "2025", "--horizon", "5", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert sorted(pl.read_csv(out)["year"].unique().to_list()) == list(range(2026, 2031))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--up-to", "2030"], "--up-to must be a year from"),
        (["--up-to", "2013"], "--up-to must be a year from"),
        (["--up-to", "2022", "--horizon", "0"], "--horizon must be between 1 and 5"),
        (["--up-to", "2022", "--horizon", "6"], "--horizon must be between 1 and 5"),
    ],
)
def test_published_bad_input_gives_one_line_and_fails(
    tmp_path: Path, arguments: list[str], message: str
) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(app, ["forecast", "published", *arguments, "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0
    assert message in result.output
    assert not out.exists()


def test_published_unwritable_out_path(tmp_path: Path) -> None:
    for out in (tmp_path / "missing-folder" / "x.csv", tmp_path):
        result = runner.invoke(app, ["forecast", "published", "--up-to", "2022", "--out", str(out)])
        assert result.exit_code == 1
        assert result.output.startswith("Error: cannot write")
        assert result.output.strip().count("\n") == 0


def test_backtest_prints_and_writes_the_table(tmp_path: Path) -> None:
    out = tmp_path / "backtest.csv"
    result = runner.invoke(
        app, ["forecast", "backtest", "--origins", "2019-2022", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "| naive persistence | 1 |" in result.output
    table = pl.read_csv(out)
    assert table.columns == ["method", "horizon", "forecasts", "mape", "coverage80", "coverage95"]
    assert table.height == 9


def test_backtest_bad_origins_fail(tmp_path: Path) -> None:
    result = runner.invoke(app, ["forecast", "backtest", "--origins", "2025"])
    assert result.exit_code == 1
    assert result.output.strip().count("\n") == 0


def test_backtest_of_spending_prints_its_methods() -> None:
    result = runner.invoke(
        app, ["forecast", "backtest", "--measure", "spending", "--origins", "2020,2021"]
    )
    assert result.exit_code == 0, result.output
    assert "typical council's rise" in result.output
    assert "children x spending per child" in result.output


def test_backtest_of_spending_refuses_an_origin_before_two_years_of_spending() -> None:
    result = runner.invoke(
        app, ["forecast", "backtest", "--measure", "spending", "--origins", "2017"]
    )
    assert result.exit_code == 1
    assert "spending is published from the year ending 31 March 2017" in result.output
