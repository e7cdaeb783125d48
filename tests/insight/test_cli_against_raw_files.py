"""The CSV an analyst takes away (`alliance insight improvement --out`) against the raw files.

The library's figures are checked against a hand-written product-limit estimate in
`test_against_raw_files.py`; this checks the file the command writes, row by row, against
the same independent recomputation, so a mistake in writing the CSV (a column swapped,
rounding, a missing group) cannot pass.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliance.cli import app
from tests.insight.test_against_raw_files import greenwood_log_log, product_limit, raw_spells

runner = CliRunner()


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> list[dict[str, str]]:
    out: Path = tmp_path_factory.mktemp("insight") / "improvement.csv"
    result = runner.invoke(app, ["insight", "improvement", "--out", str(out)])
    assert result.exit_code == 0, result.output
    with out.open(newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize(
    ("start", "years"),
    [
        ("inadequate", 1.0),
        ("inadequate", 3.0),
        ("requires-improvement", 2.0),
        ("requires-improvement", 4.0),
    ],
)
def test_the_csv_gives_the_hand_computed_share_and_counts_at_risk(
    written: list[dict[str, str]], start: str, years: float
) -> None:
    by_hand = raw_spells(start)
    (row,) = [
        r
        for r in written
        if (r["start_judgement"], r["framework"]) == (start, "all") and float(r["years"]) == years
    ]
    share = float(row["share_good_or_better"])
    assert share == pytest.approx(1 - product_limit(by_hand, years), abs=1e-4)
    assert int(row["at_risk"]) == sum(1 for t, _ in by_hand if t >= years - 1e-9)
    assert float(row["lower95"]) <= share <= float(row["upper95"])


def test_the_csv_share_for_both_starting_judgements_together_pools_the_spells(
    written: list[dict[str, str]],
) -> None:
    pooled = raw_spells("inadequate") + raw_spells("requires-improvement")
    (row,) = [
        r
        for r in written
        if (r["start_judgement"], r["framework"]) == ("any", "all") and float(r["years"]) == 5.0
    ]
    assert float(row["share_good_or_better"]) == pytest.approx(
        1 - product_limit(pooled, 5.0), abs=1e-4
    )
    assert int(row["at_risk"]) == sum(1 for t, _ in pooled if t >= 5.0 - 1e-9)


@pytest.mark.parametrize(
    ("start", "framework", "years"),
    [
        ("inadequate", "sif", 2.0),
        ("requires-improvement", "sif", 3.0),
        ("requires-improvement", "ilacs", 4.0),
        ("inadequate", "ilacs", 3.5),
        ("inadequate", "all", 4.0),
    ],
)
def test_the_csv_interval_and_framework_rows_match_a_hand_greenwood_interval(
    written: list[dict[str, str]], start: str, framework: str, years: float
) -> None:
    """Share, interval and count at risk for one framework's spells (the framework of the
    judgement that started the spell), each recomputed here from the raw files."""
    by_hand = raw_spells(start, framework)
    (row,) = [
        r
        for r in written
        if (r["start_judgement"], r["framework"]) == (start, framework)
        and float(r["years"]) == years
    ]
    survival = product_limit(by_hand, years)
    assert float(row["share_good_or_better"]) == pytest.approx(1 - survival, abs=1e-4)
    assert int(row["at_risk"]) == sum(1 for t, _ in by_hand if t >= years - 1e-9)
    lower_s, upper_s = greenwood_log_log(by_hand, years)
    # the share's interval is 1 minus the survival's, the ends swapped
    assert float(row["lower95"]) == pytest.approx(1 - upper_s, abs=1e-4)
    assert float(row["upper95"]) == pytest.approx(1 - lower_s, abs=1e-4)
