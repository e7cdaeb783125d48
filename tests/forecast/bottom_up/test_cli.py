"""`alliance forecast returns` on generated returns."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from typer.testing import CliRunner

from alliance.cli import app

runner = CliRunner()


def test_it_writes_each_year_after_the_last_return(six_years: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "forecast.csv"
    args = ["forecast", "returns", *map(str, six_years[:4]), "--horizon", "3", "--la", "392"]
    result = runner.invoke(app, [*args, "--out", str(out)])
    assert result.exit_code == 0, result.output
    table = pl.read_csv(out, schema_overrides={"la_number": pl.Utf8})
    assert table.columns == ["la_number", "year", "forecast", "lower80", "upper80"]
    assert table["year"].to_list() == [2024, 2025, 2026]
    assert table["la_number"].to_list() == ["392"] * 3
    assert (table["lower80"] <= table["forecast"]).all()
    assert (table["forecast"] <= table["upper80"]).all()
    by_state = tmp_path / "by-state.csv"
    result = runner.invoke(app, [*args, "--by-state", "--out", str(by_state)])
    assert result.exit_code == 0, result.output
    assert pl.read_csv(by_state)["state"].n_unique() == 8


def test_bad_input_is_a_plain_error_and_writes_nothing(
    six_years: list[Path], tmp_path: Path
) -> None:
    out = tmp_path / "forecast.csv"
    for args, words in [
        ([six_years[0], six_years[1]], "at least 3 consecutive years"),
        ([six_years[0], six_years[2], six_years[3]], "missing: 2021"),
        ([*six_years[:3], "--horizon", "9"], "--horizon must be between 1 and 5"),
    ]:
        result = runner.invoke(app, ["forecast", "returns", *map(str, args), "--out", str(out)])
        assert result.exit_code == 1
        assert words in result.output
        assert not out.exists()
