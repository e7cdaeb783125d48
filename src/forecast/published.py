"""The published figures the forecast reads, as tidy tables.

Children looked after at 31 March (`LACnum`), children starting and ceasing to be looked after
(`LACnum_Start`, `LACceased`) come from the DfE's Local Authority Interactive Tool (LAIT,
2016-2025). Years 2013-2015 come from the DfE's older statistical releases (`CLA_MarYYYY`); the DfE
revised some figures since, so the older years are chain-linked: each council's older series is
scaled so its 2016 figure equals LAIT's, which keeps the older years' year-on-year changes and
LAIT's levels. Population aged 0-17 is the ONS mid-year estimate; statistical neighbours are the
DfE's 2025 model.

Suppressed or unpublished values (`c`, `z`, `x`, `low`, `-`, ...) are missing, never zero.

Councils are keyed by the DfE's three-digit code as a string (`"301"`). Councils reorganised since
2016 keep their own codes; `REORGANISATIONS` says which councils' combined area became which, so
the model can borrow the combined area's history for a council too new to have its own.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import polars as pl

from statutory.reference import shared_path

LAIT = ("reference", "dfe-lait", "bds_long_0.parquet")
OLDER = ("reference", "dfe-older-releases")
POPULATION = (
    "reference",
    "dfe-csc-outcomes-enablers",
    "ons_mid-year_population_estimates_2012_to_2024.csv",
)
NEIGHBOURS = ("reference", "dfe-csc-outcomes-enablers", "sn_model_2025_wide.csv")

# Markers official statistics use for values they do not publish: missing, never zero.
SUPPRESSED = frozenset({"c", "z", "x", "low", "-", "..", ":", "", "#VALUE!", "u", "k", "NA"})

# LAIT codes for England and its regions (not councils).
NOT_COUNCILS = frozenset({"970", *(str(code) for code in range(980, 991))})

LOOKED_AFTER = "LACnum"
STARTED = "LACnum_Start"
CEASED = "LACceased"
ASYLUM = "Unacc_Asylmn_Seek_Childn"  # unaccompanied asylum-seeking children looked after, 31 March
# Gross spending on children looked after, S251 outturn, £ a financial year.
SPENDING = "TotalLACFinance"

_OLDER_FILES = {
    2013: "SFR_2013_SFR36_CLA2013.csv",
    2014: "SFR_2014_SFR36_CLA2014.csv",
    2015: "SFR_2015_SFR34_CLA2015.csv",
    2016: "SFR_2016_SFR41_CLA2016.csv",
}


@dataclass(frozen=True)
class Reorganisation:
    """Councils whose combined area became other councils' from the figures of `first_year`
    (the first 31 March the new councils existed). The areas are the same in total."""

    before: tuple[str, ...]
    after: tuple[str, ...]
    first_year: int


REORGANISATIONS: tuple[Reorganisation, ...] = (
    # Bournemouth, Poole and Dorset county -> Bournemouth, Christchurch and Poole; Dorset (April 2019).
    Reorganisation(before=("835", "836", "837"), after=("838", "839"), first_year=2020),
    # Northamptonshire -> North and West Northamptonshire (April 2021).
    Reorganisation(before=("928",), after=("940", "941"), first_year=2022),
    # Cumbria -> Cumberland; Westmorland and Furness (April 2023).
    Reorganisation(before=("909",), after=("942", "943"), first_year=2024),
)


class PublishedDataError(Exception):
    """A published file is missing or not as expected; the message names the file."""


def number(raw: str | None) -> float | None:
    """A published figure, or None when it is suppressed or missing."""
    if raw is None:
        return None
    text = raw.strip().replace(",", "")
    if text in SUPPRESSED:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def _require(path: Path) -> Path:
    if not path.exists():
        raise PublishedDataError(f"{path}: file not found")
    return path


def _tidy(frame: pl.DataFrame) -> pl.DataFrame:
    """Columns la_number (str), year (int), value (float or null), sorted."""
    return frame.select(
        pl.col("la_number").cast(pl.Utf8),
        pl.col("year").cast(pl.Int64),
        pl.col("value").cast(pl.Float64),
    ).sort("la_number", "year")


def lait_measure(measure: str, path: Path | None = None) -> pl.DataFrame:
    """One LAIT measure for every council and year: la_number, year, value (null = missing).

    `year` is the 31 March the figure belongs to: a financial year's outturn (`2024-25 (OT)`)
    is the year ending 31 March 2025."""
    source = _require(path or shared_path(*LAIT))
    raw = pl.read_parquet(source, columns=["Short Desc", "Years", "Values", "LA Number"])
    rows = raw.filter(pl.col("Short Desc") == measure)
    if rows.is_empty():
        raise PublishedDataError(f"{source.name}: no measure {measure!r}")
    out = rows.select(
        la_number=pl.col("LA Number").cast(pl.Int64).cast(pl.Utf8).str.zfill(3),
        year=pl.coalesce(
            pl.col("Years").str.extract(r"^(\d{4})$").cast(pl.Int64),
            # finance outturn ("2024-25 (OT)"): the financial year ending 31 March 2025
            pl.col("Years").str.extract(r"^(\d{4})-\d{2} \(OT\)$").cast(pl.Int64) + 1,
        ),
        value=pl.col("Values").map_elements(number, return_dtype=pl.Float64),
    ).filter(pl.col("year").is_not_null(), ~pl.col("la_number").is_in(NOT_COUNCILS))
    return _tidy(out)


def older_looked_after(folder: Path | None = None) -> pl.DataFrame:
    """Children looked after at 31 March 2013-2016 from the DfE's older releases."""
    base = folder or shared_path(*OLDER)
    frames = []
    for year, name in _OLDER_FILES.items():
        path = _require(base / name)
        with path.open(encoding="utf-8", errors="replace", newline="") as handle:
            reader = csv.DictReader(handle)
            column = f"CLA_Mar{year}"
            if column not in (reader.fieldnames or []):
                raise PublishedDataError(f"{path.name}: no column {column}")
            rows = [
                (row["geog_c"].strip().zfill(3), year, number(row[column]))
                for row in reader
                if (row.get("geog_l") or "").strip().upper() == "LA"
            ]
        frames.append(pl.DataFrame(rows, schema=["la_number", "year", "value"], orient="row"))
    return _tidy(pl.concat(frames))


