"""Pay is checked against the National Minimum Wage and National Living Wage for the ages and
dates of the opportunity, from the dated table of GOV.UK's rates."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.workplace import minimum_wage
from alliance.workplace.models import Opportunity
from tests import factories
from tests.alliance.workplace import factories as wp


@pytest.mark.parametrize(
    ("age", "on", "apprentice", "pence"),
    [
        (25, dt.date(2024, 4, 1), False, 1144),
        (21, dt.date(2025, 3, 31), False, 1144),
        (20, dt.date(2024, 6, 1), False, 860),
        (17, dt.date(2024, 6, 1), False, 640),
        (21, dt.date(2025, 4, 1), False, 1221),
        (18, dt.date(2025, 4, 1), False, 1000),
        (16, dt.date(2025, 4, 1), False, 755),
        (30, dt.date(2025, 4, 1), True, 755),
        (21, dt.date(2026, 4, 1), False, 1271),
        (19, dt.date(2026, 12, 4), False, 1085),
        (17, dt.date(2026, 12, 4), False, 800),
        (24, dt.date(2026, 12, 4), True, 800),
    ],
)
def test_the_rate_for_an_age_and_a_date(age, on, apprentice, pence):
    assert minimum_wage.rate_for(age, on, apprentice=apprentice).pence == pence


def test_every_rate_cites_its_source_and_each_date_has_every_band():
    by_date: dict[dt.date, set[str]] = {}
    for rate in minimum_wage.rates():
        assert rate.source == "https://www.gov.uk/national-minimum-wage-rates"
        by_date.setdefault(rate.effective_from, set()).add(rate.band)
    assert set(by_date) >= {dt.date(2024, 4, 1), dt.date(2025, 4, 1), dt.date(2026, 4, 1)}
    assert all(len(bands) == 4 for bands in by_date.values())


def test_no_rate_before_the_table_starts():
    with pytest.raises(minimum_wage.NoRateKnown):
        minimum_wage.rate_for(21, dt.date(2020, 1, 1))


def test_pay_must_cover_every_age_the_opportunity_is_for():
    day = [dt.date(2026, 5, 1)]
    with pytest.raises(
        minimum_wage.PayBelowMinimum, match=r"£12\.71 an hour.*aged 21 and over.*ages 16 to 25"
    ):
        minimum_wage.check_pay(500, 16, 25, day, apprentice=False)
    with pytest.raises(minimum_wage.PayBelowMinimum, match=r"£10\.85 an hour.*aged 18 to 20"):
        minimum_wage.check_pay(1084, 18, 20, day, apprentice=False)
    minimum_wage.check_pay(1085, 18, 20, day, apprentice=False)
    minimum_wage.check_pay(800, 16, 17, day, apprentice=False)
    minimum_wage.check_pay(800, 16, 25, day, apprentice=True)
    with pytest.raises(minimum_wage.PayBelowMinimum, match=r"£8 an hour.*apprentice"):
        minimum_wage.check_pay(799, 16, 25, day, apprentice=True)


def test_a_new_rate_before_the_closing_date_counts():
    before, after = dt.date(2026, 3, 20), dt.date(2026, 4, 10)
    minimum_wage.check_pay(1221, 21, 25, [before], apprentice=False)
    with pytest.raises(minimum_wage.PayBelowMinimum, match="from 1 April 2026"):
        minimum_wage.check_pay(1221, 21, 25, [before, after], apprentice=False)


@pytest.mark.django_db
def test_an_employer_cannot_post_a_job_for_16_to_25_year_olds_at_5_pounds(client, reference_data):
    org = wp.employer(wp.south_tyneside(), name="Cheap Labour Ltd")
    client.force_login(factories.user(Role.EMPLOYER, org))
    data = {
        "title": "Shelf stacker",
        "kind": "job",
        "description": "Stack shelves.",
        "places": "1",
        "postcode": "NE32 3DT",
        "hours_per_week": "30",
        "min_age": "16",
        "max_age": "25",
        "interests": ["retail"],
        "pay": "5.00",
        "closing_date": (dt.date.today() + dt.timedelta(days=10)).isoformat(),
    }
    url = reverse("workplace:employer-opportunity-new")
    refused = client.post(url, data).content.decode()
    today_rate = minimum_wage.rate_for(25, dt.date.today())
    assert f"Pay must be at least £{today_rate.pence // 100}.{today_rate.pence % 100:02d}" in (
        refused
    )
    assert "gov.uk/national-minimum-wage-rates" in refused
    assert not Opportunity.objects.filter(title="Shelf stacker").exists()
    unpaid = client.post(url, {**data, "pay": ""}).content.decode()
    assert "Enter the pay per hour" in unpaid
    apprentice_rate = minimum_wage.rate_for(25, dt.date.today(), apprentice=True).pence
    apprenticeship = {**data, "kind": "apprenticeship", "pay": f"{apprentice_rate / 100:.2f}"}
    assert client.post(url, apprenticeship).status_code == 302
    assert Opportunity.objects.get(title="Shelf stacker").pay_pence_per_hour == apprentice_rate
