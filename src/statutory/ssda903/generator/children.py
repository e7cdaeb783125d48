"""The pieces of a synthetic child: UPNs, postcodes, birthdays, placements, temporary
placements and short-break children, drawn for many children at once."""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl

from statutory.engine.postcodes import Postcodes
from statutory.reference import shared_path
from statutory.ssda903.generator.shapes import (
    _ETHNIC,
    _PLACE_BY_AGE,
    _SHORT_BREAK_NIGHTS,
    _SHORT_BREAK_PLACE,
    _SHORT_BREAKS_A_YEAR,
    _TEMPORARY,
    _TEMPORARY_A_YEAR,
    _TEMPORARY_DAYS,
    DAY,
    EPOCH,
    UPN_LETTERS,
)


def _frame(columns: dict[str, object]) -> pl.DataFrame:
    """numpy arrays of text (with None for blanks) -> String columns; others as they are."""
    out: dict[str, pl.Series] = {}
    for name, values in columns.items():
        if isinstance(values, pl.Series):
            out[name] = values.alias(name)
        elif isinstance(values, np.ndarray) and values.dtype.kind in ("O", "U"):
            out[name] = pl.Series(name, values.tolist(), dtype=pl.String)
        elif values is None:
            out[name] = pl.Series(name, [None], dtype=pl.String)
        else:
            out[name] = pl.Series(name, values)
    height = max((len(v) for v in out.values() if len(v) != 1), default=1)
    return pl.DataFrame(
        [v.extend_constant(None, height - 1) if len(v) == 1 < height else v for v in out.values()]
    )


def _within(counts: np.ndarray) -> np.ndarray:
    """0..k-1 for each group of size k, concatenated (np.repeat's companion)."""
    counts = np.asarray(counts, dtype=np.int64)
    starts = np.repeat(np.cumsum(counts) - counts, counts)
    return np.arange(int(counts.sum()), dtype=np.int64) - starts


def _day(date: dt.date) -> int:
    return (date - EPOCH).days


def _pick(
    rng: np.random.Generator, weights: dict[str, float], size: int, allowed: set[str] | None = None
) -> np.ndarray:
    items = [k for k in weights if allowed is None or k in allowed]
    p = np.array([weights[k] for k in items], dtype=float)
    return rng.choice(np.array(items, dtype=object), size=size, p=p / p.sum())


def _dates(days: np.ndarray | pl.Series, name: str) -> pl.Series:
    """Days since 1970 (nullable) -> dd/mm/YYYY text."""
    series = pl.Series(name, days).cast(pl.Int32).cast(pl.Date)
    return series.dt.strftime("%d/%m/%Y").alias(name)


def upn(rng: np.random.Generator, n: int, la: int = 393) -> np.ndarray:
    """Well-formed unique pupil numbers: check letter + LA (3) + school (4) + year (2) + serial
    (3); the check letter is the weighted sum (weights 2-13) mod 23 over the DfE's alphabet."""
    digits = np.empty((n, 12), dtype=np.int64)
    la_digits = [int(c) for c in f"{la:03d}"]
    digits[:, 0:3] = la_digits
    digits[:, 3:12] = rng.integers(0, 10, size=(n, 9))
    weights = np.arange(2, 14)
    check = (digits * weights).sum(axis=1) % 23
    chars = np.empty((n, 13), dtype=np.uint8)
    chars[:, 0] = np.frombuffer(UPN_LETTERS.encode(), dtype=np.uint8)[check]
    chars[:, 1:] = digits + ord("0")
    return chars.view("S13").ravel().astype(str)


@dataclass
class _Postcodes:
    home: np.ndarray
    anywhere: np.ndarray


