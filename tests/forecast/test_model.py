"""The forecast model on small built data and on the real figures."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import polars as pl
import pytest
from sklearn.linear_model import QuantileRegressor, Ridge

from forecast import model, published, regression
from forecast.model import Panel, features, forecast, from_tables
from forecast.published import LAIT, shared_path
from tests.forecast.conftest import built_panel, trending_counts

# Forty-one councils whose trends balance out (England flat), from -10% to +10% a year.
RATES = {f"{800 + k}": (k - 20) / 200 for k in range(41)}


def test_a_council_on_a_steady_trend_is_forecast_on_its_trend() -> None:
    panel = built_panel(trending_counts(RATES))
    result = forecast(panel, 2022, 3)
    for code, rate in RATES.items():
        at_origin = 400.0 * math.exp(rate * (2022 - 2013))
        for h in (1, 2, 3):
            row = result.filter(pl.col("la_number") == code, pl.col("horizon") == h).row(
                0, named=True
            )
            expected = at_origin * math.exp(rate * h)
            assert row["forecast"] == pytest.approx(expected, rel=0.02), (code, h)


def test_persistence_and_last_years_trend_on_a_steady_line() -> None:
    counts = {"801": {y: 100.0 + 10 * (y - 2013) for y in range(2013, 2026)}}
    panel = built_panel({**counts, "802": dict.fromkeys(range(2013, 2026), 100.0)})
    trend = np.exp(model.previous_trend(panel, 2020, 3))[0]
    assert trend == pytest.approx([180.0, 190.0, 200.0])
    assert np.exp(model.persistence(panel, 2020, 3))[0] == pytest.approx([170.0] * 3)


def test_last_years_trend_carries_the_level_when_last_year_is_unknown() -> None:
    counts: dict[str, dict[int, float | None]] = {
        "801": {y: 100.0 + 10 * (y - 2013) for y in range(2013, 2026)}
    }
    counts["801"][2019] = None
    panel = built_panel({**counts, "802": dict.fromkeys(range(2013, 2026), 100.0)})
    assert np.exp(model.previous_trend(panel, 2020, 2))[0] == pytest.approx([170.0, 170.0])


def test_a_suppressed_year_is_missing_not_zero() -> None:
    counts = trending_counts(RATES)
    counts["815"][2018] = None  # suppressed in 2018
    counts["816"][2022] = None  # suppressed at the origin
    panel = built_panel(counts)
    row = panel.codes.index("815")
    assert np.isnan(panel.log_count[row, panel.column(2018)])
    # No fall to zero and back: the changes into and out of the missing year are unknown.
    assert np.isnan(panel.growth[row, panel.column(2018)])
    assert np.isnan(panel.growth[row, panel.column(2019)])
    result = forecast(panel, 2022, 3)
    assert "816" not in result["la_number"].to_list()  # no figure at the origin: no forecast
    assert result["forecast"].is_finite().all()
    assert (result["lower80"] > 0).all()


def test_intervals_widen_with_horizon(real_panel: Panel) -> None:
    result = forecast(real_panel, 2022, 3).with_columns(
        width=(pl.col("upper80") / pl.col("lower80")).log(),
        width95=(pl.col("upper95") / pl.col("lower95")).log(),
    )
    by_council = result.group_by("la_number").agg(pl.col("width").sort_by("horizon"))
    widening = by_council.filter(
        pl.col("width").list.get(0) < pl.col("width").list.get(1),
        pl.col("width").list.get(1) < pl.col("width").list.get(2),
    )
    assert widening.height == by_council.height
    assert (result["width95"] > result["width"]).all()
    assert (result["lower80"] <= result["forecast"]).all()
    assert (result["forecast"] <= result["upper80"]).all()


def test_the_forecast_is_reproducible(real_panel: Panel) -> None:
    first = forecast(real_panel, 2021, 3)
    again = forecast(model.load_panel(), 2021, 3)
    assert first.equals(again)


def _tables_changed_after(year: int, how: str) -> Panel:
    """The real panel rebuilt from the published tables with every year after `year` altered
    (multiplied by random factors) or removed."""
    rng = np.random.default_rng(7)

    def change(frame: pl.DataFrame) -> pl.DataFrame:
        if how == "removed":
            return frame.filter(pl.col("year") <= year)
        factors = pl.Series(rng.uniform(0.2, 5.0, frame.height))
        return frame.with_columns(
            value=pl.when(pl.col("year") > year)
            .then(pl.col("value") * factors)
            .otherwise(pl.col("value"))
        )

    return from_tables(
        change(published.looked_after()),
        change(published.lait_measure("LAC")),
        change(published.lait_measure(published.STARTED)),
        change(published.lait_measure(published.CEASED)),
        published.neighbours(),
        published.REORGANISATIONS,
        {
            model.ASYLUM: change(published.lait_measure(published.ASYLUM)),
            model.POPULATION: change(published.population()),
        },
    )


@pytest.mark.parametrize("how", ["altered", "removed"])
@pytest.mark.parametrize("method", ["model", "naive persistence", "previous year's trend"])
def test_no_peeking_later_years_do_not_change_the_forecast(
    real_panel: Panel, how: str, method: str
) -> None:
    chosen = model.METHODS[method]
    honest = forecast(real_panel, 2020, 3, chosen)
    changed = forecast(_tables_changed_after(2020, how), 2020, 3, chosen)
    assert honest.equals(changed)
    # and the alteration is real: a forecast from a later origin does change
    if how == "altered":
        later = forecast(_tables_changed_after(2020, how), 2023, 1, chosen)
        assert not later.equals(forecast(real_panel, 2023, 1, chosen))


def test_ridge_matches_scikit_learn() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(size=(200, 4))
    y = x @ np.array([0.5, -0.2, 0.0, 0.1]) + rng.normal(scale=0.1, size=200)
    ours = regression.ridge(x, y, alpha=2.0)
    theirs = Ridge(alpha=2.0, fit_intercept=False).fit(x, y).coef_
    assert ours == pytest.approx(theirs)


def test_median_regression_matches_scikit_learn_and_resists_outliers() -> None:
    rng = np.random.default_rng(4)
    x = rng.normal(size=(300, 4))
    truth = np.array([0.5, -0.2, 0.0, 0.1])
    y = x @ truth + rng.laplace(scale=0.05, size=300)
    y[np.argsort(x[:, 0])[-15:]] += 3.0  # a few councils' extreme years, all on one side
    ours = regression.median_regression(x, y, alpha=0.0)
    theirs = (
        QuantileRegressor(quantile=0.5, alpha=0.0, fit_intercept=False, solver="highs")
        .fit(x, y)
        .coef_
    )
    assert ours == pytest.approx(theirs, abs=0.01)
    assert ours == pytest.approx(truth, abs=0.05)
    # least squares is pulled away by the same outliers
    assert np.abs(regression.ridge(x, y, alpha=0.0) - truth).max() > 0.1


def test_a_reorganised_council_borrows_its_combined_areas_history(real_panel: Panel) -> None:
    def count(code: str, year: int) -> float:
        return math.exp(real_panel.log_count[real_panel.codes.index(code), real_panel.column(year)])

    dorset = real_panel.codes.index("838")
    joined = math.log(
        (count("838", 2020) + count("839", 2020))
        / (count("835", 2019) + count("836", 2019) + count("837", 2019))
    )
    assert real_panel.growth[dorset, real_panel.column(2020)] == pytest.approx(joined)
    before = math.log(
        sum(count(c, 2019) for c in ("835", "836", "837"))
        / sum(count(c, 2018) for c in ("835", "836", "837"))
    )
    assert real_panel.growth[dorset, real_panel.column(2019)] == pytest.approx(before)
    # From its second year on, its own change.
    own = math.log(count("838", 2021) / count("838", 2020))
    assert real_panel.growth[dorset, real_panel.column(2021)] == pytest.approx(own)


def test_a_year_outside_the_figures_or_a_bad_horizon_is_refused(real_panel: Panel) -> None:
    with pytest.raises(ValueError, match="outside the published figures"):
        forecast(real_panel, 2030, 3)
    with pytest.raises(ValueError, match="horizon"):
        forecast(real_panel, 2022, 6)


def test_up_to_also_cuts_the_indicators(real_panel: Panel) -> None:
    extra = np.arange(real_panel.log_count.size, dtype=float).reshape(real_panel.log_count.shape)
    panel = replace(real_panel, indicators={"extra": extra})
    known = panel.up_to(2020)
    assert known.indicators["extra"].shape == known.log_count.shape
    assert known.indicators["extra"][:, -1] == pytest.approx(extra[:, panel.column(2020)])


def test_asylum_measures_recomputed_from_the_raw_files(real_panel: Panel) -> None:
    """Asylum-seeking children above 0.1% of last year's children aged 0-17, and their change,
    per child looked after: LAIT and ONS read directly."""
    raw = pl.read_parquet(shared_path(*LAIT))

    def lait(measure: str, code: float, year: int) -> float:
        row = raw.filter(
            pl.col("Short Desc") == measure,
            pl.col("LA Number") == code,
            pl.col("Years") == str(year),
        )
        return float(row["Values"][0])

    ons = pl.read_csv(shared_path(*published.POPULATION), infer_schema_length=0)
    for code in (886.0, 213.0):  # Kent, Westminster: many asylum-seeking children
        population = float(
            ons.filter(
                pl.col("geographic_level") == "Local authority",
                pl.col("old_la_code") == str(int(code)),
                pl.col("time_period") == "2021",
            )["population_estimate"][0]
        )
        looked_after = lait("LACnum", code, 2022)
        now, before = (lait("Unacc_Asylmn_Seek_Childn", code, y) for y in (2022, 2021))
        excess, arrived = model._asylum(real_panel, real_panel.column(2022))
        row = real_panel.codes.index(str(int(code)))
        assert excess[row] == pytest.approx((now - 0.001 * population) / looked_after)
        assert arrived[row] == pytest.approx((now - before) / looked_after)


def test_a_panel_without_asylum_figures_reads_them_as_the_average_council() -> None:
    panel = built_panel(trending_counts({"100": 0.02, "200": -0.01, "300": 0.0}))
    assert not panel.indicators
    assert (features(panel, 2020)[:, 4:] == 0).all()


def test_training_pairs_are_each_years_measures_and_the_change_that_followed() -> None:
    counts: dict[str, dict[int, float | None]] = {
        "801": {y: 100.0 * 2 ** (y - 2013) for y in range(2013, 2019)},  # doubles every year
        "802": dict.fromkeys(range(2013, 2019), 50.0),
        "201": dict.fromkeys(range(2013, 2019), 20.0),  # City of London: never scored
    }
    counts["802"][2017] = None  # suppressed: no pair starting or ending in 2017
    known = built_panel(counts).up_to(2018)
    rows = {code: row for row, code in enumerate(known.codes)}
    table = {}
    for year in range(2013, 2019):
        measures = np.full((3, 2), float(year))
        measures[:, 1] = [10.0, 20.0, 30.0]
        table[year] = measures
    table[2014][rows["801"], 0] = np.nan  # a missing measure leaves the row out
    x, y, years = model.training_pairs(known, table, 2)
    # Starts 2013-2016 (2017 and 2018 have no outcome two years on by 2018); 802 has none
    # ending in its missing 2017; 801 none from 2014, its measure missing; City of London none.
    councils = [known.codes[round(r / 10) - 1] for r in x[:, 1]]
    assert list(zip(years.tolist(), councils, strict=True)) == [
        (2013, "801"), (2013, "802"), (2014, "802"), (2015, "801"), (2016, "801"), (2016, "802"),
    ]  # fmt: skip
    assert x[:, 0].tolist() == [2013.0, 2013.0, 2014.0, 2015.0, 2016.0, 2016.0]
    assert np.exp(y) == pytest.approx([4.0, 1.0, 1.0, 4.0, 4.0, 1.0])
