"""Figures worked out from the reference data are kept until the next load, and never after it:
a new load makes every process work them out again from the new data."""

from __future__ import annotations

import pytest
from django.core.cache import caches

from alliance.accounts.models import Role
from alliance.nationalpicture.models import Judgement
from alliance.organisations import reference_cache
from alliance.organisations.models import ReferenceLoad
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def kept(settings):  # type: ignore[no-untyped-def]
    settings.CACHES = {
        **settings.CACHES,
        "reference": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "reference-test",
        },
    }
    caches[reference_cache.ALIAS].clear()
    yield
    caches[reference_cache.ALIAS].clear()


def test_a_figure_is_worked_out_once_per_load(kept):
    calls: list[int] = []

    def work() -> int:
        calls.append(1)
        return len(calls)

    assert reference_cache.remembered("figure", work) == 1
    assert reference_cache.remembered("figure", work) == 1
    ReferenceLoad.objects.create(fingerprint="new", summary="")
    assert reference_cache.remembered("figure", work) == 2, "a new load must work it out again"
    assert reference_cache.remembered("another " * 100, work) == 3  # long keys are fine


def test_tests_keep_nothing_between_calls():
    calls: list[int] = []
    reference_cache.remembered("figure", lambda: calls.append(1))
    reference_cache.remembered("figure", lambda: calls.append(1))
    assert len(calls) == 2


def test_the_council_page_shows_the_new_figures_after_a_load(kept, client, reference_data):

    first = client.get("/national-picture/councils/392/").content.decode()
    judgement = Judgement.objects.filter(council__dfe_code="392").order_by("-published").first()
    assert judgement is not None
    Judgement.objects.filter(pk=judgement.pk).update(overall="inadequate")
    # the same load: the page may still show what it worked out
    ReferenceLoad.objects.create(fingerprint="reloaded", summary="")
    after = client.get("/national-picture/councils/392/").content.decode()
    assert first != after


def test_the_council_profile_is_kept_but_the_page_around_it_is_each_persons(
    kept, client, reference_data, django_assert_max_num_queries
):
    visitor_page = client.get("/national-picture/councils/392/").content.decode()
    person = factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation)
    client.force_login(person)
    # kept: the session, the person and their memberships, the council, the load's id
    with django_assert_max_num_queries(6):
        signed_in_page = client.get("/national-picture/councils/392/").content.decode()
    assert person.display_name in signed_in_page
    assert person.display_name not in visitor_page
    profile = visitor_page[visitor_page.index('<span class="govuk-caption-xl">') :]
    profile = profile[: profile.index("</main>")]
    assert profile in signed_in_page


def test_the_national_picture_is_kept_unfiltered_and_worked_out_for_each_search(
    kept, client, reference_data, django_assert_max_num_queries
):
    first = client.get("/national-picture/").content.decode()
    with django_assert_max_num_queries(1):  # the load's id only
        again = client.get("/national-picture/").content.decode()
    assert "North Tyneside" in again
    assert "Kent" in again
    assert first.count("<tr") == again.count("<tr")
    searched = client.get("/national-picture/?q=tyne").content.decode()
    assert "North Tyneside" in searched
    assert "Kent" not in searched
    descending = client.get("/national-picture/?sort=name&order=desc").content.decode()
    barnsley, york = "/national-picture/councils/370/", "/national-picture/councils/816/"
    assert descending.index(york) < descending.index(barnsley)
    assert again.index(barnsley) < again.index(york)
