"""The stored forecast and backtest the service's pages read: the same figures the library makes,
back from the file as they went in, and nothing from an older version of the file."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from forecast import backtest, spending
from forecast.model import forecast
from forecast.precomputed import VERSION, build, load, save


def test_the_stored_figures_are_the_librarys_and_come_back_unchanged(real_panel, tmp_path: Path):
    figures = build(real_panel, today=dt.date(2026, 12, 4))
    assert figures.origin == real_panel.last_year
    expected = forecast(real_panel, real_panel.last_year, 3).filter(la_number="392").to_dicts()
    got = figures.forecasts["392"]
    assert [r["year"] for r in got] == [r["year"] for r in expected]
    for mine, theirs in zip(got, expected, strict=True):
        for column in ("forecast", "lower80", "upper80", "lower95", "upper95"):
            assert mine[column] == pytest.approx(theirs[column], abs=0.05)
    table = backtest.run(real_panel, [2019, 2020, 2021, 2022], 3).to_dicts()
    assert figures.backtest == table
    assert figures.backtest_origins == (2019, 2020, 2021, 2022)
    # the history is the published figures, on the years the panel holds
    assert len(figures.history["392"]) == len(real_panel.years)
    assert figures.years()[-1] == real_panel.last_year

    target = tmp_path / "figures.json"
    save(figures, target)
    assert load(target) == figures
    assert [p.name for p in tmp_path.iterdir()] == ["figures.json"]  # no part-written file left


def test_the_improvement_over_persistence_is_worked_out_from_the_table(real_panel):
    figures = build(real_panel)
    rows = {(r["method"], r["horizon"]): r["mape"] for r in figures.backtest}
    for h in (1, 2, 3):
        naive, model = rows[("naive persistence", h)], rows[("model", h)]
        assert figures.improvement(h) == pytest.approx(100 * (naive - model) / naive)
    assert figures.improvement(4) is None


def test_a_missing_broken_or_older_file_gives_none(tmp_path: Path):
    assert load(tmp_path / "missing.json") is None
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    assert load(broken) is None
    older = tmp_path / "older.json"
    older.write_text(json.dumps({"version": VERSION - 1}))
    assert load(older) is None


def test_the_stored_spending_is_the_librarys_and_comes_back_unchanged(real_panel, tmp_path: Path):
    panel = spending.load_spending_panel(real_panel)
    figures = build(real_panel, spending_panel=panel)
    stored = figures.spending
    assert stored is not None
    assert stored.origin == panel.last_year
    assert stored.years()[0] == spending.FIRST_YEAR  # no years before spending was published
    expected = spending.forecast(panel, panel.last_year, 3).filter(la_number="392").to_dicts()
    for mine, theirs in zip(stored.forecasts["392"], expected, strict=True):
        assert mine["year"] == theirs["year"]
        for column in ("forecast", "lower80", "upper80", "lower95", "upper95"):
            assert mine[column] == pytest.approx(theirs[column])
    table = backtest.run(panel, [2019, 2020, 2021, 2022], 3, spending.METHODS, spending.forecast)
    assert stored.backtest == table.to_dicts()
    assert stored.method == "typical council's rise"
    accuracy = stored.accuracy()
    assert [r["horizon"] for r in accuracy] == [1, 2, 3]
    naive = table.filter(method="naive persistence").sort("horizon")["mape"].to_list()
    assert [r["naive_mape"] for r in accuracy] == naive

    target = tmp_path / "figures.json"
    save(figures, target)
    assert load(target) == figures
