"""A council's consistent SSDA903 returns over several years, for building and testing forecasts.

One history of care is simulated from the first day of a run-in period to 31 March of the last
year, and each year's return is the slice the council would have sent: the episodes open at any
time between 1 April and 31 March, an episode still open at 31 March without its end, and the
Header of every child in those episodes. So a child looked after at 31 March 2023 is in both the
2023 and the 2024 returns with the same id, date of birth and episode start.

The history follows the shape of children's care in England (the national tables, 2024-25):
- children start care at every age, most often under 1 or as teenagers, in numbers that drift
  by `growth` a year (so a forecast has a trend to find);
- they live in one of seven kinds of placement (the forecast's states:
  `forecast.bottom_up.states`), moving between them at rates that depend on the kind and the
  child's age, and leave care (home, special guardianship, adoption, independent living) at
  rates that do too; every child has left by their 18th birthday.
Only the Header and Episodes tables are written: they are what the demand models read. For a
complete return with every table (and planted mistakes), use the single-year mode.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from statutory.ssda903.generator.children import _postcodes, upn

STATES = ("in_house", "agency", "residential", "supported", "with_parents", "adoption", "other")
# placement codes and providers written for each state
_PLACE = {
    "in_house": (["U1", "U3", "U4", "U6"], ["PR1"]),
    "agency": (["U4", "U6"], ["PR4", "PR5"]),
    "residential": (["K2", "R1", "S1"], ["PR4", "PR1"]),
    "supported": (["H5", "K3", "P2"], ["PR4", "PR5"]),
    "with_parents": (["P1"], ["PR0"]),
    "adoption": (["A5", "A6"], ["PR1"]),
    "other": (["R3", "Z1"], ["PR3"]),
}
# age bands by age in whole years: under 1, 1-4, 5-9, 10-15, 16-17
_BAND = np.array([0, 1, 1, 1, 1, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 3, 4, 4])
# share of a year's starters in each band, and the first placement by band (rows: band)
_START_AGE = np.array([0.19, 0.15, 0.15, 0.33, 0.18])
_FIRST = np.array(
    # in_house agency resid supported parents adoption other
    [
        [0.55, 0.25, 0.00, 0.00, 0.08, 0.00, 0.12],
        [0.55, 0.30, 0.01, 0.00, 0.10, 0.00, 0.04],
        [0.50, 0.35, 0.05, 0.00, 0.08, 0.00, 0.02],
        [0.35, 0.35, 0.18, 0.02, 0.08, 0.00, 0.02],
        [0.15, 0.20, 0.20, 0.38, 0.05, 0.00, 0.02],
    ]
)
# mean years in a placement before it ends (a move or leaving care), by state and band
_STAY = np.array(
    [
        [0.9, 1.6, 2.4, 2.6, 1.2],  # in_house
        [0.9, 1.4, 2.0, 2.0, 1.1],  # agency
        [0.5, 0.8, 1.0, 0.9, 0.8],  # residential
        [0.5, 0.5, 0.5, 0.8, 0.9],  # supported
        [0.8, 0.8, 0.8, 0.7, 0.7],  # with parents
        [0.4, 0.5, 0.6, 0.6, 0.6],  # adoption: placed, then adopted
        [0.3, 0.3, 0.4, 0.5, 0.5],  # other
    ]
)
# when a placement ends: the chance the child leaves care (not another placement)
_LEAVE = np.array(
    [
        [0.45, 0.40, 0.30, 0.25, 0.45],
        [0.40, 0.35, 0.25, 0.20, 0.40],
        [0.10, 0.15, 0.20, 0.20, 0.40],
        [0.10, 0.10, 0.20, 0.30, 0.55],
        [0.80, 0.80, 0.75, 0.70, 0.70],
        [0.95, 0.95, 0.90, 0.90, 0.90],
        [0.30, 0.30, 0.30, 0.30, 0.40],
    ]
)
# the next placement when a child moves, by band (the current state's own column is skipped)
_NEXT = np.array(
    [
        [0.30, 0.20, 0.00, 0.00, 0.15, 0.35, 0.00],
        [0.30, 0.25, 0.02, 0.00, 0.15, 0.28, 0.00],
        [0.35, 0.35, 0.12, 0.00, 0.12, 0.06, 0.00],
        [0.25, 0.35, 0.25, 0.05, 0.10, 0.00, 0.00],
        [0.10, 0.15, 0.20, 0.50, 0.05, 0.00, 0.00],
    ]
)
_REASONS_HOME = ["E4A", "E4B", "E13", "E41", "E45", "E47"]
_REASONS_HOME_P = [0.45, 0.05, 0.1, 0.1, 0.15, 0.15]
_REASONS_OLDER = ["E4A", "E13", "E5", "E6", "E8"]
_REASONS_OLDER_P = [0.35, 0.1, 0.35, 0.1, 0.1]


@dataclass(frozen=True)
class _Spell:
    child: int
    start: dt.date
    end: dt.date | None  # None: still in care at the end of the history
    state: str
    reason: str  # how it ended: X1 (moved), a leaving-care reason, or "" when open


def _date(day: float) -> dt.date:
    return dt.date(1970, 1, 1) + dt.timedelta(days=int(day))


def _day(date: dt.date) -> float:
    return float((date - dt.date(1970, 1, 1)).days)


def _history(
    rng: np.random.Generator, children: int, first_year: int, last_year: int, growth: float
) -> tuple[list[_Spell], dict[int, dt.date]]:
    """Spells of care from a run-in of 18 years before `first_year`, with about `children`
    looked after at 31 March of `last_year`."""
    run_in = 18
    start = _day(dt.date(first_year - 1 - run_in, 4, 1))
    stop = _day(dt.date(last_year, 3, 31))
    # about 2.4 years in care on average at these rates: starters a year to give `children`
    per_year = children / 2.4
    spells: list[_Spell] = []
    birth: dict[int, dt.date] = {}
    next_id = 0
    years = last_year - (first_year - 1 - run_in)
    for k in range(years):
        y0 = start + k * 365.25
        trend = (1 + growth) ** (k - (years - 1))
        for _ in range(rng.poisson(per_year * trend)):
            entry = y0 + rng.uniform(0, 365.25)
            if entry > stop:
                continue
            band = int(rng.choice(5, p=_START_AGE))
            low, high = [(0, 1), (1, 5), (5, 10), (10, 16), (16, 18)][band]
            age = rng.uniform(low, high - 0.1)
            dob = entry - age * 365.25
            child = next_id
            next_id += 1
            birth[child] = _date(dob)
            eighteen = _day(dt.date(birth[child].year + 18, birth[child].month, 1)) + 27
            state = int(rng.choice(7, p=_FIRST[band]))
            at = entry
            while True:
                band = int(_BAND[min(int((at - dob) / 365.25), 17)])
                end = at + max(1.0, rng.exponential(_STAY[state, band] * 365.25))
                leaving = rng.uniform() < _LEAVE[state, band]
                if end >= eighteen:
                    end, leaving = eighteen, True
                if end > stop:
                    spells.append(_Spell(child, _date(at), None, STATES[state], ""))
                    break
                if leaving:
                    if STATES[state] == "adoption":
                        reason = "E11" if rng.uniform() < 0.6 else "E12"
                    elif end >= eighteen or band == 4:
                        reason = str(rng.choice(_REASONS_OLDER, p=_REASONS_OLDER_P))
                    else:
                        reason = str(rng.choice(_REASONS_HOME, p=_REASONS_HOME_P))
                    spells.append(_Spell(child, _date(at), _date(end), STATES[state], reason))
                    break
                weights = _NEXT[band].copy()
                weights[state] = 0
                spells.append(_Spell(child, _date(at), _date(end), STATES[state], "X1"))
                state = int(rng.choice(7, p=weights / weights.sum()))
                at = end
    return spells, birth


def generate_years(
    out: Path,
    children: int,
    last_year: int,
    years: int,
    *,
    seed: int = 0,
    growth: float = 0.03,
    home_district: str = "E08000022",
    la_number: int = 392,
) -> list[Path]:
    """Write `out/<year>/header.csv` and `episodes.csv` for each of `years` collection years
    ending with `last_year` (2026 = 2025/26); returns the folders, oldest first."""
    if years < 1:
        raise ValueError("years must be 1 or more")
    rng = np.random.default_rng(seed)
    first_year = last_year - years + 1
    spells, birth = _history(rng, children, first_year, last_year, growth)
    ids = sorted(birth)
    upns = upn(rng, len(ids), la_number)
    child_id = {c: f"{la_number}{c:07d}" for c in ids}
    sex = {c: str(rng.choice(["1", "2"], p=[0.56, 0.44])) for c in ids}
    ethnic = {c: str(rng.choice(["WBRI", "WOTH", "MWBC", "AOTH", "BAFR", "OOTH"])) for c in ids}
    places = _postcodes(rng, home_district)
    home = {c: str(rng.choice(places.home)) for c in ids}
    moved_in = {(s.child, s.end) for s in spells if s.reason == "X1"}
    upn_of = dict(zip(ids, upns, strict=True))
    by_id = {child_id[c]: c for c in ids}
    folders = []
    for year in range(first_year, last_year + 1):
        year_start, year_end = dt.date(year - 1, 4, 1), dt.date(year, 3, 31)
        rows = []
        for spell in spells:
            if spell.start > year_end or (spell.end is not None and spell.end < year_start):
                continue
            code, providers = _PLACE[spell.state]
            pick = (spell.child * 7919 + spell.start.toordinal()) % 1000
            ended = spell.end is not None and spell.end <= year_end
            first = (spell.child, spell.start) not in moved_in
            rows.append(
                {
                    "CHILD": child_id[spell.child],
                    "DECOM": spell.start,
                    "RNE": "S" if first else "P",
                    "LS": "E1" if spell.state == "adoption" else ("V2" if pick % 5 == 0 else "C2"),
                    "CIN": "N1",
                    "PLACE": code[pick % len(code)],
                    "PLACE_PROVIDER": providers[pick % len(providers)],
                    "DEC": spell.end if ended else None,
                    "REC": spell.reason if ended else None,
                    "REASON_PLACE_CHANGE": "CARPL" if ended and spell.reason == "X1" else None,
                    "HOME_POST": home[spell.child],
                    "PL_POST": str(places.anywhere[pick % len(places.anywhere)]),
                    "URN": f"SC{100000 + pick:06d}" if spell.state == "residential" else "XXXXXXX",
                }
            )
        episodes = pl.DataFrame(rows, infer_schema_length=None).sort("CHILD", "DECOM")
        in_year = episodes.get_column("CHILD").unique().sort().to_list()
        header = pl.DataFrame(
            {
                "CHILD": in_year,
                "SEX": [sex[by_id[c]] for c in in_year],
                "DOB": [birth[by_id[c]] for c in in_year],
                "ETHNIC": [ethnic[by_id[c]] for c in in_year],
                "UPN": [str(upn_of[by_id[c]]) for c in in_year],
                "MOTHER": [None] * len(in_year),
                "MC_DOB": [None] * len(in_year),
            },
            schema_overrides={"MOTHER": pl.String, "MC_DOB": pl.Date},
        )
        folder = out / str(year)
        folder.mkdir(parents=True, exist_ok=True)
        header.write_csv(folder / "header.csv", date_format="%d/%m/%Y")
        episodes.write_csv(folder / "episodes.csv", date_format="%d/%m/%Y")
        folders.append(folder)
    return folders
