"""Reading the published figures: suppressed values are missing, never zero; older years are
chain-linked to LAIT's 2016 figure."""

from __future__ import annotations

import math
from pathlib import Path

import polars as pl
import pytest

from forecast import published
from tests.forecast.conftest import tidy


@pytest.mark.parametrize("marker", ["c", "z", "x", "low", "-", "", " c "])
def test_suppressed_markers_are_missing_not_zero(marker: str) -> None:
    assert published.number(marker) is None


def test_numbers_are_read_with_commas_and_scientific_notation() -> None:
    assert published.number("1,234") == 1234.0
    assert published.number("1.5e2") == 150.0
    assert published.number("0") == 0.0


def _lait_file(tmp_path: Path, values: list[tuple[str, str, str, float]]) -> Path:
    path = tmp_path / "bds.parquet"
    pl.DataFrame(
        {
            "Short Desc": [v[0] for v in values],
            "Years": [v[1] for v in values],
            "Values": [v[2] for v in values],
            "LA Number": [v[3] for v in values],
        }
    ).write_parquet(path)
    return path


def test_lait_measure_reads_suppressed_values_as_missing(tmp_path: Path) -> None:
    path = _lait_file(
        tmp_path,
        [
            ("LACnum", "2019", "120", 301.0),
            ("LACnum", "2020", "c", 301.0),
            ("LACnum", "2021", "-", 301.0),
            ("LACnum", "2021", "5000", 970.0),  # England, not a council
            ("LACFinance", "2019-20 (OT)", "9", 301.0),
        ],
    )
    table = published.lait_measure("LACnum", path)
    assert table.rows() == [("301", 2019, 120.0), ("301", 2020, None), ("301", 2021, None)]


def test_older_years_are_chain_linked_to_lait_2016() -> None:
    lait = tidy([("301", 2016, 400.0), ("301", 2017, 410.0)])
    older = tidy([("301", 2014, 300.0), ("301", 2015, 330.0), ("301", 2016, 360.0)])
    linked = published.looked_after(lait, older)
    values = dict(zip(linked["year"].to_list(), linked["value"].to_list(), strict=True))
    assert values[2016] == 400.0  # LAIT's figure wins
    assert math.isclose(values[2015], 330.0 * 400 / 360)  # older change kept, LAIT's level
    assert math.isclose(values[2014] / values[2015], 300 / 330)


def test_real_looked_after_has_every_council_and_no_zero_for_suppressed() -> None:
    table = published.looked_after()
    raw = pl.read_parquet(published.shared_path(*published.LAIT)).filter(
        pl.col("Short Desc") == "LACnum", pl.col("Values") == "-"
    )
    assert raw.height > 0
    suppressed = {
        (str(int(r["LA Number"])).zfill(3), int(r["Years"])) for r in raw.iter_rows(named=True)
    }
    read = {(c, y): v for c, y, v in table.rows()}
    assert all(read[key] is None for key in suppressed if key in read)
    assert {"838", "839", "940", "941", "942", "943", "909", "928"} <= {c for c, _ in read}


def test_neighbours_are_ten_three_digit_codes() -> None:
    neighbours = published.neighbours()
    assert len(neighbours) == 153
    assert all(len(codes) == 10 for codes in neighbours.values())
    assert neighbours["301"][0] == "308"