def _postcodes(rng: np.random.Generator, home_district: str) -> _Postcodes:
    path = shared_path("reference", "onspd", "onspd_postcodes.csv.gz")
    if path.exists():
        # the cached directory (Parquet after the first run): English postcodes with a grid
        # reference, the council's own and a national sample, written as people write them
        english = Postcodes.shared().frame.filter(
            pl.col("easting").is_not_null() & pl.col("lad_code").str.starts_with("E")
        )
        written = pl.concat_str(
            pl.col("postcode_key").str.head(-3), pl.lit(" "), pl.col("postcode_key").str.tail(3)
        )
        home = english.filter(pl.col("lad_code") == home_district).select(written).to_series()
        anywhere = (
            english.sample(n=min(20_000, english.height), seed=int(rng.integers(1 << 31)))
            .select(written)
            .to_series()
            .to_numpy()
        )
        if home.len():
            return _Postcodes(home.to_numpy(), anywhere)
        return _Postcodes(anywhere[:2000], anywhere)
    letters = np.array(list("ABDEFGHJLNPQRSTUWXYZ"))
    made = np.array(
        [
            f"NE{a} {b}{c}{d}"
            for a, b, c, d in zip(
                rng.integers(1, 40, 3000),
                rng.integers(0, 10, 3000),
                rng.choice(letters, 3000),
                rng.choice(letters, 3000),
                strict=True,
            )
        ]
    )
    return _Postcodes(made, made)


def _birthday(dob: np.ndarray, years: int) -> np.ndarray:
    """The calendar date of the `years`th birthday (days since 1970), as the rules compute it
    (29 February moves to 28 February)."""
    series = pl.Series(np.asarray(dob, dtype=np.int64)).cast(pl.Int32).cast(pl.Date)
    return series.dt.offset_by(f"{years}y").cast(pl.Int32).to_numpy().astype(np.int64)


def _placements(
    rng: np.random.Generator, age: np.ndarray, codes: set[str], supported: str
) -> np.ndarray:
    """A placement type for each new placement, by the child's age when it starts."""
    out = np.empty(age.size, dtype=object)
    bands = ((0, 4), (4, 10), (10, 16), (16, 99))
    for (lo, hi), weights in zip(bands, _PLACE_BY_AGE, strict=True):
        mask = (age >= lo) & (age < hi)
        if not mask.any():
            continue
        named = {supported if k == "SUPPORTED" else k: v for k, v in weights.items()}
        out[mask] = _pick(rng, named, int(mask.sum()), codes)
    return out


def _with_temporary_placements(
    rng: np.random.Generator,
    episodes: pl.DataFrame,
    *,
    eligible: np.ndarray,
    today: int,
    year_ends: tuple[int, ...],
    codes: set[str],
) -> pl.DataFrame:
    """Split some foster and children's home episodes around a temporary placement: the
    episode ends (X1, no reason for the change: rule 226), a T0-T4 episode of a few days
    follows (RNE P, no provider, no URN), then the child is back with the same carers (RNE P,
    the same placement type, provider, URN and postcode: rule 383), to the original end.

    `eligible` marks the episodes that may be split (by position); `today` stands in for the
    end of an open episode; no temporary placement spans a 31 March in `year_ends`, so that
    each year's return shows it whole."""
    weights = {k: v for k, v in _TEMPORARY.items() if k in codes}
    decom = episodes["DECOM_d"].to_numpy()
    until = episodes["DEC_d"].fill_null(today).to_numpy()
    length = until - decom
    chance = 1 - np.exp(-_TEMPORARY_A_YEAR * length / DAY)
    code = _pick(rng, weights, episodes.height)
    days = np.array([_TEMPORARY_DAYS[k] for k in code.tolist()], dtype=np.int64)
    days = 1 + (rng.random(episodes.height) * days).astype(np.int64)
    t_day = (
        decom
        + 1
        + (rng.random(episodes.height) * np.maximum(length - days - 2, 1)).astype(np.int64)
    )
    back = t_day + days
    split = eligible & (rng.random(episodes.height) < chance) & (length > days + 3)
    for boundary in year_ends:  # a 31 March inside the temporary placement, or its last day
        split &= ~((t_day <= boundary) & (back > boundary))
    rows = np.flatnonzero(split)
    if rows.size == 0:
        return episodes
    chosen = episodes[rows]
    before = chosen.with_columns(
        pl.Series("DEC_d", t_day[rows], dtype=pl.Int64),
        pl.lit("X1").alias("REC"),
        pl.lit(None, dtype=pl.String).alias("REASON_PLACE_CHANGE"),
    )
    away = chosen.with_columns(
        pl.Series("DECOM_d", t_day[rows], dtype=episodes["DECOM_d"].dtype),
        pl.Series("DEC_d", back[rows], dtype=pl.Int64),
        pl.lit("P").alias("RNE"),
        pl.Series("PLACE", code[rows].tolist(), dtype=pl.String),
        pl.lit(None, dtype=pl.String).alias("PLACE_PROVIDER"),
        pl.lit("X1").alias("REC"),
        pl.lit(None, dtype=pl.String).alias("REASON_PLACE_CHANGE"),
        pl.lit(None, dtype=pl.String).alias("URN"),
    )
    returned = chosen.with_columns(
        pl.Series("DECOM_d", back[rows], dtype=episodes["DECOM_d"].dtype),
        pl.lit("P").alias("RNE"),
    )
    keep = np.ones(episodes.height, dtype=bool)
    keep[rows] = False
    return pl.concat([episodes.filter(pl.Series(keep)), before, away, returned]).sort(
        "c", "DECOM_d", maintain_order=True
    )


