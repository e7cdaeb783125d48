"""`alliance insight …`: the CSV columns, and a one-line message with exit 1 on bad input."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliance.cli import app
from insight.judgements import COUNCILS, DATA_2023, OUTCOMES_2025, SCRAPE
from statutory.reference import shared_data_dir

runner = CliRunner()


def read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="") as handle:
        return list(csv.DictReader(handle))


def test_improvement_writes_the_survival_estimates_with_the_columns_analysts_expect(
    tmp_path: Path,
) -> None:
    out = tmp_path / "improvement.csv"
    result = runner.invoke(app, ["insight", "improvement", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output
    with out.open() as handle:
        header = handle.readline().strip()
    assert header == "start_judgement,framework,years,share_good_or_better,lower95,upper95,at_risk"
    rows = read(out)
    assert {r["start_judgement"] for r in rows} == {"inadequate", "requires-improvement", "any"}
    assert {r["framework"] for r in rows} == {"sif", "ilacs", "all"}
    for row in rows:
        share, low, high = (
            float(row["share_good_or_better"]),
            float(row["lower95"]),
            float(row["upper95"]),
        )
        assert 0 <= low <= share <= high <= 1
        assert int(row["at_risk"]) >= 1
    quarter_years = {
        float(r["years"]) for r in rows if (r["start_judgement"], r["framework"]) == ("any", "all")
    }
    assert {0.0, 0.25, 0.5, 1.0, 2.0, 5.0} <= quarter_years


def test_improvement_by_region_adds_a_region_column(tmp_path: Path) -> None:
    out = tmp_path / "regions.csv"
    result = runner.invoke(app, ["insight", "improvement", "--by-region", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = read(out)
    assert list(rows[0]) == [
        "start_judgement",
        "framework",
        "region",
        "years",
        "share_good_or_better",
        "lower95",
        "upper95",
        "at_risk",
    ]
    assert "London" in {r["region"] for r in rows}


def test_transitions_writes_the_full_table_with_counts(tmp_path: Path) -> None:
    out = tmp_path / "transitions.csv"
    result = runner.invoke(app, ["insight", "transitions", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = read(out)
    assert list(rows[0]) == [
        "from_framework",
        "to_framework",
        "change",
        "from_judgement",
        "to_judgement",
        "count",
        "share",
    ]
    assert len(rows) == 48
    assert {r["change"] for r in rows} == {"within SIF", "SIF to ILACS", "within ILACS"}
    assert sum(int(r["count"]) for r in rows) > 300


def test_an_output_folder_that_does_not_exist_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["insight", "improvement", "--out", str(tmp_path / "missing" / "x.csv")]
    )
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: folder {tmp_path / 'missing'} does not exist"
    ]


def test_a_missing_data_folder_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(
        app,
        ["insight", "transitions", "--out", str(tmp_path / "x.csv"), "--data-dir", str(tmp_path)],
    )
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith("Error: la_reference_153_2024.csv: file not found")
    assert not (tmp_path / "x.csv").exists()


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (COUNCILS, "la_reference_153_2024.csv row 1: missing column 'new_la_code'"),
        (OUTCOMES_2025, "LA_Inspection_Outcomes_as_at_31_March_2025.ods: could not read sheet"),
    ],
)
def test_a_published_file_in_the_wrong_shape_names_the_file(
    tmp_path: Path, broken: str, expected: str
) -> None:
    real = shared_data_dir()
    for relative in (COUNCILS, OUTCOMES_2025, DATA_2023, SCRAPE):
        target = tmp_path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if relative == broken:
            target.write_text("old_la_code,la_name\n201,City of London\n")
        else:
            target.symlink_to(real / relative)
    result = runner.invoke(
        app,
        [
            "insight",
            "improvement",
            "--out",
            str(tmp_path / "x.csv"),
            "--data-dir",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 1
    (line,) = result.output.strip().splitlines()
    assert line.startswith(f"Error: {expected}")


def test_a_history_the_spells_cannot_be_built_from_is_one_line_and_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A council judged after the day it ended: its spell would be censored before it began."""
    import datetime as dt

    from insight import judgements

    ended = judgements.Council("E0", "", "Gone", "London", ended=dt.date(2019, 4, 1))
    other = judgements.Council("E1", "001", "Here", "London")
    history = judgements.History(
        councils={"E0": ended, "E1": other},
        judgements=[
            judgements.Judgement(
                "E0", judgements.ILACS_STANDARD, dt.date(2020, 1, 1), overall="inadequate"
            ),
            judgements.Judgement(
                "E1", judgements.ILACS_STANDARD, dt.date(2024, 1, 1), overall="good"
            ),
        ],
    )
    monkeypatch.setattr(judgements, "load_history", lambda data_dir=None: history)
    result = runner.invoke(app, ["insight", "improvement", "--out", str(tmp_path / "x.csv")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == ["Error: E0: censored before the spell began"]
