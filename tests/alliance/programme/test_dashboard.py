"""The programme dashboard's headline figures: engagements counted once, spend the same as the
engagement list for everyone who sees it, forecast gaps in positive amounts."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from alliance.programme.models import SpendEntry
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _headline(page: str) -> list[str]:
    """The figures at the top of the dashboard, as people read them."""
    found = re.findall(
        r'<p class="govuk-body"[^>]*><span class="govuk-heading-m[^"]*">([^<]*)</span>([^<]*)</p>',
        page,
    )
    return [f"{figure} {words}" for figure, words in found]


def _spend(world, pence):  # noqa: F811
    return SpendEntry.objects.create(
        budget_line=world["line"],
        engagement=world["ours"],
        spent_on=dt.date(2018, 7, 1),
        amount_pence=pence,
        description="Coaching",
        evidence="INV-1",
    )


def test_an_engagement_is_counted_once_however_many_member_councils_reach_it(client, world):  # noqa: F811
    # The lead's alliance has two member councils (North Tyneside, South Tyneside): the engagement
    # is reached through each of them, and through the alliance itself
    page = _as(client, world["lead"]).get("/programme/").content.decode()
    assert "1 engagement" in _headline(page)
    assert re.search(r"Test Tyneside</th>\s*<td[^>]*>1</td>", page)


def test_a_gap_behind_forecast_is_a_positive_amount_behind(client, world):  # noqa: F811
    _spend(world, 123456)
    page = _as(client, world["lead"]).get("/programme/").content.decode()
    headline = _headline(page)
    assert "£1,234.56 spent of £10,000" in headline
    # the programme is over, so the whole budget was forecast by now
    assert "£8,765.44 behind forecast to date" in headline
    assert "-£" not in " ".join(headline)


def test_a_gap_ahead_of_forecast_says_ahead(client, world):  # noqa: F811
    world["prog"].ends = dt.date(2030, 3, 31)
    world["prog"].save()
    _spend(world, 900_000)
    headline = _headline(_as(client, world["lead"]).get("/programme/").content.decode())
    assert any(h.endswith("ahead of forecast to date") and "-" not in h for h in headline)


def test_a_supported_councils_leader_sees_the_spend_the_engagement_list_shows(client, world):  # noqa: F811
    _spend(world, 32_887_058)
    leader = _as(client, world["supported_leader"])
    headline = _headline(leader.get("/programme/").content.decode())
    assert "£328,870.58 spent on this engagement" in headline
    assert not any("£0" in h for h in headline)
    listing = leader.get("/programme/engagements/").content.decode()
    assert "£328,870.58" in listing


def test_the_burn_down_axis_is_in_pounds(client, world):  # noqa: F811
    _spend(world, 123456)
    for url in ("/programme/", f"/programme/money/?programme={world['prog'].pk}"):
        page = _as(client, world["lead"]).get(url).content.decode()
        axis = re.findall(r'<text x="50" y="[\d.]+" text-anchor="end">([^<]*)</text>', page)
        assert axis, url
        assert all(label.startswith("£") for label in axis), axis
        assert "£10k" in axis  # the £10,000 budget at the top
        assert "thousands" not in page
    dashboard = _as(client, world["lead"]).get("/programme/").content.decode()
    assert ">£1.23k</text>" in dashboard  # the spend-by-alliance bar says its money in pounds


def test_counts_take_the_right_plural(client, world):  # noqa: F811
    listing = _as(client, world["lead"]).get("/programme/engagements/").content.decode()
    assert "1 engagement</caption>" in listing
    setup = _as(client, world["dfe"]).get(f"/programme/setup/{world['prog'].pk}/").content.decode()
    assert "2 engagements started" in setup


def test_the_history_keeps_rag_in_capitals(client, world):  # noqa: F811
    from alliance.programme.history import record_change
    from alliance.programme.models import Milestone

    milestone = Milestone.objects.create(
        engagement=world["ours"], title="Audit", owner="Sam", due=dt.date(2018, 9, 1)
    )
    record_change(
        user=world["lead"],
        obj=milestone,
        programme=world["prog"],
        organisation_id=world["ours"].alliance_id,
        before={"rag": "Green"},
        after={"rag": "Red"},
        engagement=world["ours"],
    )
    page = (
        _as(client, world["lead"])
        .get(f"/programme/engagements/{world['ours'].pk}/history/")
        .content.decode()
    )
    assert "RAG status</strong>: Green → Red" in page
    assert "Rag status" not in page
