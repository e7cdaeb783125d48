"""The Insight figures the pages read: computed from the published files and stored, dated.

`store` runs with `alliance load-reference` (the demo loads the reference data first), so the
pages never read the published files themselves, which takes close to a second. The figures are
kept in the service's cache folder as JSON (see `insight.precomputed`).
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings

from alliance.organisations.reference import LoadReport, ReferenceFileError
from insight.associations import read_measures
from insight.judgements import InsightDataError, load_history
from insight.precomputed import Figures, build, load, save

FILE_NAME = "insight-figures.json"


def path() -> Path:
    return Path(settings.CACHE_DIR) / FILE_NAME


def store(data_dir: Path) -> list[LoadReport]:
    """Compute every Insight figure from the published judgements and store it."""
    try:
        history = load_history(data_dir)
    except InsightDataError as exc:
        raise ReferenceFileError(data_dir / "reference", str(exc)) from None
    figures = build(history, measures=read_measures(data_dir))
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    save(figures, target)
    report = LoadReport(name="Insight figures", loaded=1)
    report.notes.append(
        f"computed {figures.computed_on:%d %B %Y} from judgements published up to "
        f"{figures.data_until:%d %B %Y}"
    )
    return [report]


_loaded: dict[tuple[Path, int], Figures] = {}


def current() -> Figures | None:
    """The stored figures, or None when `alliance load-reference` has not computed them yet.

    Kept in memory while the file is unchanged (same path and modification time), so a page
    does not parse the whole file again; storing new figures replaces the file and so its time."""
    target = path()
    try:
        key = (target, target.stat().st_mtime_ns)
    except FileNotFoundError:
        return None
    if key not in _loaded:
        figures = load(target)
        if figures is None:
            return None
        _loaded.clear()
        _loaded[key] = figures
    return _loaded[key]
