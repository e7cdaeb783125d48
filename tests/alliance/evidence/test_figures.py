"""`alliance load-reference` computes and stores the Insight figures the pages read."""

from __future__ import annotations

import datetime as dt
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from alliance.evidence import figures
from alliance.organisations.reference import ReferenceFileError
from insight.improvement import estimates
from insight.judgements import load_history


def test_load_reference_stores_the_figures_dated(reference_data, settings, tmp_path: Path) -> None:
    settings.CACHE_DIR = tmp_path
    assert figures.current() is None
    call_command("load_reference", data_dir=settings.SHARED_DATA_DIR, stdout=StringIO())
    stored = figures.current()
    assert stored is not None
    assert figures.path().parent == tmp_path
    assert stored.computed_on == dt.date.today()
    history = load_history(settings.SHARED_DATA_DIR)
    assert stored.data_until == history.latest_publication()
    assert stored.by_framework == estimates(history)


def test_a_missing_judgement_file_stops_the_load_naming_it(settings, tmp_path: Path) -> None:
    settings.CACHE_DIR = tmp_path / "cache"
    (tmp_path / "data" / "reference").mkdir(parents=True)
    with pytest.raises(ReferenceFileError):
        figures.store(tmp_path / "data")
    assert not (tmp_path / "cache" / figures.FILE_NAME).exists()
