"""The spending forecast: its figures recomputed straight from the LAIT file, no peeking, the
service's entry point and the command."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from typer.testing import CliRunner

from alliance.cli import app
from forecast import backtest, model, published, spending
from forecast.model import Panel
from forecast.published import LAIT, shared_path

runner = CliRunner()


@pytest.fixture(scope="module")
def spending_panel(real_panel: Panel) -> Panel:
    return spending.load_spending_panel(real_panel)


def _raw(measure: str) -> pl.DataFrame:
    """Independent of the library: code, year (the 31 March the figure belongs to), value."""
    raw = pl.read_parquet(shared_path(*LAIT)).filter(pl.col("Short Desc") == measure)
    return raw.select(
        code=pl.col("LA Number").cast(pl.Int64),
        year=pl.col("Years").str.slice(0, 4).cast(pl.Int64)
        + pl.col("Years").str.contains("OT").cast(pl.Int64),
        value=pl.col("Values").cast(pl.Float64, strict=False),
    ).filter(pl.col("code") < 970, pl.col("value").is_not_null(), pl.col("value") > 0)


def test_spending_is_read_as_the_financial_year_ending_31_march() -> None:
    table = published.lait_measure(published.SPENDING)
    raw = pl.read_parquet(shared_path(*LAIT)).filter(
        pl.col("Short Desc") == "TotalLACFinance", pl.col("Years") == "2022-23 (OT)"
    )
    for row in raw.filter(pl.col("LA Number").is_in([301.0, 886.0, 330.0])).iter_rows(named=True):
        code = str(int(row["LA Number"])).zfill(3)
        got = table.filter(pl.col("la_number") == code, pl.col("year") == 2023)["value"][0]
        assert got == float(row["Values"])
    assert table["year"].min() == 2017
    assert table["year"].max() == 2025


def test_the_forecast_recomputed_from_the_raw_file(spending_panel: Panel) -> None:
    """Spending in the origin year, raised each year ahead by the typical rise: the mean, over
    the last three years, of the median council's change in log spending that year."""
    origin = 2022
    spend = _raw("TotalLACFinance").sort("code", "year")
    changes = spend.with_columns(
        change=pl.col("value").log().diff().over("code"), gap=pl.col("year").diff().over("code")
    ).filter(pl.col("gap") == 1, pl.col("year") <= origin)
    medians = changes.group_by("year").agg(pl.col("change").median()).sort("year")
    rise = medians.filter(pl.col("year") > origin - 3)["change"].mean()
    assert isinstance(rise, float)
    assert 0.02 < rise < 0.15  # spending rose every year
    table = spending.forecast(spending_panel, origin, 3)
    for code in (301, 886, 213, 937):
        level = spend.filter(pl.col("code") == code, pl.col("year") == origin)["value"][0]
        for h in (1, 2, 3):
            got = table.filter(pl.col("la_number") == str(code), pl.col("year") == origin + h)
            assert got["forecast"][0] == pytest.approx(level * math.exp(rise * h), rel=1e-9)
            assert got["lower80"][0] < got["forecast"][0] < got["upper80"][0]
            assert got["lower95"][0] < got["lower80"][0]


def test_the_range_widens_in_proportion_to_the_years_ahead(spending_panel: Panel) -> None:
    table = spending.forecast(spending_panel, 2024, 3).filter(pl.col("la_number") == "886")
    up = (table["upper80"] / table["forecast"]).log().to_list()
    down = (table["forecast"] / table["lower95"]).log().to_list()
    for width in (up, down):
        assert width[1] == pytest.approx(2 * width[0])
        assert width[2] == pytest.approx(3 * width[0])


def test_children_times_spending_per_child_is_a_sound_alternative(
    spending_panel: Panel, real_panel: Panel
) -> None:
    counts = model.pooled_model(real_panel, 2022, 3)
    both = spending.children_times_cost(spending_panel, 2022, 3)
    row = real_panel.codes.index("886")
    per_child = np.exp(both[row] - counts[row])  # £ a year per child looked after
    assert (per_child > 30_000).all()
    assert (per_child < 300_000).all()
    assert per_child[0] < per_child[1] < per_child[2]


