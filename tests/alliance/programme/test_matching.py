"""The matching page: suggestions, and what it says when no partner has places left."""

from __future__ import annotations

import pytest

from alliance.programme.models import Partner
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def test_no_places_left_is_said_once(client, world):  # noqa: F811
    # Each partner already supports one council: a capacity of 1 leaves no places anywhere
    Partner.objects.filter(programme=world["prog"]).update(capacity=1)
    page = (
        _as(client, world["dfe"])
        .get(f"/programme/setup/{world['prog'].pk}/matching/?as_at=2018-03-16")
        .content.decode()
    )
    assert page.count("No partner has places left") == 1
    assert "data-suggestion" not in page
    assert "Birmingham" in page  # still needing a partner (inadequate in 2018), listed once
    assert page.count(">Birmingham</a>") == 1


def test_suggestions_do_not_repeat_the_no_places_message(client, world):  # noqa: F811
    page = (
        _as(client, world["dfe"])
        .get(f"/programme/setup/{world['prog'].pk}/matching/?as_at=2018-03-16")
        .content.decode()
    )
    assert "data-suggestion" in page
    assert "No partner has places left" not in page


def _south_tyneside_latest():
    from alliance.nationalpicture.interface import latest_judgements
    from tests import factories

    return latest_judgements()[factories.council("393").pk]


def test_a_partner_council_rated_below_good_is_said_wherever_partners_are_chosen(client, world):  # noqa: F811
    judgement = _south_tyneside_latest()
    assert judgement.overall == "inadequate"  # South Tyneside, 2023 (the reference data)
    said = f"South Tyneside is rated inadequate by Ofsted (published {judgement.published.day} {judgement.published:%B %Y})"
    dfe = _as(client, world["dfe"])
    prog = world["prog"].pk
    matching = dfe.get(f"/programme/setup/{prog}/matching/?as_at=2018-03-16").content.decode()
    assert said in matching
    setup = dfe.get(f"/programme/setup/{prog}/").content.decode()
    assert said in setup
    assert "Partner council below good" in setup
    # Essex's own council is not flagged
    row = setup[setup.index("Test Essex") : setup.index("Test Essex") + 400]
    assert "below good" not in row
    match = world["theirs"].match
    move = dfe.get(f"/programme/setup/{prog}/matches/{match.pk}/").content.decode()
    assert said in move


def test_starting_an_engagement_with_such_a_partner_warns(client, world):  # noqa: F811
    from tests.alliance.programme import factories as pf

    match = pf.match(world["tyneside"], "806")
    page = _as(client, world["lead"]).get(f"/programme/matches/{match.pk}/start/").content.decode()
    assert "South Tyneside is rated inadequate by Ofsted" in page
    assert "data-refused" in page
