"""The evaluation end to end through the real returns app: a generated CIN census and SSDA903
returns are uploaded, checked and stored pseudonymised by `alliance.returns.services`, as a
council's analyst would; Edge of Care children (children in need, under the council's own ids)
were referred through the real services; entry to care is planted, with Edge of Care lowering
it by 20 points and older children both likelier to be referred and likelier to enter care.
Outcome matching must find each child's SSDA903 episodes under the one pseudonym both returns
share, and the matched comparison must recover the planted effect."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.edgeofcare import comparison, outcomes
from alliance.edgeofcare.models import Outcome
from alliance.returns.services import stored_returns
from statutory.cin.generator import generate as generate_cin
from statutory.cin.reader import read_xml
from statutory.ssda903.generator import generate_to
from tests import factories as core
from tests.alliance.edgeofcare import factories
from tests.alliance.returns.factories import accepted_return, csv_files

pytestmark = pytest.mark.django_db

CENSUS_YEAR = 2025  # April 2024 to March 2025: the children referred in 2024
REFERRED_IN = 2024
SSDA903_YEARS = (2025, 2026)  # April 2024 to March 2026: every 12-month follow-up
EFFECT = -0.20
NEEDS = {f"N{i}" for i in range(1, 9)}


def collection_year(day: dt.date) -> int:
    return day.year + 1 if day.month >= 4 else day.year


def risk(age: int) -> float:
    """Chance of entering care within 12 months without Edge of Care: rises with age."""
    return 0.15 + 0.02 * age


def children_in_need(census: Path) -> list[dict]:
    """Each child first referred in REFERRED_IN (from April, inside the uploads' span), with the
    baseline the evaluation computes from the census."""
    tables = read_xml(census, CENSUS_YEAR).tables
    details = tables["CINdetails"]
    births = dict(tables["ChildIdentifiers"].select("LAchildID", "PersonBirthDate").iter_rows())
    disabled = set(
        tables["Disabilities"].filter(pl.col("Disability") != "NONE")["LAchildID"].to_list()
    )
    with_cp = set(tables["ChildProtectionPlans"]["LAchildID"].to_list())
    history: dict[str, list[dt.date]] = {}
    for cid, day in details.select("LAchildID", "CINreferralDate").iter_rows():
        if day is not None:
            history.setdefault(cid, []).append(day)
    first = (
        details.filter(pl.col("CINreferralDate").dt.year() == REFERRED_IN)
        .sort("CINreferralDate")
        .unique(subset=["LAchildID"], keep="first", maintain_order=True)
    )
    found = []
    for cid, referred, need in first.select(
        "LAchildID", "CINreferralDate", "PrimaryNeedCode"
    ).iter_rows():
        born = births.get(cid)
        if referred.month < 4 or need not in NEEDS or born is None or born >= referred:
            continue
        age = referred.year - born.year - ((referred.month, referred.day) < (born.month, born.day))
        found.append(
            {
                "id": cid,
                "referred": referred,
                "born": born,
                "age": age,
                "need": need,
                "disabled": cid in disabled,
                "cp": cid in with_cp,
                "prior": sum(
                    1 for d in history[cid] if referred - dt.timedelta(days=365) <= d < referred
                ),
            }
        )
    return found


def refer_to_edge_of_care(org, child: dict) -> None:
    received = timezone.make_aware(dt.datetime.combine(child["referred"], dt.time(11)))
    factories.referral(
        org,
        received_at=received,
        children=[
            factories.child(
                first_name=f"Child {child['id']}",
                date_of_birth=child["born"],
                la_child_id=child["id"],
                primary_need=child["need"],
                disabled=child["disabled"],
                prior_referrals=child["prior"],
                cp_history=child["cp"],
            )
        ],
    )


def ssda903_returns(folder: Path, entries: dict[str, tuple[dt.date, dt.date]]) -> dict:
    """Generated SSDA903 returns for SSDA903_YEARS, with an episode of care for each child in
    `entries` (id → date of birth, date they entered care) in the year it began."""
    made = {}
    for year in SSDA903_YEARS:
        current, previous = generate_to(folder / str(year), 30, year, seed=year)
        episodes = pl.read_csv(current / "episodes.csv", infer_schema=False)
        header = pl.read_csv(current / "header.csv", infer_schema=False)
        year_end = dt.date(year, 3, 31)
        mine = {cid: e for cid, e in entries.items() if collection_year(e[1]) == year}
        new_episodes = [
            dict.fromkeys(episodes.columns, None)
            | {
                "CHILD": cid,
                "DECOM": f"{entered:%d/%m/%Y}",
                "RNE": "S",
                "LS": "C2",
                "CIN": "N1",
                "PLACE": "U4",
                "PLACE_PROVIDER": "PR1",
                "DEC": f"{min(entered + dt.timedelta(days=60), year_end):%d/%m/%Y}",
                "REC": "E11",
            }
            for cid, (_born, entered) in mine.items()
        ]
        new_header = [
            dict.fromkeys(header.columns, None)
            | {"CHILD": cid, "SEX": "1", "DOB": f"{born:%d/%m/%Y}", "ETHNIC": "WBRI", "UPN": "UN1"}
            for cid, (born, _entered) in mine.items()
        ]
        schema = dict.fromkeys(episodes.columns, pl.String)
        pl.concat([episodes, pl.DataFrame(new_episodes, schema=schema)]).write_csv(
            current / "episodes.csv"
        )
        schema = dict.fromkeys(header.columns, pl.String)
        pl.concat([header, pl.DataFrame(new_header, schema=schema)]).write_csv(
            current / "header.csv"
        )
        made[year] = (current, previous)
    return made


def test_the_matched_evaluation_on_real_uploads_recovers_a_planted_effect(north, client, tmp_path):
    rng = random.Random(2024)
    census = generate_cin(tmp_path / "census.xml", 1100, year=CENSUS_YEAR, la="392", seed=5)
    pool = children_in_need(census)
    # Older children are likelier to be referred to Edge of Care (and likelier to enter care).
    weights = [1 + c["age"] / 4 for c in pool]
    supported: dict[str, dict] = {}
    while len(supported) < 200:
        pick = rng.choices(pool, weights)[0]
        supported[pick["id"]] = pick
    for child in supported.values():
        refer_to_edge_of_care(north, child)
    entries = {}
    for child in pool:
        chance = risk(child["age"]) + (EFFECT if child["id"] in supported else 0)
        if rng.random() < chance:
            entered = child["referred"] + dt.timedelta(days=rng.randint(20, 330))
            entries[child["id"]] = (child["born"], entered)

    analyst = core.member_of(north, Role.COUNCIL_ANALYST)
    accepted_return(
        north,
        analyst,
        "cin",
        CENSUS_YEAR,
        [SimpleUploadedFile("census.xml", census.read_bytes(), content_type="application/xml")],
    )
    for year, (current, previous) in ssda903_returns(tmp_path / "903", entries).items():
        accepted_return(north, analyst, "ssda903", year, csv_files(current), csv_files(previous))

    # Stored pseudonymised: no real id in either return, and one pseudonym for both.
    cin_ids = set(stored_returns.latest_tables(north, "cin")["CINdetails"]["LAchildID"].to_list())
    episode_ids = set(stored_returns.latest_tables(north, "ssda903")["Episodes"]["CHILD"].to_list())
    assert not cin_ids & {c["id"] for c in pool}
    assert len(cin_ids & episode_ids) == len(entries)

    # Outcome matching finds the supported children's episodes under that pseudonym.
    assert outcomes.match_outcomes(north) > 0
    twelve = Outcome.objects.filter(months=12, entered_care__isnull=False)
    assert twelve.count() == len(supported)
    assert {o.child.la_child_id for o in twelve.filter(entered_care=True)} == {
        cid for cid in supported if cid in entries
    }

    outcome = comparison.evaluate(north, REFERRED_IN)
    result = outcome.result
    assert result is not None, outcome.message
    assert result.design == "matched"
    assert result.n_treated == len(supported)
    assert result.n_matched >= 150
    assert result.ci_low <= EFFECT <= result.ci_high
    assert result.significant
    assert result.difference < -0.10
    # The selection on age was real, and matching reduced it (the page flags what remains).
    after = {b.covariate: abs(b.smd_after or 0) for b in result.balance}
    before = {b.covariate: abs(b.smd_before) for b in result.balance}
    assert before["age"] > 0.2
    assert after["age"] < before["age"] / 2

    client.force_login(core.member_of(north, Role.COUNCIL_LEADER))
    html = client.get(f"/edge-of-care/evaluation/?year={REFERRED_IN}").content.decode()
    assert "What we found" in html
    assert "percentage points fewer" in html
    assert "cannot be linked" not in html
