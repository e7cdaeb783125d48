"""The stored Insight figures: the same as computing them afresh, dated, and read back whole."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from typer.testing import CliRunner

from alliance.cli import app
from insight.associations import read_measures
from insight.improvement import estimates
from insight.judgements import History, load_history
from insight.precomputed import build, load, national_days, save
from insight.standing import share_below_good
from insight.transitions import transitions

runner = CliRunner()


@pytest.fixture(scope="module")
def history() -> History:
    return load_history()


def test_saved_figures_read_back_equal_to_a_fresh_computation(
    history: History, tmp_path: Path
) -> None:
    path = tmp_path / "insight.json"
    save(build(history, today=dt.date(2026, 1, 2)), path)
    figures = load(path)
    assert figures is not None
    assert figures.computed_on == dt.date(2026, 1, 2)
    assert figures.data_until == history.latest_publication()
    assert figures.by_framework == estimates(history)
    assert figures.by_region == estimates(history, by_region=True)
    assert figures.transitions == transitions(history)
    # What "Did support work?" and the practice page need comes back as it went in.
    assert figures.history.councils == history.councils
    assert [
        (j.council, j.framework, j.published, j.overall) for j in figures.history.judgements
    ] == [(j.council, j.framework, j.published, j.overall) for j in history.overall()]
    assert figures.measures == read_measures()
    assert figures.national == share_below_good(history, national_days(history))
    assert figures.national[0].day == dt.date(2015, 3, 31)
    assert figures.national[-1].day > history.latest_publication()
    assert not list(tmp_path.glob("*.partial"))


def test_figures_not_yet_computed_or_from_an_older_version_are_none(tmp_path: Path) -> None:
    assert load(tmp_path / "missing.json") is None
    old = tmp_path / "old.json"
    old.write_text('{"version": 0}', encoding="utf-8")
    assert load(old) is None


def test_the_command_writes_the_figures_and_says_when(tmp_path: Path) -> None:
    out = tmp_path / "insight.json"
    result = runner.invoke(app, ["insight", "precompute", "--out", str(out)])
    assert result.exit_code == 0, result.output
    figures = load(out)
    assert figures is not None
    assert figures.computed_on == dt.date.today()
    assert f"{figures.data_until:%d %B %Y}" in result.output
    assert figures.by_framework
    assert figures.transitions


def test_the_command_into_a_missing_folder_is_one_line_and_exit_1(tmp_path: Path) -> None:
    result = runner.invoke(app, ["insight", "precompute", "--out", str(tmp_path / "no" / "x.json")])
    assert result.exit_code == 1
    assert "does not exist" in result.output