def looked_after(
    lait: pl.DataFrame | None = None, older: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Children looked after at 31 March, 2013-2025: LAIT from 2016, earlier years chain-linked
    from the older releases (scaled by LAIT 2016 / older-release 2016 for each council)."""
    lait = lait_measure(LOOKED_AFTER) if lait is None else lait
    older = older_looked_after() if older is None else older
    base = older.filter(pl.col("year") == 2016).select("la_number", older_2016="value")
    link = lait.filter(pl.col("year") == 2016).select("la_number", lait_2016="value")
    earlier = (
        older.filter(pl.col("year") < 2016)
        .join(base, on="la_number", how="inner")
        .join(link, on="la_number", how="inner")
        .filter(pl.col("older_2016") > 0, pl.col("lait_2016") > 0)
        .select(
            "la_number",
            "year",
            value=pl.col("value") * pl.col("lait_2016") / pl.col("older_2016"),
        )
    )
    return _tidy(pl.concat([earlier, lait.select("la_number", "year", "value")]))


def population(path: Path | None = None) -> pl.DataFrame:
    """Children aged 0-17 (ONS mid-year estimates), la_number, year, value."""
    source = _require(path or shared_path(*POPULATION))
    raw = pl.read_csv(source, infer_schema_length=0, encoding="utf8-lossy")
    out = raw.filter(pl.col("geographic_level") == "Local authority").select(
        la_number=pl.col("old_la_code").str.strip_chars().str.zfill(3),
        year=pl.col("time_period").cast(pl.Int64),
        value=pl.col("population_estimate").map_elements(number, return_dtype=pl.Float64),
    )
    return _tidy(out)


@cache
def _neighbours_cached(path: str) -> dict[str, tuple[str, ...]]:
    source = _require(Path(path))
    out: dict[str, tuple[str, ...]] = {}
    with source.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["old_la_code"].strip().zfill(3)
            ranked = [row.get(f"SN_{rank}", "").strip() for rank in range(1, 11)]
            out[code] = tuple(n.zfill(3) for n in ranked if re.fullmatch(r"\d{3}", n))
    return out


def neighbours(path: Path | None = None) -> dict[str, tuple[str, ...]]:
    """Each council's ten statistical neighbours (DfE 2025 model), closest first."""
    return _neighbours_cached(str(path or shared_path(*NEIGHBOURS)))
