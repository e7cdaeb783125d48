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
