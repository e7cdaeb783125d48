"""Issue #16: the evaluation was a dead end with returns from the project's own generators (a CIN
census and SSDA903 returns that shared no child). End to end: `alliance generate linked-pair`
with its defaults writes returns for years the service accepts; they are uploaded and checked
through the returns services as a council's analyst would; Edge of Care children (children in
need under the council's own ids) were referred through the real services; the nightly job
matches their outcomes; the evaluation builds its comparison group and shows an effect with its
interval, and the dashboard shows it with the placement costs avoided."""

from __future__ import annotations

import datetime as dt
import random
import re
from pathlib import Path

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.edgeofcare import comparison, tasks
from alliance.edgeofcare.models import Child
from alliance.returns.services import uploading
from statutory.cin.reader import read_xml
from statutory.linked_cli import linked_year
from statutory.linked_pair import generate_linked_pair
from tests import factories as core
from tests.alliance.edgeofcare import factories
from tests.alliance.returns.factories import accepted_return, csv_files

pytestmark = pytest.mark.django_db
NEEDS = {f"N{i}" for i in range(1, 9)}


def referred_in(census: Path, year: int, calendar_year: int, today: dt.date) -> list[dict]:
    """Children of the census first referred in `calendar_year` whose 12 months have passed."""
    tables = read_xml(census, year).tables
    births = dict(tables["ChildIdentifiers"].select("LAchildID", "PersonBirthDate").iter_rows())
    first = (
        tables["CINdetails"]
        .filter(pl.col("CINreferralDate").dt.year() == calendar_year)
        .sort("CINreferralDate")
        .unique(subset=["LAchildID"], keep="first", maintain_order=True)
    )
    found = []
    for cid, referred, need in first.select(
        "LAchildID", "CINreferralDate", "PrimaryNeedCode"
    ).iter_rows():
        born = births.get(cid)
        if born is None or born >= referred or need not in NEEDS:
            continue
        if referred.month < 4 or referred.replace(year=referred.year + 1) > today:
            continue
        found.append({"id": cid, "referred": referred, "born": born, "need": need})
    return found


def test_a_generated_linked_pair_gives_an_evaluation_with_an_effect_and_costs(
    north, client, tmp_path
):
    year = linked_year()
    # the generator's default years are ones the service checks
    assert year in uploading.collection_years("cin")
    assert {year, year + 1} <= set(uploading.collection_years("ssda903"))
    pair = generate_linked_pair(tmp_path / "pair", 1500, year, seed=7)
    assert pair.entrants.height > 50

    referred_year = year - 1
    pool = referred_in(pair.census, year, referred_year, timezone.localdate())
    rng = random.Random(7)
    supported = rng.sample(pool, min(150, len(pool)))
    assert len(supported) >= 100
    for child in supported:
        factories.referral(
            north,
            received_at=timezone.make_aware(dt.datetime.combine(child["referred"], dt.time(11))),
            children=[
                factories.child(
                    first_name=f"Child {child['id']}",
                    date_of_birth=child["born"],
                    la_child_id=child["id"],
                    primary_need=child["need"],
                )
            ],
        )

    analyst = core.member_of(north, Role.COUNCIL_ANALYST)
    accepted_return(
        north,
        analyst,
        "cin",
        year,
        [SimpleUploadedFile(pair.census.name, pair.census.read_bytes(), "application/xml")],
    )
    accepted_return(north, analyst, "ssda903", year, csv_files(pair.ssda903[year]))
    accepted_return(
        north,
        analyst,
        "ssda903",
        year + 1,
        csv_files(pair.ssda903[year + 1]),
        csv_files(pair.ssda903[year]),
    )

    # the nightly job fills the supported children's outcomes from the uploads
    assert tasks.match_outcomes_from_returns.call() > 0

    outcome = comparison.evaluate(north, referred_year)
    result = outcome.result
    assert result is not None, outcome.message
    assert result.design == "matched"
    assert result.n_treated == len(supported)
    assert result.n_comparison > result.n_treated
    assert result.ci_low < result.difference < result.ci_high

    client.force_login(core.member_of(north, Role.COUNCIL_LEADER))
    html = client.get(f"/edge-of-care/evaluation/?year={referred_year}").content.decode()
    assert "What we found" in html
    assert "Difference (95% confidence interval)" in html
    assert "Placement costs avoided" in html
    assert "cannot be linked" not in html
    dashboard = client.get("/edge-of-care/dashboard/").content.decode()
    assert "data-effect" in dashboard
    assert "95% confidence interval" in dashboard
    assert "data-costs-avoided" in dashboard
    # the balance table names each need, not just its code
    assert "Primary need N4 Family in acute stress" in html

    # A supported child who entered care: their case shows their episodes of care from the
    # SSDA903 returns, every code with its meaning.
    entered = set(pair.entrants["CHILD"].to_list())
    child = Child.objects.filter(la_child_id__in=entered).select_related("referral").first()
    assert child is not None
    client.force_login(core.member_of(north, Role.COUNCIL_PRACTITIONER))
    case = client.get(f"/edge-of-care/referrals/{child.referral_id}/").content.decode()
    assert "data-care-episodes" in case
    table = case.split("data-care-episodes", 1)[1].split("</table>", 1)[0]
    cells = re.findall(r'<td class="govuk-table__cell">([^<]*)</td>', table)
    codes = [c for c in cells if re.fullmatch(r"[A-Z][0-9A-Z]{1,2}", c.strip())]
    assert not codes, f"bare codes on the case page: {codes}"
    assert re.search(r"(C1 Interim care order|C2 Full care order|V2 Accommodated)", table)


def test_with_no_returns_the_evaluation_says_exactly_what_to_upload(north, client):
    received = timezone.make_aware(dt.datetime(2025, 6, 2, 11))
    factories.referral(north, received_at=received)
    client.force_login(core.member_of(north, Role.COUNCIL_PRACTITIONER))
    html = client.get("/edge-of-care/evaluation/?year=2025").content.decode()
    assert "No comparison group yet for children referred in 2025" in html
    assert (
        "upload the CIN census for April 2025 to March 2026, the SSDA903 return for April 2025 "
        "to March 2026 and the SSDA903 return for April 2026 to March 2027" in html
    )
    assert "Uploaded so far: no returns" in html
    dashboard = client.get("/edge-of-care/dashboard/").content.decode()
    assert "No comparison group yet for children referred in 2025" in dashboard
