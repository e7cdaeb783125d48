"""Data-sharing agreements and the pooled records under attack (issue #12, items 2 to 5):
ending an agreement takes effect at once, a council is pooled once whatever agreements cover
it, pooled figures lie between their parts, and nothing that leaves a council's own view
carries a direct identifier."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.returns import services
from alliance.returns.models import DataSharingAgreement
from tests import factories
from tests.alliance.returns.factories import YEAR, csv_files, ssda903_folders

pytestmark = pytest.mark.django_db


def _upload(organisation, generated, seed):  # type: ignore[no-untyped-def]
    current, previous = ssda903_folders(generated, seed=seed)
    upload = services.start_upload(
        organisation=organisation,
        user=None,
        kind="ssda903",
        year=YEAR,
        current=csv_files(current),
        previous=csv_files(previous),
    )
    assert services.check(upload.pk, "t") == "accepted"
    upload.refresh_from_db()
    return upload


@pytest.fixture
def north(reference_data):  # type: ignore[no-untyped-def]
    return factories.council("392").organisation


@pytest.fixture
def south(reference_data):  # type: ignore[no-untyped-def]
    return factories.council("393").organisation


@pytest.fixture
def alliance(north, south):  # type: ignore[no-untyped-def]
    return factories.alliance("392", "393")


@pytest.fixture
def lead(alliance):  # type: ignore[no-untyped-def]
    return factories.member_of(alliance, Role.ALLIANCE_LEAD)


def agreement(organisation, alliance, *, scope="all", starts=-30, ends=365):  # type: ignore[no-untyped-def]
    today = timezone.localdate()
    return DataSharingAgreement.objects.create(
        organisation=organisation,
        alliance=alliance,
        scope=scope,
        starts_on=today + dt.timedelta(days=starts),
        ends_on=today + dt.timedelta(days=ends),
        purpose="Placement stability work",
        signed_by="Jo Director",
    )


def pooled_csv(client, alliance, table):  # type: ignore[no-untyped-def]
    return client.get(
        reverse("returns:pooled-download", args=[alliance.pk, "ssda903", YEAR, table])
    )


# ---------------------------------------------------------------------------------------------
# Item 2: "End sharing today" ends sharing at once


def test_ending_sharing_today_stops_the_pooling_at_once_and_the_page_says_so(
    client, north, alliance, lead, generated
):
    _upload(north, generated, seed=3)
    shared = agreement(north, alliance)
    client.force_login(lead)
    assert pooled_csv(client, alliance, "Header").status_code == 200

    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    client.force_login(analyst)
    page = client.get(reverse("returns:agreements")).content.decode()
    assert "In force" in page
    assert "End sharing today" in page
    response = client.post(reverse("returns:agreement-end", args=[shared.pk]), follow=True)
    assert response.status_code == 200
    page = response.content.decode()
    assert "Not in force" in page
    assert ">In force<" not in page
    assert "End sharing today" not in page  # the button has gone
    assert page.count(f"Sharing with {alliance.name} ended today") == 1  # the banner, once

    shared.refresh_from_db()
    assert not shared.in_force()
    assert services.agreements_in_force(alliance.pk, "ssda903") == []
    client.force_login(lead)
    assert pooled_csv(client, alliance, "Header").status_code == 404
    body = client.get(reverse("returns:pooled"), {"year": YEAR}).content.decode()
    assert "no pooled records" in body
