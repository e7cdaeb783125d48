"""The bottom-up forecast on generated returns whose future is known."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from forecast.bottom_up import (
    ForecastInputError,
    Scenario,
    compare,
    default_unit_costs,
    fit,
    load_history,
    project,
)
from forecast.bottom_up.simulate import ALL
from statutory.reference import shared_path
from statutory.ssda903.generator.multi_year import generate_years
from statutory.ssda903.reader import read_return


def _looked_after(folder: Path) -> int:
    year = int(folder.name)
    episodes = read_return(folder, year, check_year=False).tables["Episodes"]
    end = dt.date(year, 3, 31)
    return episodes.filter(
        (pl.col("DECOM") <= end) & (pl.col("DEC").is_null() | (pl.col("DEC") > end))
    )["CHILD"].n_unique()


@pytest.fixture(scope="module")
def model(six_years: list[Path]):
    return fit(load_history(six_years[:4]))


def test_the_start_is_the_number_looked_after_at_the_last_31_march(model, six_years) -> None:
    assert model.start_population.sum() == _looked_after(six_years[3])


def test_the_later_years_fall_inside_the_95_percent_range(model, six_years) -> None:
    totals = project(model, 2, seed=0).totals.filter(pl.col("state") == ALL)
    for row, folder in zip(totals.iter_rows(named=True), six_years[4:], strict=True):
        actual = _looked_after(folder)
        assert row["lower95"] <= actual <= row["upper95"], (row, actual)
        assert abs(row["mean"] - actual) / actual < 0.15


def test_the_same_seed_gives_the_same_forecast_and_another_seed_another(model) -> None:
    one, again, other = (project(model, 3, seed=s, simulations=200) for s in (7, 7, 8))
    assert one.totals.equals(again.totals)
    assert not one.totals.equals(other.totals)


def test_the_states_and_bands_add_up_to_the_total(model) -> None:
    projection = project(model, 2, seed=1, simulations=100)
    by_state = projection.populations.group_by("year").agg(pl.col("mean").sum()).sort("year")
    total = projection.totals.filter(pl.col("state") == ALL).sort("year")
    assert np.allclose(by_state["mean"], total["mean"])


def test_fewer_starters_mean_fewer_children_and_the_difference_has_a_range(model) -> None:
    base = project(model, 3, seed=2, simulations=300)
    fewer = project(
        model,
        3,
        seed=2,
        simulations=300,
        scenario=Scenario(entry_change={"10-15": -0.5, "16-17": -0.5}),
    )
    difference = compare(base, fewer).filter(pl.col("measure") == "children looked after")
    assert (difference["difference"] < 0).all()
    assert difference["upper95"][-1] < 0  # clearly fewer by the third year
    assert difference["difference"][-1] < difference["difference"][0]


def test_stepping_down_and_recruiting_move_children_where_they_should(model) -> None:
    base = project(model, 2, seed=3, simulations=200).totals
    moved = project(
        model,
        2,
        seed=3,
        simulations=200,
        scenario=Scenario(step_down_share=0.5, in_house_recruitment=30),
    ).totals

    def mean(frame: pl.DataFrame, state: str) -> float:
        return frame.filter((pl.col("state") == state) & (pl.col("year") == 2025))["mean"].item()

    assert mean(moved, "residential") < mean(base, "residential")
    assert mean(moved, "agency") < mean(base, "agency")
    assert mean(moved, "in_house") > mean(base, "in_house") + 20


@pytest.mark.parametrize(
    ("scenario", "words"),
    [
        (Scenario(entry_change={"10-15": -1.5}), "negative"),
        (Scenario(in_house_recruitment=-5), "negative"),
        (Scenario(step_down_share=1.2), "between 0% and 100%"),
        (Scenario(entry_change={"teenagers": -0.1}), "No age band"),
    ],
)
def test_impossible_scenarios_are_refused_in_plain_words(model, scenario, words) -> None:
    with pytest.raises(ForecastInputError, match=words):
        project(model, 1, scenario=scenario)


def test_spending_is_weeks_in_care_times_the_weekly_cost(model) -> None:
    costs = default_unit_costs("392")
    projection = project(model, 1, seed=4, simulations=100, unit_costs=costs)
    assert projection.spend is not None
    spend = projection.spend.filter(pl.col("state") == "residential")["mean"].item()
    population = projection.totals.filter(pl.col("state") == "residential")["mean"].item()
    start = model.start_population[2].sum()
    weekly = costs.weekly["residential"]
    assert weekly
    # a year's spending lies between the start's and the end's numbers for a whole year
    low, high = sorted((start, population))
    assert 0.8 * low * weekly * 52 <= spend <= 1.2 * high * weekly * 52.2
    inflated = project(
        model, 1, seed=4, simulations=100, unit_costs=costs, scenario=Scenario(cost_inflation=0.1)
    )
    assert inflated.spend is not None  # the first year is at today's prices
    assert inflated.spend.equals(projection.spend)


def test_default_costs_are_the_published_weekly_figures() -> None:
    raw = pl.read_parquet(shared_path("reference", "dfe-lait", "bds_long_0.parquet"))
    england = raw.filter(
        (pl.col("LA and Regions") == "England") & (pl.col("Years") == "2024-25 (OT)")
    )
    fostering = float(england.filter(pl.col("Short Desc") == "FosteringFinance")["Values"].item())
    residential = float(england.filter(pl.col("Short Desc") == "RescareFinance")["Values"].item())
    costs = default_unit_costs()
    assert costs.weekly["in_house"] == costs.weekly["agency"] == fostering
    assert costs.weekly["residential"] == residential
    assert set(costs.unset) == {"supported", "with_parents", "adoption", "other"}
    assert "2024-25" in costs.sources["residential"]


def test_too_few_years_gaps_and_mixed_councils_are_refused(six_years, tmp_path) -> None:
    with pytest.raises(ForecastInputError, match="at least 3 consecutive years"):
        load_history(six_years[:2])
    with pytest.raises(ForecastInputError, match="missing: 2022"):
        load_history([six_years[0], six_years[1], six_years[3]])
    other = generate_years(tmp_path / "other", 300, 2025, 6, seed=99, la_number=393)
    with pytest.raises(ForecastInputError, match="do not look like one council's"):
        load_history([six_years[0], six_years[1], other[2]])
    with pytest.raises(ForecastInputError, match="same year"):
        load_history([six_years[0], six_years[1], six_years[2], six_years[2]])
    with pytest.raises(ForecastInputError, match="no such file"):
        load_history([tmp_path / "nowhere", six_years[1], six_years[2]])
