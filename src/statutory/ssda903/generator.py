"""Realistic synthetic SSDA903 returns for N children: this year's and last year's, consistent.

Each child gets one period of care on a timeline covering both collection years (and the years
before), split into episodes by placement and legal-status changes; each year's return is then
the slice a council would have sent that year (an episode still open at last year's 31 March
has no end date in last year's return). Around the episodes: Header, reviews, missing
episodes, UASC, OC2 (looked after 12 months at 31 March), care leavers' OC3 (17th-21st birthday
in the year), adoptions (AD1, PlacedAdoption), previous permanence and social worker episodes.

Everything is vectorised (numpy + Polars): 200,000 children take a few seconds. The data are
mostly valid; `error_rate` plants that share of rows with a typical mistake (bad code, date in
the wrong format or order, blank required item) so validation has something to find.
Postcodes are real (sampled from the ONS Postcode Directory in the shared data) when it is
there, so distance rules behave; otherwise made-up postcodes of the right shape.
"""

# numpy's stubs cannot type object arrays holding None (np.where(mask, None, values)):
# mypy: disable-error-code="call-overload,arg-type"
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from statutory.reference import shared_path
from statutory.ssda903.schemas import load_schema

EPOCH = dt.date(1970, 1, 1)
DAY = 365.25
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"

# ---- the national shapes the generator is calibrated to --------------------------------
# England, year ending 31 March 2025, each figure with where it is published: `lait:` a
# measure of the DfE's LAIT data sheet (../shared/data/reference/dfe-lait/bds_long_0.parquet,
# row "England"), `ees:` a DfE explore-education-statistics file in
# ../shared/data/reference/dfe-csc-outcomes-enablers/ (row "National"). The generator's
# tests check every figure against its file and a 5,000-child return against the figures.
NATIONAL: dict[str, tuple[float, str]] = {
    "three_plus_placements_pct": (10, "lait:LACStable_2016on"),
    "long_term_stability_pct": (69, "lait:LAC_LongStable%"),
    "went_missing_pct": (11, "lait:Children_missing"),
    "adopted_of_ceased_pct": (9, "lait:%_of LAC Adopted"),
    "foster_pct": (67, "lait:LAC_Foster_Placements"),
    "childrens_homes_pct": (12, "lait:LAC_SecHome_And_ChildHome"),
    "independent_living_pct": (9, "lait:LAC_Ind_SInd_Liv_Arr"),
    "with_parents_pct": (6, "lait:LAC_Parents_OR_Others"),
    "other_placements_pct": (3, "lait:LAC_Other_Place_Inc_Unreg"),
    "care_leavers_17_18_eet_pct": (64, "ees:la_care_leavers_activity.csv"),
    "care_leavers_19_21_eet_pct": (54, "ees:la_care_leavers_activity.csv"),
    "care_leavers_not_in_touch_pct": (4, "lait:CareLeavers_LA_NotInTouch"),
    "care_leavers_19_21_suitable_pct": (89, "lait:CareLeaverAcc"),
}
# Not in the shared data: the age and legal-status mix at 31 March, approximately as the
# DfE's national tables publish them (Children looked after in England including adoptions,
# 2025): under 1 about 5%, 1-4 14%, 5-9 17%, 10-15 38%, 16-17 26%; care orders about 77%
# (interim C1 about 9%, full C2 68%), placement orders (E1) 5%, accommodated (V2) 17%.
# Age at 31 March, by single year (0..17), in that shape:
_AGE_WEIGHTS = np.array(
    [5, 3.5, 3.5, 3.5, 3.5, 3.4, 3.4, 3.4, 3.4, 3.4, 5.5, 6, 6.3, 6.5, 6.8, 6.9, 12.5, 13.5],
    dtype=float,
)
# Legal status on starting: interim care order (C1, a full order C2 follows), accommodated
# by agreement (V2; a quarter later go to court), or a full care order straight away.
_LS_ON_STARTING = {"C1": 0.66, "V2": 0.27, "C2": 0.07}
_ADOPTION_SHARE = 0.066  # children on the adoption path (E1 placement order, then A5/A6)
_SUPPORTED_MOVE = 0.45  # children who move to supported accommodation at 16 or 17
# Placement moves: a settled child moves rarely, an unsettled one often (moves a year);
# tuned so that the two stability figures in NATIONAL come out (tested).
_SETTLED_SHARE = 0.63
_MOVES_SETTLED = 0.05
_MOVES_UNSETTLED = 1.3
_MAX_MOVES = 12
# Children 13 and over who went missing in a year (younger children much less often); tuned
# to NATIONAL["went_missing_pct"] (tested).
_MISSING_TEEN = 0.26
# Placement type of a new placement by age on starting it (0-3, 4-9, 10-15, 16-17): foster
# care (U1-U6), children's homes (K2), with parents (P1), residential (R1) and supported
# accommodation from 16 (K3, or H5 before 2024/25), in the NATIONAL placement shape at 31
# March (foster 67%, children's homes 12%, independent living 9%, with parents 6%, other 3%,
# the rest placed for adoption): foster care is drawn less often than that share because
# foster placements last longer than the others (tested at 31 March).
_FOSTER = {"U1": 7.2, "U2": 2.7, "U3": 8.1, "U4": 45, "U5": 7.2, "U6": 10.8}
_PLACE_BY_AGE: tuple[dict[str, float], ...] = (
    {**_FOSTER, "P1": 12},
    {**_FOSTER, "K2": 8.5, "P1": 11, "R1": 3},
    {**{k: v * 0.75 for k, v in _FOSTER.items()}, "K2": 23, "P1": 8, "R1": 3},
    {**{k: v * 0.55 for k, v in _FOSTER.items()}, "K2": 16, "SUPPORTED": 42, "P1": 5, "R1": 2},
)
# Never drawn as an ordinary placement: temporary placements (added to settled placements
# below) and the placed-for-adoption types (only on the adoption path).
_NOT_CHOSEN = {"T0", "T1", "T2", "T3", "T4", "A3", "A4", "A5", "A6"}
# Temporary placements (T0-T4): the child leaves a foster or children's home placement for a
# few days and comes back to the same carers (hospital T1, the child's holiday T2, the foster
# carers' holiday T3, anything else for up to 7 days T4; T0 where the year has it). Not in
# the shared data nor in the DfE's published tables (they count 2-3% of children at 31 March
# in "other placements", temporary ones among them); our estimate: about 6 a year per 100
# children in such placements, each lasting (code: longest day count drawn, inclusive) within
# the DfE's limits (rules 375, 376, 379).
_TEMPORARY_A_YEAR = 0.06
_TEMPORARY = {"T0": 5, "T1": 25, "T2": 20, "T3": 35, "T4": 15}
_TEMPORARY_DAYS = {"T0": 7, "T1": 28, "T2": 14, "T3": 14, "T4": 7}
_TEMPORARY_FROM = {"U1", "U2", "U3", "U4", "U5", "U6", "K2"}
# Disabled children on an agreed series of short breaks (legal status V3: each break a period
# of care of its own, RNE S, in short-break foster care or a children's home). Not in the
# shared data; the DfE's tables leave them out of every count ("excluding children looked
# after under a series of short-term placements"); our estimate: about 3 for every 100
# children looked after, with 4-10 breaks a year of 1-7 nights, within the DfE's limits of
# 17 days a break and 75 days a year (rules 365, 367). A short-break child is not in
# UASC, OC2, OC3, adoption, missing, reviews or previous permanence, and has no postcodes,
# URN or MOTHER (rules 398, 399, 420, 1015).
_SHORT_BREAK_SHARE = 0.03
_SHORT_BREAKS_A_YEAR = (4, 11)
_SHORT_BREAK_NIGHTS = 7
_SHORT_BREAK_PLACE = {"U6": 55, "U3": 10, "K2": 35}
_ETHNIC = {
    "WBRI": 70,
    "WOTH": 4,
    "MWBC": 3,
    "MOTH": 3,
    "AOTH": 2,
    "APKN": 2,
    "BAFR": 3,
    "BCRB": 2,
    "BOTH": 2,
    "OOTH": 4,
    "WIRT": 1,
    "WROM": 1,
    "MWBA": 1,
    "ABAN": 1,
    "NOBT": 1,
}
_CIN = {"N1": 65, "N2": 3, "N3": 3, "N4": 13, "N5": 5, "N6": 3, "N7": 2, "N8": 6}
# Placement types Ofsted does not register: no URN (the others carry the provider's URN).
_NO_URN = {
    "P1",
    "P2",
    "P3",
    "R1",
    "R2",
    "R5",
    "T0",
    "T1",
    "T2",
    "T3",
    "T4",
    "Z1",
    "Z11",
    "Z12",
    "Z13",
    "Z14",
}
_REC_END = {
    "E4A": 30,
    "E4B": 5,
    "E8": 8,
    "E13": 5,
    "E41": 5,
    "E45": 4,
    "E46": 4,
    "E47": 2,
    "E48": 2,
    "E5": 4,
    "E6": 1,
    "E7": 1,
    "E9": 1,
    "E14": 2,
    "E16": 2,
    "E3": 1,
    "E2": 0.2,
}
_REASON_CHANGE = {
    "CARPL": 30,
    "CLOSE": 5,
    "ALLEG": 2,
    "STAND": 10,
    "APPRR": 2,
    "CREQB": 10,
    "CREQO": 5,
    "CHILD": 8,
    "LAREQ": 10,
    "PLACE": 8,
    "CUSTOD": 1,
    "OTHER": 9,
}
# Care leavers' activity: in education, employment or training (the EET share by age group
# is in NATIONAL), or not (G4-G6); where they live, as a letter (Z, with former foster
# carers, from 18; T, a foyer, from 18) and the suitability digit.
_ACTIV_EET = {"F1": 8, "P1": 1, "F2": 25, "P2": 4, "F4": 8, "P4": 2, "F5": 10, "P5": 4}
_ACTIV_NEET = {"G4": 8, "G5": 25, "G6": 5}
_ACCOM_LETTERS = {"U": 30, "D": 15, "Z": 12, "B": 10, "E": 8, "K": 5, "Y": 5, "T": 3, "C": 2}
_ACCOM_SUITABLE = 0.96
_IN_TOUCH = {"YES": 93.5, "NO": 2.5, "REFU": 1.5, "NREQ": 1, "RHOM": 1.5}
_SW_REASONS = [
    "MANAGE",
    "FCONTA",
    "LEFTRL",
    "ORGRST",
    "TSPROC",
    "ABSENC",
    "CHCHAN",
    "PCCHAN",
    "OTHERS",
]


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
        from statutory.engine.postcodes import Postcodes

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