def test_no_peeking_later_spending_does_not_change_the_forecast(real_panel: Panel) -> None:
    rng = np.random.default_rng(5)
    spend = published.lait_measure(published.SPENDING)
    factors = pl.Series(rng.uniform(0.2, 5.0, spend.height))
    altered = spend.with_columns(
        value=pl.when(pl.col("year") > 2020).then(pl.col("value") * factors).otherwise("value")
    )
    removed = spend.filter(pl.col("year") <= 2020)
    honest = spending.forecast(spending.spending_panel(real_panel, spend), 2020, 3)
    for changed in (altered, removed):
        assert honest.equals(
            spending.forecast(spending.spending_panel(real_panel, changed), 2020, 3)
        )
    later = spending.forecast(spending.spending_panel(real_panel, altered), 2022, 1)
    assert not later.equals(spending.forecast(spending.spending_panel(real_panel, spend), 2022, 1))


def test_forecast_spending_for_the_service(spending_panel: Panel) -> None:
    table = spending.forecast_spending(2025, 3, spending_panel)
    assert table.columns == ["la_number", "year", "forecast", "lower80", "upper80", "unit"]
    assert set(table["unit"].to_list()) == {"£"}
    assert sorted(table["year"].unique().to_list()) == [2026, 2027, 2028]
    published_2025 = _raw("TotalLACFinance").filter(pl.col("year") == 2025)
    expected = {str(code).zfill(3) for code in published_2025["code"].to_list()}
    assert set(table["la_number"].to_list()) == expected


def test_too_early_an_origin_is_refused(spending_panel: Panel) -> None:
    with pytest.raises(ValueError, match="spending is published from"):
        spending.forecast(spending_panel, 2017, 3)


def test_naive_spending_mape_matches_an_independent_recomputation(spending_panel: Panel) -> None:
    table = backtest.run(spending_panel, [2019, 2020], 2, spending.METHODS, spending.forecast)
    assert table["method"].unique(maintain_order=True).to_list() == list(spending.METHODS)
    spend = _raw("TotalLACFinance").filter(~pl.col("code").is_in([201, 420]))
    for horizon in (1, 2):
        later = spend.with_columns(year=pl.col("year") - horizon).rename({"value": "actual"})
        pairs = spend.join(later, on=["code", "year"]).filter(pl.col("year").is_in([2019, 2020]))
        errors = ((pairs["value"] - pairs["actual"]).abs() / pairs["actual"]).to_list()
        row = table.filter(
            pl.col("method") == "naive persistence", pl.col("horizon") == horizon
        ).row(0, named=True)
        assert row["forecasts"] == len(errors)
        assert row["mape"] == pytest.approx(100 * sum(errors) / len(errors), abs=0.005)


def test_the_command_writes_spending(tmp_path: Path) -> None:
    out = tmp_path / "spending.csv"
    result = runner.invoke(
        app,
        ["forecast", "published", "--measure", "spending", "--up-to", "2024", "--horizon", "2",
         "--out", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "£" in result.output
    table = pl.read_csv(out, schema_overrides={"la_number": pl.Utf8})
    assert table.columns == ["la_number", "year", "forecast", "lower80", "upper80"]
    assert sorted(table["year"].unique().to_list()) == [2025, 2026]
    assert table["forecast"].median() > 1_000_000  # pounds, not thousands
    assert table["forecast"].dtype == pl.Int64  # whole pounds


def test_the_command_refuses_a_year_before_spending_is_published(tmp_path: Path) -> None:
    out = tmp_path / "spending.csv"
    result = runner.invoke(
        app,
        ["forecast", "published", "--measure", "spending", "--up-to", "2016", "--out", str(out)],
    )
    assert result.exit_code == 1
    assert "--up-to must be a year from 2018" in result.output
    assert not out.exists()
