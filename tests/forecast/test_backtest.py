"""The backtest: its naive persistence error matches a recomputation straight from the LAIT file,
and the table has what the issue asks for."""

from __future__ import annotations

import polars as pl
import pytest

from forecast import backtest
from forecast.model import Panel
from forecast.published import LAIT, shared_path


def _naive_mape_from_the_raw_file(origins: range, horizon: int) -> tuple[float, int]:
    """Independent of the library: read LACnum from the parquet, pair each council's figure at
    the origin with its figure `horizon` years later, same code, both published."""
    raw = pl.read_parquet(shared_path(*LAIT)).filter(pl.col("Short Desc") == "LACnum")
    values = raw.select(
        code=pl.col("LA Number").cast(pl.Int64),
        year=pl.col("Years").cast(pl.Int64),
        count=pl.col("Values").cast(pl.Float64, strict=False),
    ).filter(
        pl.col("code") < 970,  # England and regions are 970 and above
        ~pl.col("code").is_in([201, 420]),  # City of London, Isles of Scilly: not scored
        pl.col("count").is_not_null(),
    )
    later = values.with_columns(year=pl.col("year") - horizon).rename({"count": "actual"})
    pairs = values.join(later, on=["code", "year"]).filter(pl.col("year").is_in(list(origins)))
    errors = ((pairs["count"] - pairs["actual"]).abs() / pairs["actual"]).to_list()
    return 100 * sum(errors) / len(errors), len(errors)


def test_naive_mape_matches_an_independent_recomputation(real_panel: Panel) -> None:
    table = backtest.run(real_panel, [2019, 2020, 2021, 2022])
    naive = table.filter(pl.col("method") == "naive persistence")
    for horizon in (1, 2, 3):
        expected, count = _naive_mape_from_the_raw_file(range(2019, 2023), horizon)
        row = naive.filter(pl.col("horizon") == horizon).row(0, named=True)
        assert row["forecasts"] == count
        assert row["mape"] == pytest.approx(expected, abs=0.005)


def test_the_table_has_every_method_and_horizon_with_coverage(real_panel: Panel) -> None:
    table = backtest.run(real_panel, [2019, 2020])
    assert table["method"].unique(maintain_order=True).to_list() == [
        "naive persistence",
        "previous year's trend",
        "model",
    ]
    assert table["horizon"].to_list() == [1, 2, 3] * 3
    assert table["coverage80"].is_between(0, 100).all()
    assert (table["coverage95"] >= table["coverage80"]).all()
    text = backtest.markdown(table)
    assert text.count("\n") == 2 + 9 - 1


def test_origins_are_parsed_and_checked(real_panel: Panel) -> None:
    assert backtest.parse_origins("2019-2022") == [2019, 2020, 2021, 2022]
    assert backtest.parse_origins("2021,2019") == [2019, 2021]
    for bad in ("2022-2019", "x", "2019-"):
        with pytest.raises(ValueError, match="origins must look like"):
            backtest.parse_origins(bad)
    with pytest.raises(ValueError, match="before 2025"):
        backtest.run(real_panel, [2025])