def generate(
    children: int,
    year: int = 2025,
    *,
    seed: int = 0,
    error_rate: float = 0.01,
    home_district: str = "E08000023",
    la_number: int = 393,
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """-> (this year's tables, last year's tables), each table a frame of text columns."""
    current, previous, _planted = generate_with_planted(
        children,
        year,
        seed=seed,
        error_rate=error_rate,
        home_district=home_district,
        la_number=la_number,
    )
    return current, previous


def generate_with_planted(  # noqa: PLR0915 - the timeline is built step by step
    children: int,
    year: int = 2025,
    *,
    seed: int = 0,
    error_rate: float = 0.01,
    home_district: str = "E08000023",
    la_number: int = 393,
) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame], pl.DataFrame]:
    """-> (this year's tables, last year's tables, the planted mistakes).

    The planted mistakes are one row each: `year`, `table`, `row_number` (1-based data row in
    that table's file), `child_id`, `column` and the `value` written (`duplicate` for a copied
    episode row): everything else in the return is meant to be clean."""
    rng = np.random.default_rng(seed)
    cur_start, cur_end = _day(dt.date(year - 1, 4, 1)), _day(dt.date(year, 3, 31))
    prev_start = _day(dt.date(year - 2, 4, 1))
    postcodes = _postcodes(rng, home_district)
    schema, schema_prev = load_schema(year), load_schema(max(year - 1, 2018))
    place_codes = set(schema.codes["PLACE"]) & set(schema_prev.codes["PLACE"])
    supported = next((c for c in ("K3", "H5") if c in place_codes), "K2")

    # ---- children looked after in the two years, and care leavers ------------------------
    n_lac = max(int(children), 1)
    n_cl = max(int(children * 0.15), 1)
    n = n_lac + n_cl
    ids = np.char.add("C", (rng.permutation(n) + 1_000_000).astype(str))
    is_cl = np.zeros(n, dtype=bool)
    is_cl[n_lac:] = True

    age = rng.choice(18, size=n, p=_AGE_WEIGHTS / _AGE_WEIGHTS.sum()).astype(float)
    age[is_cl] = rng.integers(17, 22, size=n_cl)  # 17th..21st birthday in this year
    dob = (cur_end - (age * DAY + rng.uniform(1, 364, n))).astype(np.int64)
    dob[is_cl] = (cur_start + rng.integers(0, 365, n_cl) - (age[is_cl] * DAY)).astype(np.int64)

    # one period of care per child: most children who leave care do so within a year or two
    duration = rng.exponential(900, n)
    p_start = np.maximum((cur_end - duration).astype(np.int64), dob)
    ceased = rng.random(n) < 0.33
    lo = np.maximum(p_start, prev_start) + 1
    p_end = np.where(
        ceased, lo + (rng.random(n) * np.maximum(cur_end - lo, 1)).astype(np.int64), -1
    )
    # leaving care on 31 March counts as looked after all year (rules 187, 191): a day before
    p_end = np.where(ceased & (p_end >= cur_end), cur_end - 1, p_end)
    p_end = np.where(ceased & (p_end == cur_start - 1), cur_start - 2, p_end)

    # care leavers: 19-21 left care at 18; 17-18 left at 16 or 17, last year (so that last
    # year's return shows the care that makes them care leavers)
    sixteenth, eighteenth = _birthday(dob, 16), _birthday(dob, 18)
    left_from = np.maximum(sixteenth, prev_start) + 1
    early = left_from + (rng.random(n) * np.maximum(cur_start - 2 - left_from, 1)).astype(np.int64)
    # (18s still looked after at 17 have no OC3 information: rule 1016)
    at_18 = age >= 19
    cl_end = np.where(at_18, eighteenth, np.minimum(early, cur_start - 1))
    p_end = np.where(is_cl, cl_end, p_end)
    p_start = np.where(is_cl, cl_end - rng.integers(150, 4 * 365, n), p_start)
    p_start = np.maximum(p_start, dob)
    ceased = (ceased & (p_end > p_start)) | is_cl  # an episode lasts a day at least

    # ---- adoption: young children with a plan for adoption --------------------------------
    # C1 (interim care order) -> E1 (placement order, same foster carers, RNE L) -> placed
    # for adoption (A5 with the foster carers, RNE T; A6 with new carers, RNE P) -> adopted
    # (E11/E12). Adoption dates spread over both years and beyond 31 March (in progress).
    adopt = ~is_cl & (rng.random(n) < _ADOPTION_SHARE)
    t_ad = prev_start + rng.integers(0, 1200, n)
    # not on a 31 March: a child adopted that day counts as looked after for the whole year
    t_ad = np.where((t_ad == cur_end) | (t_ad == cur_start - 1), t_ad - 1, t_ad)
    placed_len = rng.integers(120, 400, n)
    match_gap = rng.integers(7, 60, n)
    order_to_match = rng.integers(60, 250, n)
    start_to_order = rng.integers(250, 500, n)
    t_pa = t_ad - placed_len
    t_match = t_pa - match_gap
    t_po = t_match - order_to_match
    a_start = t_po - start_to_order
    decision = t_po - rng.integers(20, 120, n)  # the agency decision: should be placed
    age_in = rng.uniform(0, 3, n)
    dob = np.where(adopt, (a_start - age_in * DAY).astype(np.int64), dob)
    p_start = np.where(adopt, a_start, p_start)
    ceased = np.where(adopt, t_ad <= cur_end, ceased)
    p_end = np.where(adopt, np.where(t_ad <= cur_end, t_ad, -1), p_end)
    foster_adopt = rng.random(n) < 0.15  # adopted by their foster carers (A5)
    adopt_sheet = pl.DataFrame(
        {
            "c": np.arange(n),
            "adopt": adopt,
            "decision": decision,
            "t_match": t_match,
            "t_pa": t_pa,
            "foster_adopt": foster_adopt,
        }
    ).filter(pl.col("adopt"))

    # ---- legal status: interim care order then full care order, or accommodated (V2) -------
    ls_first = rng.choice(
        np.array(list(_LS_ON_STARTING)), n, p=np.array(list(_LS_ON_STARTING.values()))
    )
    ls_first = np.where(adopt, "C1", ls_first)
    to_c1 = (ls_first == "V2") & (rng.random(n) < 0.25)
    ls1_day = np.where(
        ls_first == "C1",
        p_start + rng.integers(40, 260, n),
        np.where(to_c1, p_start + rng.integers(30, 300, n), -1),
    )
    ls1_code = np.where(ls_first == "C1", "C2", "C1")
    ls2_day = np.where(to_c1, ls1_day + rng.integers(90, 400, n), -1)
    # adoption: the interim order runs to the placement order
    ls1_day = np.where(adopt, t_po, ls1_day)
    ls1_code = np.where(adopt, "E1", ls1_code)
    ls2_day = np.where(adopt, -1, ls2_day)

    # ---- placement moves: most children settle, some move often --------------------------
    end_or_now = np.where(ceased, p_end, cur_end)
    span = np.maximum(end_or_now - p_start, 1)
    settled = rng.random(n) < _SETTLED_SHARE
    rate = np.where(settled, _MOVES_SETTLED, _MOVES_UNSETTLED) / DAY
    moves = np.where(adopt, 0, np.minimum(rng.poisson(rate * span), _MAX_MOVES))
    mc = np.repeat(np.arange(n), moves)
    move_day = (
        p_start[mc] + 1 + (rng.random(mc.size) * np.maximum(span[mc] - 2, 1)).astype(np.int64)
    )

    # many 16- and 17-year-olds move to supported accommodation
    sup = np.flatnonzero(~adopt & (rng.random(n) < _SUPPORTED_MOVE))
    sup_day = sixteenth[sup] + rng.integers(1, 600, sup.size)

    # every event that starts an episode: S (start), P (new carers), L (legal status), the
    # adoption placements and the moves to supported accommodation (their placement type
    # given); an event on or after the period's end is not an episode
    a = np.flatnonzero(adopt)
    everyone_ = np.arange(n)
    ev_c = np.concatenate([everyone_, mc, everyone_, everyone_, a, sup])
    ev_day = np.concatenate([p_start, move_day, ls1_day, ls2_day, t_pa[a], sup_day])
    ev_rne = np.concatenate(
        [
            np.full(n, "S"),
            np.full(mc.size, "P"),
            np.full(2 * n, "L"),
            np.where(foster_adopt[a], "T", "P"),
            np.full(sup.size, "P"),
        ]
    )
    ev_ls = np.concatenate(
        [
            ls_first,
            np.full(mc.size, None),
            ls1_code,
            np.full(n, "C2"),
            np.full(a.size + sup.size, None),
        ]
    ).astype(object)
    ev_forced = np.concatenate(
        [
            np.full(ev_c.size - a.size - sup.size, None),
            np.where(foster_adopt[a], "A5", "A6"),
            np.full(sup.size, supported),
        ]
    ).astype(object)
    ev_order = np.concatenate(
        [np.zeros(n), np.ones(mc.size), np.full(2 * n, 2), np.ones(a.size + sup.size)]
    ).astype(np.int8)
    keep = (ev_rne == "S") | ((ev_day > p_start[ev_c]) & (ev_day < end_or_now[ev_c]))
    ep = (
        pl.DataFrame(
            {
                "c": ev_c[keep],
                "DECOM": ev_day[keep],
                "RNE": ev_rne[keep],
                "new_ls": pl.Series(ev_ls[keep].tolist(), dtype=pl.String),
                "forced": pl.Series(ev_forced[keep].tolist(), dtype=pl.String),
                "order": ev_order[keep],
            }
        )
        .sort("c", "DECOM", "order")
        .unique(subset=["c", "DECOM"], keep="first", maintain_order=True)
        .with_columns(
            pl.col("DECOM").shift(-1).over("c").alias("DEC"),
            (pl.int_range(pl.len()).over("c") == pl.len().over("c") - 1).alias("last"),
            pl.col("new_ls").forward_fill().alias("LS"),
            pl.col("RNE").is_in(["S", "P", "T"]).alias("new_place"),
        )
        .with_columns(
            (pl.col("new_place").cum_sum() - 1).alias("placement"),
            pl.col("new_place").shift(-1).over("c").fill_null(False).alias("moves_next"),
            pl.col("forced")
            .shift(-1)
            .over("c")
            .is_in(["A5", "A6"])
            .fill_null(False)
            .alias("adoptive_next"),
        )
    )
    c = ep["c"].to_numpy()
    last = ep["last"].to_numpy()
    n_ep = ep.height
    decom = ep["DECOM"].to_numpy()
    dec = ep["DEC"].to_numpy(allow_copy=True).astype(float)
    dec = np.where(last, np.where(ceased[c], p_end[c], np.nan), dec)
    ls = ep["LS"].to_numpy().astype(str)
    rne = ep["RNE"].to_numpy().astype(str)

    uasc_child = (rng.random(n) < 0.06) & (age >= 14) & ~adopt
    home_post = np.where(uasc_child, None, postcodes.home[rng.integers(0, postcodes.home.size, n)])

    # ---- each placement: type by age, provider, Ofsted URN, postcode -----------------------
    starts = ep.filter(pl.col("new_place"))
    pc = starts["c"].to_numpy()
    p_day = starts["DECOM"].to_numpy()
    p_ls = starts["LS"].to_numpy().astype(str)
    forced = starts["forced"].to_numpy()
    k_pl = starts.height
    place = _placements(rng, (p_day - dob[pc]) / DAY, place_codes - _NOT_CHOSEN, supported)
    place = np.where((place == "P1") & (p_ls == "V2"), "U4", place)
    place = np.where(forced != None, forced, place)  # noqa: E711
    no_provider = set(schema.codes.get("PLACE_NO_PROVIDER", ()))
    provider: np.ndarray = np.asarray(
        np.where(
            np.isin(place, list(no_provider)),
            None,
            np.where(
                place == "P1",
                "PR0",
                rng.choice(
                    np.array(["PR1", "PR2", "PR4", "PR5"]), k_pl, p=[0.55, 0.05, 0.35, 0.05]
                ),
            ),
        ),
        dtype=object,
    )
    urn = np.asarray(
        np.where(
            np.isin(place, list(_NO_URN)),
            None,
            np.char.add("SC", rng.integers(100000, 999999, k_pl).astype(str)),
        ),
        dtype=object,
    )
    # own-provision (PR1) placements are in the council's area; others mostly nearby
    local = (rng.random(k_pl) < 0.7) | (provider == "PR1")
    pl_post = np.where(
        local,
        postcodes.home[rng.integers(0, postcodes.home.size, k_pl)],
        postcodes.anywhere[rng.integers(0, postcodes.anywhere.size, k_pl)],
    ).astype(object)
    # placed for adoption with the foster carers: the same home
    with_carers = place == "A5"
    before = np.maximum(np.arange(k_pl) - 1, 0)
    pl_post = np.where(with_carers, pl_post[before], pl_post)
    # placed with parents: at home; anywhere else: not at the home address (rule 392d)
    home_of = home_post[pc]
    pl_post = np.where((place == "P1") & (home_of != None), home_of, pl_post)  # noqa: E711
    clash = (pl_post == home_of) & (place != "P1")
    other = np.where(
        local,
        postcodes.home[rng.integers(0, postcodes.home.size, k_pl)],
        postcodes.anywhere[rng.integers(0, postcodes.anywhere.size, k_pl)],
    )
    pl_post = np.where(clash, other, pl_post)
    which = ep["placement"].to_numpy()
    place_ep, provider_ep, urn_ep, post_ep = (
        place[which],
        provider[which],
        urn[which],
        pl_post[which],
    )

    # ---- why each episode ended -------------------------------------------------------------
    age_at_dec = (np.nan_to_num(dec, nan=0) - dob[c]) / DAY
    final = _pick(rng, _REC_END, n_ep)
    fostered = np.isin(place_ep, ["U1", "U2", "U3", "U4", "U5", "U6"])
    final = np.where(np.isin(final, ["E45", "E46"]) & ~fostered, "E47", final)
    final = np.where(np.isin(final, ["E5", "E6"]) & (age_at_dec < 16), "E4A", final)
    final = np.where(np.isin(final, ["E7"]) & (age_at_dec < 16), "E4A", final)
    final = np.where(np.isin(final, ["E9", "E14"]) & (age_at_dec < 12), "E4A", final)
    at_eighteen = np.nan_to_num(dec, nan=-1) >= eighteenth[c]
    final = np.where(
        at_eighteen,
        np.where(
            fostered & (rng.random(n_ep) < 0.5),
            "E17",
            rng.choice(np.array(["E8", "E5", "E6"]), n_ep),
        ),
        final,
    )
    final = np.where(is_cl[c] & (final == "E2"), "E8", final)  # care leavers are alive
    final = np.where(adopt[c], np.where(rng.random(n_ep) < 0.6, "E11", "E12"), final)
    rec = np.where(last, np.where(np.isnan(dec), None, final), "X1").astype(object)
    reason_change = np.where(
        ep["moves_next"].to_numpy() & ~last,
        np.where(ep["adoptive_next"].to_numpy(), "CARPL", _pick(rng, _REASON_CHANGE, n_ep)),
        None,
    )

    episodes_all = _frame(
        {
            "c": c,
            "CHILD": ids[c],
            "DECOM_d": decom,
            "DEC_d": dec,
            "RNE": rne,
            "LS": ls,
            "CIN": _pick(rng, _CIN, n, None)[c],
            "PLACE": place_ep.astype(str),
            "PLACE_PROVIDER": provider_ep,
            "REC": rec,
            "REASON_PLACE_CHANGE": reason_change,
            "HOME_POST": home_post[c],
            "PL_POST": post_ep,
            "URN": urn_ep,
        },
    ).with_columns(pl.col("DEC_d").fill_nan(None).cast(pl.Int64))
    episodes_all = _with_temporary_placements(
        rng,
        episodes_all,
        eligible=np.isin(place_ep, list(_TEMPORARY_FROM)) & ~adopt[c],
        today=cur_end,
        year_ends=(cur_start - 1, cur_end),
        codes=place_codes,
    )

    people = _frame(
        {
            "c": np.arange(n),
            "CHILD": ids,
            "dob": dob,
            "sex": rng.choice(np.array([1, 2]), n, p=[0.56, 0.44]),
            "ETHNIC": _pick(rng, _ETHNIC, n),
            "upn": upn(rng, n, la_number),
            "is_cl": is_cl,
            "p_start": p_start,
            "p_end": np.where(ceased, p_end, -1),
            "uasc": uasc_child,
            # a girl's first child: born on this day (a few teenagers a year)
            # (girls still looked after this year: a care leaver's MOTHER is blank, rule 628)
            "mc_day": np.where(
                (rng.random(n) < 0.03) & ~is_cl & (~ceased | (p_end >= cur_start)),
                prev_start + rng.integers(60, 2 * 365, n),
                -1,
            ),
            "adopt": adopt,
        },
    )

    # Social worker episodes on the same timeline, changing about once a year, so both years'
    # returns agree.
    # social work usually starts before care, and the return wants the whole year covered
    sw_from = np.minimum(p_start, prev_start) - rng.integers(30, 400, n)
    sw_to = np.where(ceased, p_end, cur_end)
    sw_span = np.maximum(sw_to - sw_from, 1)
    sw_count = 1 + np.minimum(rng.poisson(0.8 * sw_span / 365), 6)
    sc = np.repeat(np.arange(n), sw_count)
    idx = _within(sw_count)
    total = np.repeat(sw_count, sw_count)
    sw_start = sw_from[sc] + (idx * sw_span[sc] // total)
    # a social worker episode ending in the last days of March runs into April (the return
    # wants the next one otherwise)
    late = ((sw_to >= cur_end - 7) & (sw_to <= cur_end)) | (
        (sw_to >= cur_start - 8) & (sw_to < cur_start)
    )
    sw_to = np.where(late, sw_to + 10, sw_to)
    sw_end = np.where(
        idx == total - 1,
        np.where(ceased[sc], sw_to[sc], -1),
        sw_from[sc] + ((idx + 1) * sw_span[sc] // total),
    )
    social_work = pl.DataFrame(
        {
            "c": sc,
            "SW_ID": np.char.add("SW", rng.integers(100000, 999999, sc.size).astype(str)),
            "SW_DECOM_d": sw_start,
            "SW_DEC_d": pl.Series(sw_end).replace(-1, None),
            "SW_REASON": rng.choice(np.array(_SW_REASONS), sc.size),
        }
    )

    # children on a series of short breaks, numbered after everyone else
    sb_people, sb_episodes = _short_break_children(
        rng,
        max(int(n_lac * _SHORT_BREAK_SHARE), 1),
        first=n,
        days=(prev_start, cur_start, cur_end),
        codes=place_codes,
        la_number=la_number,
    )
    people = pl.concat(
        [
            people.with_columns(pl.lit(False).alias("short_breaks")),
            sb_people.cast(dict(people.schema)).with_columns(pl.lit(True).alias("short_breaks")),
        ]
    )
    episodes_all = pl.concat([episodes_all, sb_episodes.cast(dict(episodes_all.schema))])

    def build(y: int, start: int, end: int, ep_all: pl.DataFrame) -> dict[str, pl.DataFrame]:
        return _year_tables(
            rng, y, start, end, ep_all, people, social_work=social_work, adoption=adopt_sheet
        )

    current = build(year, cur_start, cur_end, episodes_all)
    previous = build(year - 1, prev_start, cur_start - 1, episodes_all)
    planted: list[pl.DataFrame] = []
    if error_rate > 0:
        current, planted_now = plant_errors(rng, current, error_rate)
        previous, planted_before = plant_errors(rng, previous, error_rate)
        planted = [
            planted_now.with_columns(pl.lit(year).alias("year")),
            planted_before.with_columns(pl.lit(year - 1).alias("year")),
        ]
    manifest = pl.concat(planted) if planted else _no_planted()
    return current, previous, manifest.select(_PLANTED_COLUMNS)


def _year_tables(  # noqa: PLR0915 - one table after another reads best in sequence
    rng: np.random.Generator,
    year: int,
    start: int,
    end: int,
    episodes_all: pl.DataFrame,
    people: pl.DataFrame,
    *,
    social_work: pl.DataFrame,
    adoption: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    schema = load_schema(year) if year >= 2018 else load_schema(2018)
    eps = episodes_all.filter(
        (pl.col("DECOM_d") <= end) & (pl.col("DEC_d").is_null() | (pl.col("DEC_d") >= start))
    )
    after = pl.col("DEC_d") > end
    eps = eps.with_columns(
        pl.when(after).then(None).otherwise(pl.col("DEC_d")).alias("DEC_d"),
        pl.when(after).then(None).otherwise(pl.col("REC")).alias("REC"),
        pl.when(after)
        .then(None)
        .otherwise(pl.col("REASON_PLACE_CHANGE"))
        .alias("REASON_PLACE_CHANGE"),
    )
    in_return = people.join(eps.select("c").unique(), on="c", how="semi")
    leavers = people.filter(pl.col("is_cl") & (pl.col("dob").cast(pl.Int64) + (17 * DAY)).le(end))
    # 17th-21st birthday in this year
    birthday_age = ((pl.lit(end) - pl.col("dob")) / DAY).floor()
    leavers = leavers.filter(birthday_age.is_between(17, 21))
    everyone = pl.concat([in_return, leavers]).unique(subset="c", keep="first").sort("c")

    new_sex = year >= 2025
    sex = everyone["sex"].to_numpy()
    sex_text = np.where(sex == 1, "M", "F") if new_sex else sex.astype(str)
    dob_d = everyone["dob"].to_numpy()
    age_end = (end - dob_d) / DAY
    female = sex == 2
    # MOTHER for every girl looked after this year; not for care leavers out of care
    # (short-break children are not looked after in the sense of MOTHER: rule 399)
    looked_after = (
        everyone["c"].is_in(in_return["c"].implode()).to_numpy()
        & ~everyone["short_breaks"].to_numpy()
    )
    mc_day = everyone["mc_day"].to_numpy()
    left = everyone["p_end"].to_numpy()
    is_mother = (
        (mc_day >= 0)
        & (mc_day <= end)
        & (mc_day - dob_d >= 14 * DAY)
        & ((left < 0) | (mc_day <= left))  # born while she was looked after (rule 625)
    )
    mother = np.where(female & looked_after, np.where(is_mother, "1", "0"), None)
    mc_dob = np.where(mother == "1", mc_day, -1)
    upn_col = np.where(age_end < 4, "UN1", everyone["upn"].to_numpy())
    header = _frame(
        {
            "CHILD": everyone["CHILD"],
            "SEX": sex_text,
            "DOB": _dates(dob_d, "DOB"),
            "ETHNIC": everyone["ETHNIC"],
            "UPN": upn_col,
            "MOTHER": mother,
            "MC_DOB": _dates(pl.Series(mc_dob).replace(-1, None), "MC_DOB"),
        },
    )

    episodes = eps.select(
        "CHILD",
        _dates(eps["DECOM_d"], "DECOM"),
        "RNE",
        "LS",
        "CIN",
        "PLACE",
        "PLACE_PROVIDER",
        _dates(eps["DEC_d"], "DEC"),
        "REC",
        "REASON_PLACE_CHANGE",
        "HOME_POST",
        "PL_POST",
        "URN",
    )

    # per-child facts within the year
    per_child = (
        eps.group_by("c")
        .agg(
            pl.col("DECOM_d").min().alias("first"),
            pl.col("DEC_d").max().alias("last_dec"),
            pl.col("DEC_d").is_null().any().alias("open"),
        )
        .join(
            people.select("c", "CHILD", "dob", "p_start", "uasc", "adopt", "sex", "short_breaks"),
            on="c",
        )
        .sort("c")
    )
    h = per_child.height
    window_start = np.maximum(per_child["first"].to_numpy(), start)
    window_end = np.where(
        per_child["open"].to_numpy(), end, per_child["last_dec"].fill_null(end).to_numpy()
    )
    days = np.maximum(window_end - window_start, 0)
    child = per_child["CHILD"].to_numpy()
    dob_c = per_child["dob"].to_numpy()

    # reviews: first 20 days after starting, then every ~6 months
    # (none for short breaks: rule 399)
    short_breaks = per_child["short_breaks"].to_numpy()
    n_rev = np.where((days >= 20) & ~short_breaks, 1 + days // 182, 0)
    rc = np.repeat(np.arange(h), n_rev)
    step = _within(n_rev)
    rev_day = window_start[rc] + 19 + step * 182 - rng.integers(0, 10, rc.size)
    rev_day = np.minimum(rev_day, window_end[rc])
    age_rev = (rev_day - dob_c[rc]) / DAY
    reviews = _frame(
        {
            "CHILD": child[rc],
            "DOB": _dates(dob_c[rc], "DOB"),
            "REVIEW": _dates(rev_day, "REVIEW"),
            "REVIEW_CODE": np.where(
                age_rev < 4,
                "PN0",
                rng.choice(
                    np.array(["PN1", "PN2", "PN3", "PN4", "PN5", "PN6", "PN7"]),
                    rc.size,
                    p=[0.55, 0.15, 0.1, 0.08, 0.05, 0.04, 0.03],
                ),
            ),
        },
    )

    # UASC
    u = per_child.filter(pl.col("uasc"))
    sex_u = u["sex"].to_numpy()
    uasc = _frame(
        {
            "CHILD": u["CHILD"],
            "SEX": np.where(sex_u == 1, "M", "F") if new_sex else sex_u.astype(str),
            "DOB": _dates(u["dob"].to_numpy(), "DOB"),
            "DUC": _dates(_birthday(u["dob"].to_numpy(), 18), "DUC"),
        },
    )

    # OC2: looked after continuously for 12 months at 31 March
    o = per_child.filter(pl.col("open") & (pl.col("p_start") <= start) & ~pl.col("short_breaks"))
    k2 = o.height
    age_o = (end - o["dob"].to_numpy()) / DAY
    # an SDQ for children 4 or over on 1 April and under 17 on 31 March, else a reason
    o_dob = o["dob"].to_numpy()
    due = (_birthday(o_dob, 4) <= end) & (_birthday(o_dob, 17) >= start)  # 186 and 197B
    # (no score for a child already 17 on 1 April: rule 189)
    scored = due & (_birthday(o_dob, 17) > start) & (rng.random(k2) < 0.9)
    oc2 = _frame(
        {
            "CHILD": o["CHILD"],
            "DOB": _dates(o["dob"].to_numpy(), "DOB"),
            "SDQ_SCORE": np.where(scored, rng.integers(0, 41, k2).astype(str), None),
            "SDQ_REASON": np.where(
                due & ~scored,
                rng.choice(np.array(["SDQ2", "SDQ3", "SDQ4", "SDQ5"]), k2),
                None,
            ),
            "CONVICTED": np.where(age_o >= 10, np.where(rng.random(k2) < 0.03, "1", "0"), None),
            # the health check item is for under-fives only
            "HEALTH_CHECK": np.where(age_o < 5, np.where(rng.random(k2) < 0.9, "1", "0"), None),
            "IMMUNISATIONS": np.where(rng.random(k2) < 0.85, "1", "0"),
            "TEETH_CHECK": np.where(rng.random(k2) < 0.8, "1", "0"),
            "HEALTH_ASSESSMENT": np.where(rng.random(k2) < 0.9, "1", "0"),
            "SUBSTANCE_MISUSE": np.where(rng.random(k2) < 0.04, "1", "0"),
            "INTERVENTION_RECEIVED": None,
            "INTERVENTION_OFFERED": None,
        },
    )
    misuse = oc2["SUBSTANCE_MISUSE"] == "1"
    oc2 = oc2.with_columns(
        pl.when(misuse).then(pl.lit("1")).otherwise(None).alias("INTERVENTION_RECEIVED"),
        pl.lit(None, dtype=pl.String).alias("INTERVENTION_OFFERED"),
    )

    # OC3: care leavers with their 17th-21st birthday in the year. Not in touch, refused or
    # no longer needing services: activity and accommodation "0" (not known); returned home
    # for six months: "0" too (not applicable).
    q = leavers.height
    age_q = np.floor((end - leavers["dob"].to_numpy()) / DAY)
    in_touch = _pick(rng, _IN_TOUCH, q)
    touching = in_touch == "YES"
    eet_target = np.where(
        age_q <= 18,
        NATIONAL["care_leavers_17_18_eet_pct"][0],
        NATIONAL["care_leavers_19_21_eet_pct"][0],
    ) / (100 * _IN_TOUCH["YES"] / sum(_IN_TOUCH.values()))
    activ = np.where(
        rng.random(q) < eet_target, _pick(rng, _ACTIV_EET, q), _pick(rng, _ACTIV_NEET, q)
    )
    letter = _pick(rng, _ACCOM_LETTERS, q)
    adult_start = _birthday(leavers["dob"].to_numpy(), 18) <= start
    letter = np.where(np.isin(letter, ["Z", "T"]) & ~adult_start, "U", letter)
    accom = np.char.add(letter.astype(str), np.where(rng.random(q) < _ACCOM_SUITABLE, "1", "2"))
    oc3 = _frame(
        {
            "CHILD": leavers["CHILD"],
            "DOB": _dates(leavers["dob"].to_numpy(), "DOB"),
            "IN_TOUCH": in_touch,
            "ACTIV": np.where(touching, activ, "0"),
            "ACCOM": np.where(touching, accom, "0"),
        },
    )

    # Adoptions. AD1: children adopted (REC E11/E12) in the year, with the agency's decision
    # (DATE_INT, the same date as PlacedAdoption's DATE_PLACED) and the match before the
    # adoptive placement. PlacedAdoption: every child in the year's return with a decision
    # to place for adoption by 31 March (adopted or still waiting).
    adopted = eps.filter(pl.col("REC").is_in(["E11", "E12"]) & pl.col("DEC_d").is_not_null())
    adopted = adopted.join(adoption, on="c", how="inner").join(
        people.select("c", "dob"), on="c", how="left"
    )
    a = adopted.height
    couple = rng.choice(
        np.array(["L11", "L0", "L12", "L2", "L3", "L4"]), a, p=[0.55, 0.15, 0.1, 0.07, 0.08, 0.05]
    )
    same_sex = rng.choice(np.array(["MM", "FF"]), a)
    ad1 = _frame(
        {
            "CHILD": adopted["CHILD"],
            "DOB": _dates(adopted["dob"].to_numpy(), "DOB"),
            "DATE_INT": _dates(adopted["decision"].to_numpy(), "DATE_INT"),
            "DATE_MATCH": _dates(adopted["t_match"].to_numpy(), "DATE_MATCH"),
            "FOSTER_CARE": np.where(adopted["foster_adopt"].to_numpy(), "1", "0"),
            "NB_ADOPTR": np.where(couple == "L0", "1", "2"),
            "SEX_ADOPTR": np.where(
                couple == "L0",
                rng.choice(np.array(["F1", "M1"]), a, p=[0.8, 0.2]),
                np.where(np.isin(couple, ["L11", "L3"]), "MF", same_sex),
            ),
            "LS_ADOPTR": couple,
        },
    )
    deciding = (
        adoption.filter(pl.col("decision") <= end)
        .join(eps.select("c", "CHILD").unique("c"), on="c", how="inner")
        .join(people.select("c", "dob"), on="c", how="left")
        .sort("c")
    )
    placed = _frame(
        {
            "CHILD": deciding["CHILD"],
            "DOB": _dates(deciding["dob"].to_numpy(), "DOB"),
            "DATE_PLACED": _dates(deciding["decision"].to_numpy(), "DATE_PLACED"),
            "DATE_PLACED_CEASED": np.full(deciding.height, None, dtype=object),
            "REASON_PLACED_CEASED": np.full(deciding.height, None, dtype=object),
        },
    )

    # Previous permanence: children starting a period of care in the year
    starters = (
        eps.filter((pl.col("RNE") == "S") & (pl.col("DECOM_d") >= start)).unique("c").sort("c")
    )
    s = starters.height
    prev = rng.choice(np.array(["Z1", "P1", "P2", "P3"]), s, p=[0.93, 0.01, 0.03, 0.03])
    sdob = starters.join(people.select("c", "dob"), on="c", how="left")["dob"].to_numpy()
    prev = np.where(starters["DECOM_d"].to_numpy() - sdob < 400, "Z1", prev)  # babies
    # short breaks (every break starts a period of care, rule 630): living with their parents
    prev = np.where(starters["LS"].to_numpy() == "V3", "Z1", prev)
    perm_day = np.maximum(starters["DECOM_d"].to_numpy() - rng.integers(200, 2000, s), sdob + 1)
    prev_perm = _frame(
        {
            "CHILD": starters["CHILD"],
            "DOB": _dates(sdob, "DOB"),
            "PREV_PERM": prev,
            "LA_PERM": np.where(prev == "Z1", None, "393"),
            "DATE_PERM": _dates(
                pl.Series(np.where(prev == "Z1", -1, perm_day)).replace(-1, None), "DATE_PERM"
            ),
        },
    )

    # Missing: mostly teenagers (the national share of children looked after who went missing
    # is in NATIONAL); 1-6 incidents each, one after another, each back within a few days
    age_mid = (window_start - dob_c) / DAY
    chance = np.select(
        [age_mid >= 13, age_mid >= 10], [_MISSING_TEEN, _MISSING_TEEN / 4], _MISSING_TEEN / 40
    )
    went = (rng.random(h) < chance) & (days > 20) & ~short_breaks
    times = np.where(went, rng.integers(1, 7, h), 0)
    mc = np.repeat(np.arange(h), times)
    slot = np.maximum((days[mc] - 1) // np.maximum(times[mc], 1), 1)
    mis_start = (
        window_start[mc]
        + 1
        + _within(times) * slot
        + (rng.random(mc.size) * np.maximum(slot - 5, 1)).astype(np.int64)
    )
    mis_end = np.minimum(
        mis_start + rng.integers(0, 4, mc.size), np.maximum(window_end[mc], mis_start)
    )
    missing = _frame(
        {
            "CHILD": child[mc],
            "DOB": _dates(dob_c[mc], "DOB"),
            "MISSING": np.where(rng.random(mc.size) < 0.8, "M", "A"),
            "MIS_START": _dates(mis_start, "MIS_START"),
            "MIS_END": _dates(mis_end, "MIS_END"),
        },
    )

    tables = {
        "Header": header,
        "Episodes": episodes,
        "Reviews": reviews,
        "UASC": uasc,
        "OC2": oc2,
        "OC3": oc3,
        "AD1": ad1,
        "PlacedAdoption": placed,
        "PrevPerm": prev_perm,
        "Missing": missing,
    }

    if "SWEpisodes" in schema.tables:
        # the social worker episodes that touch the year, for children in this year's episodes
        sw = (
            social_work.join(per_child.select("c", "CHILD", "dob"), on="c", how="inner")
            .filter(
                (pl.col("SW_DECOM_d") <= end)
                & (pl.col("SW_DEC_d").is_null() | (pl.col("SW_DEC_d") >= start))
            )
            .with_columns(
                pl.when(pl.col("SW_DEC_d") > end)
                .then(None)
                .otherwise(pl.col("SW_DEC_d"))
                .alias("SW_DEC_d")
            )
            .sort("c", "SW_DECOM_d")
        )
        tables["SWEpisodes"] = sw.select(
            "CHILD",
            _dates(sw["dob"], "DOB"),
            "SW_ID",
            _dates(sw["SW_DECOM_d"], "SW_DECOM"),
            _dates(sw["SW_DEC_d"], "SW_DEC"),
            "SW_REASON",
        )

    return {name: frame.select(list(schema.tables[name].columns)) for name, frame in tables.items()}


# Day and month swapped, as a spreadsheet set to US dates does to a date it can read both ways
# (01/06/2024 becomes 06/01/2024); a date whose day is over 12 is left as it was, as the
# spreadsheet leaves it. The date is still a real date, so a council's file with this mistake
# reads (the open-source validator's rules do not meet a child whose every start date is
# unreadable, on which 17 of them crash).
US_DATE = "day and month swapped"

# A typical mistake per (table, column): the value written, or US_DATE. Each is one a council's
# file has: a code mistyped or from an older list (XXXX, Q9, N9, E99, PR9, PN9, Z9 are not in
# any list; SEX 9 is the ISO 5218 "not applicable" some systems export), an item left blank, a
# UPN cut short, a score out of range, dates swapped by a spreadsheet, a date in US order with
# dashes.
_MISTAKES: list[tuple[str, str, str]] = [
    ("Header", "ETHNIC", "XXXX"),
    ("Header", "DOB", US_DATE),
    ("Header", "SEX", "9"),
    ("Header", "UPN", "A12345"),
    ("Episodes", "PLACE", "Q9"),
    ("Episodes", "LS", ""),
    ("Episodes", "DECOM", US_DATE),
    ("Episodes", "CIN", "N9"),
    ("Episodes", "REC", "E99"),
    ("Episodes", "PLACE_PROVIDER", "PR9"),
    ("Reviews", "REVIEW_CODE", "PN9"),
    ("Reviews", "REVIEW", US_DATE),
    ("OC3", "ACTIV", "Z9"),
    ("OC2", "SDQ_SCORE", "55"),
    ("Missing", "MISSING", "X"),
    ("Missing", "MIS_START", "01-13-2024"),
]


def _planted_value(frame: pl.DataFrame, column: str, value: str) -> pl.Series:
    """What the mistake writes in every row (the caller keeps it only in the rows hit)."""
    if value != US_DATE:
        return pl.Series(column, [value or None] * frame.height, dtype=pl.String)
    text = frame[column].cast(pl.String)
    parts = text.str.extract_groups(r"^(\d{2})/(\d{2})/(\d{4})$")
    day, month, year = (parts.struct.field(f) for f in ("1", "2", "3"))
    swapped = pl.select(
        pl.when(day.cast(pl.Int32, strict=False) <= 12)
        .then(pl.concat_str([month, day, year], separator="/"))
        .otherwise(text)
        .fill_null(text)
    ).to_series()
    return swapped.alias(column)


_PLANTED_COLUMNS = ["year", "table", "row_number", "child_id", "column", "value"]


def _no_planted() -> pl.DataFrame:
    return pl.DataFrame(
        {c: [] for c in _PLANTED_COLUMNS},
        schema={
            c: pl.Int64 if c in ("year", "row_number") else pl.String for c in _PLANTED_COLUMNS
        },
    )


def plant_errors(
    rng: np.random.Generator, tables: dict[str, pl.DataFrame], rate: float
) -> tuple[dict[str, pl.DataFrame], pl.DataFrame]:
    """Overwrite a share `rate` of each table's rows with one typical mistake each, and copy
    a few episode rows exactly; -> (the tables, one row per planted mistake: `table`,
    `row_number` (1-based, in the file as written), `child_id`, `column`, `value`)."""
    out = dict(tables)
    by_table: dict[str, list[tuple[str, str]]] = {}
    for table, column, value in _MISTAKES:
        by_table.setdefault(table, []).append((column, value))
    records: list[pl.DataFrame] = []
    for table, mistakes in by_table.items():
        frame = out.get(table)
        if frame is None or frame.height == 0:
            continue
        hit = rng.random(frame.height) < rate
        # the table's kinds of mistake in turn over the hit rows (shuffled), so that every kind
        # is planted once there are as many hits as kinds (a random draw per row can miss one)
        hits = np.flatnonzero(hit)
        which = np.full(frame.height, -1, dtype=np.int64)
        which[hits] = rng.permutation(np.arange(hits.size) % len(mistakes))
        exprs = []
        for i, (column, value) in enumerate(mistakes):
            written = _planted_value(frame, column, value)
            before = frame[column].cast(pl.String)
            # a row the mistake leaves as it was (a day over 12) is not listed as planted
            changed = ~(written.eq_missing(before)).to_numpy()
            mask = hit & (which == i) & changed
            exprs.append(
                pl.when(pl.Series(mask)).then(written).otherwise(pl.col(column)).alias(column)
            )
            rows = np.flatnonzero(mask)
            records.append(
                pl.DataFrame(
                    {
                        "table": table,
                        "row_number": rows + 1,
                        "child_id": frame["CHILD"].gather(rows),
                        "column": column,
                        "value": written.gather(rows).fill_null(""),
                    }
                )
            )
        out[table] = frame.with_columns(exprs)
    # a few exact duplicate episode rows, written at the end of the file
    episodes = out["Episodes"]
    dup_rows = np.flatnonzero(rng.random(episodes.height) < rate / 10)
    out["Episodes"] = pl.concat([episodes, episodes[dup_rows]])
    records.append(
        pl.DataFrame(
            {
                "table": "Episodes",
                "row_number": episodes.height + 1 + np.arange(dup_rows.size),
                "child_id": episodes["CHILD"].gather(dup_rows),
                "column": "*",
                "value": "duplicate",
            }
        )
    )
    manifest = pl.concat(
        [r.with_columns(pl.col("row_number").cast(pl.Int64)) for r in records if r.height]
        or [_no_planted().drop("year")]
    )
    return out, manifest


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
) -> tuple[Path, Path]:
    """Write `out/current` and `out/previous` (and, given `planted`, the list of the mistakes
    planted in them there); returns both folders."""
    current, previous, mistakes = generate_with_planted(
        children, year, seed=seed, error_rate=error_rate
    )
    write_return(current, out / "current")
    write_return(previous, out / "previous")
    if planted is not None:  # never inside `out`: a reader would take it for a table
        planted.parent.mkdir(parents=True, exist_ok=True)
        mistakes.write_csv(planted)
    return out / "current", out / "previous"
