"""The forecast from published figures (children looked after and spending on them) and its
backtests, as the pages read them: computed from the published files and stored, dated (see
`forecast.precomputed`).

`store` runs with `alliance load-reference`, so a page never reads the published files (about a
second) or reruns the backtest. When nothing is stored yet (the reference data were loaded before
this app existed, and `--if-changed` found nothing new), the first page to ask computes and stores
it once.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from alliance.organisations.models import Council
from alliance.organisations.reference import LoadReport, ReferenceFileError
from forecast.model import load_panel
from forecast.precomputed import Figures, build, load, save
from forecast.published import PublishedDataError
from forecast.spending import load_spending_panel

FILE_NAME = "forecast-published.json"


def path() -> Path:
    return Path(settings.CACHE_DIR) / FILE_NAME


def compute() -> Figures:
    """Every council's forecast of children and of spending, and their backtests, from the
    published files, stored."""
    panel = load_panel()
    figures = build(panel, spending_panel=load_spending_panel(panel))
    save(figures, path())
    return figures


def store(data_dir: Path) -> list[LoadReport]:
    """`alliance load-reference`: compute and store the forecast and its backtest."""
    try:
        figures = compute()
    except (PublishedDataError, ValueError) as exc:
        raise ReferenceFileError(data_dir / "reference" / "dfe-lait", str(exc)) from None
    report = LoadReport(name="Forecast from published figures", loaded=len(figures.forecasts))
    report.notes.append(
        f"computed {figures.computed_on:%d %B %Y} from figures up to 31 March {figures.origin}"
    )
    return [report]


_loaded: dict[tuple[Path, int], Figures] = {}
_computing = threading.Lock()


def current() -> Figures:
    """The stored figures, kept in memory while the file is unchanged (same path and
    modification time); computed and stored first when there are none."""
    target = path()
    try:
        key = (target, target.stat().st_mtime_ns)
    except FileNotFoundError:
        with _computing:
            if not target.exists():
                compute()
        key = (target, target.stat().st_mtime_ns)
    if key not in _loaded:
        figures = load(target)
        if figures is None:  # written by an older version: compute again
            with _computing:
                figures = compute()
            key = (target, target.stat().st_mtime_ns)
        _loaded.clear()
        _loaded[key] = figures
    return _loaded[key]


@dataclass(frozen=True)
class CouncilForecast:
    council: Council
    years: list[int]
    history: list[float | None]
    rows: list[dict[str, float]]  # one a year ahead
    origin: int
    computed_on: object


def council_forecast(council: Council) -> CouncilForecast | None:
    """The council's history and forecast; None when the published figures have no forecast for
    it (no figure at the latest 31 March)."""
    figures = current()
    rows = figures.forecasts.get(council.dfe_code)
    if not rows:
        return None
    return CouncilForecast(
        council=council,
        years=figures.years(),
        history=figures.history.get(council.dfe_code, []),
        rows=rows,
        origin=figures.origin,
        computed_on=figures.computed_on,
    )