def _short_break_children(
    rng: np.random.Generator,
    count: int,
    *,
    first: int,
    days: tuple[int, int, int],
    codes: set[str],
    la_number: int,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """-> (people, episodes) for `count` children on a series of short breaks (V3), numbered
    from `first`, over both collection years (`days`: last year's 1 April, this year's
    1 April, this year's 31 March). No break spans or ends on a 31 March, so each year's
    return shows every break whole."""
    prev_start, cur_start, cur_end = days
    c = first + np.arange(count)
    dob = (cur_end - rng.uniform(5, 17.5, count) * DAY).astype(np.int64)
    per_year = rng.integers(*_SHORT_BREAKS_A_YEAR, size=count)
    breaks = 2 * per_year
    bc = np.repeat(np.arange(count), breaks)
    slot = (cur_end - prev_start - 20) // breaks[bc]
    decom = (
        prev_start
        + 1
        + _within(breaks) * slot
        + (rng.random(bc.size) * (slot - 8)).astype(np.int64)
    )
    dec = decom + rng.integers(1, _SHORT_BREAK_NIGHTS + 1, bc.size)
    whole = ~((decom <= cur_start - 1) & (dec >= cur_start - 1)) & (dec < cur_end)
    bc, decom, dec = bc[whole], decom[whole], dec[whole]
    ids = np.char.add("C", (c + 1_000_000).astype(str))
    no_text = np.full(bc.size, None, dtype=object)
    place = _pick(rng, _SHORT_BREAK_PLACE, bc.size, codes)
    episodes = _frame(
        {
            "c": c[bc],
            "CHILD": ids[bc],
            "DECOM_d": decom,
            "DEC_d": dec,
            "RNE": np.full(bc.size, "S"),
            "LS": np.full(bc.size, "V3"),
            "CIN": np.full(bc.size, "N1"),
            "PLACE": place,
            "PLACE_PROVIDER": np.where(
                place == "K2", "PR1", rng.choice(np.array(["PR1", "PR4"]), bc.size, p=[0.7, 0.3])
            ),
            "REC": np.full(bc.size, "E13"),
            "REASON_PLACE_CHANGE": no_text,
            "HOME_POST": no_text,
            "PL_POST": no_text,
            "URN": no_text,
        }
    )
    people = _frame(
        {
            "c": c,
            "CHILD": ids,
            "dob": dob,
            "sex": rng.choice(np.array([1, 2]), count, p=[0.65, 0.35]),
            "ETHNIC": _pick(rng, _ETHNIC, count),
            "upn": upn(rng, count, la_number),
            "is_cl": np.zeros(count, dtype=bool),
            "p_start": pl.DataFrame({"c": bc, "d": decom})
            .group_by("c")
            .agg(pl.col("d").min())
            .sort("c")["d"]
            .to_numpy(),
            "p_end": np.full(count, -1),
            "uasc": np.zeros(count, dtype=bool),
            "mc_day": np.full(count, -1),
            "adopt": np.zeros(count, dtype=bool),
        }
    )
    return people, episodes
