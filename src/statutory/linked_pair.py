"""A linked pair of synthetic returns: a CIN census and SSDA903 returns about the same children,
as one council's systems would write them.

Some of the children in need later enter care. Each of them is in the SSDA903 returns under the
same child id, with the same date of birth, sex and UPN, and a period of care that starts after
their CIN referral (likelier for teenagers and children on a child protection plan); the
SSDA903 category of need is their CIN primary need. The other children looked after in the
SSDA903 returns are generated as usual.

The census is for collection year `year` (April `year - 1` to March `year`); the SSDA903 returns
are for `year` and `year + 1`, so a child referred in the census year can be followed for 12
months. Upload all three: the census as `year`, `ssda903/<year>` as `year`, and
`ssda903/<year + 1>` as `year + 1` with `ssda903/<year>` as its last year's return.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from statutory.cin.generator import generate as generate_census
from statutory.cin.reader import read_xml
from statutory.reference import council
from statutory.ssda903.generator.files import write_return
from statutory.ssda903.generator.timeline import generate_with_planted

# Chance that a child in need enters care within the follow-up, before age and protection.
BASE_CHANCE = 0.08
FOLLOW_UP_DAYS = (14, 540)  # entering care this many days after the CIN referral


@dataclass(frozen=True)
class LinkedPair:
    census: Path
    ssda903: dict[int, Path]  # collection year -> folder of that year's CSVs
    entrants: pl.DataFrame  # the children in need who enter care (CHILD, dob, entered, ...)
    instructions: Path

    @property
    def year(self) -> int:
        return min(self.ssda903)


def _chance(age: int, protected: bool) -> float:
    """Teenagers and children on a protection plan enter care more often."""
    chance = BASE_CHANCE + (0.06 if age >= 13 else 0.0) + (0.10 if protected else 0.0)
    return min(chance, 0.5)


def _birthday(born: dt.date, years: int) -> dt.date:
    try:
        return born.replace(year=born.year + years)
    except ValueError:  # 29 February
        return born.replace(year=born.year + years, day=28)


def entrants(census: Path, year: int, last_day: dt.date, *, seed: int = 1) -> pl.DataFrame:
    """The children of the census who enter care by `last_day`: one row each with `CHILD`,
    `dob`, `sex` (1 boy, 2 girl), `upn`, `need` (CIN primary need) and `entered`."""
    tables = read_xml(census, year).tables
    idents = tables["ChildIdentifiers"]
    sex_column = next(c for c in ("Sex", "GenderCurrent") if c in idents.columns)
    people = {
        row["LAchildID"]: row
        for row in idents.select(
            "LAchildID",
            "PersonBirthDate",
            sex_column,
            *(["UPN"] if "UPN" in idents.columns else []),
        ).iter_rows(named=True)
    }
    plans = tables.get("ChildProtectionPlans")
    protected = set(plans["LAchildID"].to_list()) if plans is not None else set()
    first = (
        tables["CINdetails"]
        .filter(pl.col("CINreferralDate").is_not_null())
        .sort("CINreferralDate")
        .unique(subset=["LAchildID"], keep="first", maintain_order=True)
    )
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not secrets)
    rows = []
    for cid, referred, need in first.select(
        "LAchildID", "CINreferralDate", "PrimaryNeedCode"
    ).iter_rows():
        person = people.get(cid)
        if person is None:
            continue
        born = person["PersonBirthDate"]
        if born is None or born >= referred:
            continue  # unborn children are not looked after
        age = referred.year - born.year - ((referred.month, referred.day) < (born.month, born.day))
        if rng.random() >= _chance(age, cid in protected):
            continue
        entered = referred + dt.timedelta(days=rng.randint(*FOLLOW_UP_DAYS))
        if entered > last_day or entered >= _birthday(born, 18) - dt.timedelta(days=2):
            continue
        sex = str(person[sex_column])
        rows.append(
            {
                "CHILD": cid,
                "dob": born,
                "sex": 1 if sex in ("M", "1") else 2,
                "upn": person.get("UPN"),
                "need": need,
                "entered": entered,
            }
        )
    schema = {
        "CHILD": pl.String,
        "dob": pl.Date,
        "sex": pl.Int64,
        "upn": pl.String,
        "need": pl.String,
        "entered": pl.Date,
    }
    return pl.DataFrame(rows, schema=schema)


def generate_linked_pair(
    out: Path,
    children: int,
    year: int,
    *,
    looked_after: int | None = None,
    la: str = "392",
    seed: int = 1,
    error_rate: float = 0.0,
) -> LinkedPair:
    """Write `out/cin-<year>.xml` (a census of `children` children), `out/ssda903/<year>` and
    `out/ssda903/<year + 1>` (about `looked_after` other children looked after, default a fifth
    of `children`, plus the children in need who enter care) and `out/README.txt`, which says
    what to upload as which year."""
    out.mkdir(parents=True, exist_ok=True)
    where = council(la)
    census = generate_census(
        out / f"cin-{year}.xml",
        children,
        year=year,
        seed=seed,
        error_rate=error_rate,
        la=where.dfe_code,
    )
    last_day = dt.date(year + 1, 3, 30)
    linked = entrants(census, year, last_day, seed=seed)
    current, previous, _planted = generate_with_planted(
        looked_after if looked_after is not None else max(children // 5, 1),
        year + 1,
        seed=seed,
        error_rate=error_rate,
        home_district=where.ons_code,
        la_number=int(where.dfe_code),
        linked=linked,
    )
    folders = {year: out / "ssda903" / str(year), year + 1: out / "ssda903" / str(year + 1)}
    write_return(previous, folders[year])
    write_return(current, folders[year + 1])
    readme = out / "README.txt"
    readme.write_text(_instructions(census, folders, where.name, len(linked)), encoding="utf-8")
    return LinkedPair(census, folders, linked, readme)


def _years(year: int) -> str:
    return f"{year} (April {year - 1} to March {year})"


def _instructions(census: Path, folders: dict[int, Path], name: str, entrants: int) -> str:
    first, second = sorted(folders)
    return (
        f"A linked CIN census and SSDA903 returns for {name}: {entrants:,} of the children in "
        "need enter care, under the same child id, date of birth and sex in both returns.\n\n"
        "Upload them in Statutory returns, signed in as the council's analyst:\n"
        f"1. CIN census, collection year {_years(first)}: {census.name}\n"
        f"2. SSDA903, collection year {_years(first)}: every CSV in {folders[first]}\n"
        f"3. SSDA903, collection year {_years(second)}: every CSV in {folders[second]}, "
        f"with the CSVs in {folders[first]} as last year's return\n\n"
        f"Edge of Care can then compare the children it supported who were referred in "
        f"{first - 1} with similar children in need, and follow both for 12 months.\n"
    )
