"""What the forecast reads through the returns app's interface: a council's latest accepted tables
of every year it has, which uploads they are, and the councils sharing with an alliance."""

from __future__ import annotations

import pytest

from alliance.returns import demo, interface
from alliance.returns.models import Upload
from alliance.returns.services import stored_returns
from tests import factories

pytestmark = pytest.mark.django_db


def test_a_councils_tables_by_year_are_its_latest_accepted(reference_data):
    demo.load()
    north = factories.council("392").organisation
    accepted = Upload.objects.accepted().filter(organisation=north, kind="ssda903")
    versions = interface.accepted_versions(north, "ssda903")
    assert versions == {u.year: u.pk for u in accepted.order_by("year")}
    tables = interface.tables_by_year(north, "ssda903")
    assert list(tables) == sorted(versions)
    for year, found in tables.items():
        assert {"Episodes", "Header"} <= set(found)
        assert "YEAR" not in found["Episodes"].columns  # one year's tables, as stored
        assert found["Episodes"].height > 0
        assert year in versions
    # another council's tables are its own
    south = factories.council("393").organisation
    theirs = interface.tables_by_year(south, "ssda903")
    year = max(tables)
    assert set(theirs[year]["Header"]["CHILD"]) != set(tables[year]["Header"]["CHILD"])
    # a council with nothing accepted has nothing
    assert interface.tables_by_year(factories.council("394").organisation, "ssda903") == {}
    assert interface.accepted_versions(factories.council("394").organisation, "ssda903") == {}


def test_a_refused_kind_is_an_error(reference_data):
    with pytest.raises(ValueError, match="kind must be one of"):
        interface.tables_by_year(factories.council("392").organisation, "ofsted")


def test_the_councils_sharing_with_the_alliance(reference_data):
    tyneside = factories.alliance("392", "393", name="Tyneside Alliance")
    tyneside.slug = "tyneside-alliance"  # the demo's agreements are with this alliance
    tyneside.save()
    assert interface.sharing_councils(tyneside, "ssda903") == []
    demo.load()
    names = [c.name for c in interface.sharing_councils(tyneside, "ssda903")]
    assert names == ["North Tyneside", "South Tyneside"]
    other = factories.alliance("392")
    assert interface.sharing_councils(other, "ssda903") == []  # agreements are with one alliance


def test_the_latest_accepted_of_each_year_is_found_in_two_queries_however_many_uploads(
    reference_data, django_assert_num_queries
):
    north = factories.council("392").organisation
    person = factories.user()
    made = {
        year: [
            Upload.objects.create(
                organisation=north,
                kind="cin",
                year=year,
                uploaded_by=person,
                status=Upload.Status.ACCEPTED,
                summary={"children": n},
            )
            for n in range(30)
        ]
        for year in (2024, 2025)
    }
    Upload.objects.create(organisation=north, kind="cin", year=2025, uploaded_by=person)  # queued
    with django_assert_num_queries(2):
        latest = stored_returns._latest_accepted(north.pk, "cin")
    assert {year: u.pk for year, u in latest.items()} == {
        year: uploads[-1].pk for year, uploads in made.items()
    }
    assert latest[2025].summary == {"children": 29}
