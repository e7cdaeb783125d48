"""Writing a synthetic return to CSV files, as councils' systems name them."""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

from pathlib import Path

import polars as pl

from statutory.ssda903.generator.timeline import generate_with_planted


def write_return(tables: dict[str, pl.DataFrame], folder: Path) -> None:
    """One CSV per table, named as councils' systems commonly name them."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, frame in tables.items():
        frame.write_csv(folder / f"{name.lower()}.csv", date_format="%d/%m/%Y")


def generate_to(
    out: Path,
    children: int,
    year: int = 2025,
    *,
    seed: int = 0,
    error_rate: float = 0.01,
    planted: Path | None = None,
    home_district: str = "E08000023",
    la_number: int = 393,
) -> tuple[Path, Path]:
    """Write `out/current` and `out/previous` (and, given `planted`, the list of the mistakes
    planted in them there) for the council `la_number` whose ONS code is `home_district`;
    returns both folders."""
    current, previous, mistakes = generate_with_planted(
        children,
        year,
        seed=seed,
        error_rate=error_rate,
        home_district=home_district,
        la_number=la_number,
    )
    write_return(current, out / "current")
    write_return(previous, out / "previous")
    if planted is not None:  # never inside `out`: a reader would take it for a table
        planted.parent.mkdir(parents=True, exist_ok=True)
        mistakes.write_csv(planted)
    return out / "current", out / "previous"
