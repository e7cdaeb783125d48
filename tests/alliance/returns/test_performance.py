"""The performance page against the published figures (issue #16): the CIN measures the DfE
publishes are set beside England, the region and the statistical neighbours, and a figure far
outside the council's own history or the range English councils published is flagged."""

from __future__ import annotations

import pytest
from django.core.cache import caches
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.nationalpicture.models import Indicator, IndicatorValue
from alliance.organisations import reference_cache
from alliance.organisations.models import ReferenceLoad
from alliance.returns import performance
from alliance.returns.models import Upload
from alliance.returns.services import stored_returns
from tests import factories

pytestmark = pytest.mark.django_db

RATE = "CPP_Total_Rateper10,000"
WITHIN_45 = "Continue_Assess_Comp"


@pytest.fixture
def north(reference_data):  # type: ignore[no-untyped-def]
    return factories.council("392")


def stored_cin(organisation, year: int, rate: float, within_45: float) -> None:  # type: ignore[no-untyped-def]
    Upload.objects.create(
        organisation=organisation,
        kind="cin",
        year=year,
        status=Upload.Status.ACCEPTED,
        indicators=[
            {
                "code": "referrals_rate_per_10000",
                "indicator": "Referrals per 10,000 children",
                "value": rate,
                "unit": "per 10,000",
            },
            {
                "code": "assessments_within_45_days",
                "indicator": "Assessments completed within 45 working days (%)",
                "value": within_45,
                "numerator": 1,
                "denominator": 2,
                "unit": "%",
            },
        ],
    )


def published(code: str, figures: dict[str, dict[str, float]]) -> None:
    """LAIT's figures as the national picture loads them: periods '2024', '2025'; councils by
    their DfE code, regions and England by ONS code. Replaces what the session's reference data
    loaded, so the test knows every figure."""
    indicator, _ = Indicator.objects.get_or_create(code=code, defaults={"name": code})
    IndicatorValue.objects.filter(indicator=indicator).delete()
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            indicator=indicator,
            area_code=area,
            period=period,
            period_sort=int(period) * 10,
            value=value,
        )
        for period, by_area in figures.items()
        for area, value in by_area.items()
    )


@pytest.fixture
def national(north):  # type: ignore[no-untyped-def]
    region = north.region.code
    others = {"201": 164.0, "202": 410.0, "203": 980.0}
    published(
        RATE,
        {
            "2024": {"392": 500.0, region: 520.0, "E92000001": 515.7, **others},
            "2025": {"392": 505.0, region: 530.0, "E92000001": 519.4, **others},
        },
    )
    published(
        WITHIN_45,
        {
            "2024": {"392": 80.0, region: 83.0, "E92000001": 84.5, "201": 46.1, "202": 99.0},
            "2025": {"392": 81.0, region: 84.0, "E92000001": 85.7, "201": 46.1, "202": 100.0},
        },
    )


def test_referrals_and_assessments_are_set_beside_the_published_figures(client, north, national):
    stored_cin(north.organisation, 2024, 480.0, 79.0)
    stored_cin(north.organisation, 2025, 500.0, 82.0)
    report = performance.report(north.organisation, "cin")
    lines = {ln.key: ln for ln in report["headline"]}
    rate, within = lines["referrals_rate_per_10000"], lines["assessments_within_45_days"]
    assert rate.england == [515.7, 519.4]
    assert rate.region == [520.0, 530.0]
    assert within.england == [84.5, 85.7]
    assert rate.warnings == []
    assert within.warnings == []

    client.force_login(factories.member_of(north.organisation, Role.COUNCIL_ANALYST))
    body = client.get(reverse("returns:performance"), {"kind": "cin"}).content.decode()
    referrals = body[body.index('id="referrals_rate_per_10000"') :]
    referrals = referrals[: referrals.index("</table>")]
    assert "England (published)" in referrals
    assert f"{north.region.name} (published)" in referrals
    assert "519.4" in referrals
    assert "The DfE does not publish this measure" not in body
    assert "far outside" not in body


def test_a_figure_far_outside_the_councils_history_and_englands_range_is_flagged(
    client, north, national
):
    """Issue #16's page: referrals rose from 103 to 1,315 (+1,176%) without a word."""
    stored_cin(north.organisation, 2024, 103.0, 80.0)
    stored_cin(north.organisation, 2025, 1315.0, 81.0)
    lines = {ln.key: ln for ln in performance.report(north.organisation, "cin")["headline"]}
    warnings = lines["referrals_rate_per_10000"].warnings
    assert warnings == [
        "This is far outside your own figure for 2023 to 24 (103); check the return.",
        "This is far outside the range English councils published for 2024 to 25 "
        "(164 to 980); check the return.",
    ]
    assert lines["assessments_within_45_days"].warnings == []

    client.force_login(factories.member_of(north.organisation, Role.COUNCIL_ANALYST))
    body = client.get(reverse("returns:performance"), {"kind": "cin"}).content.decode()
    assert body.count("data-warning") == 2
    assert "This is far outside your own figure for 2023 to 24 (103); check the return." in body


def test_a_figure_within_the_published_range_and_close_to_last_year_is_not_flagged():
    line = performance.Line(
        "referrals_rate_per_10000", "Referrals", "per 10,000", [2024, 2025], [300.0, 950.0]
    )
    ranges = {2025: (164.0, 980.0)}
    # three times last year's figure: flagged; within the range: not
    assert performance.warnings(line, ranges) == [
        "This is far outside your own figure for 2023 to 24 (300); check the return."
    ]
    line.values = [300.0, 600.0]
    assert performance.warnings(line, ranges) == []
    # a year not yet published is held against the latest published range
    line.years, line.values = [2026, 2027], [500.0, 1400.0]
    assert "published for 2024 to 25 (164 to 980)" in performance.warnings(line, ranges)[-1]
    # a share moving 40 points or more in a year
    share = performance.Line("x", "Share", "%", [2024, 2025], [30.0, 75.0])
    assert performance.warnings(share, {}) == [
        "This is far outside your own figure for 2023 to 24 (30%); check the return."
    ]


@pytest.mark.parametrize("kind", ["ssda903", "cin"])
def test_every_published_code_names_a_measure_the_national_picture_loads(reference_data, kind):
    """A code with a typo would silently say 'the DfE does not publish this measure'."""
    codes = {m.published for m in stored_returns.measures(kind).values() if m.published}
    loaded = set(
        Indicator.objects.filter(code__in=codes, values__isnull=False).values_list(
            "code", flat=True
        )
    )
    assert codes - loaded == set()
    if kind == "cin":
        assert {"CPP_Total_Rateper10,000", "Continue_Assess_Comp", "CIN"} <= codes


def test_the_published_ranges_are_worked_out_once_per_reference_load(settings, national):
    # every English council's published figures, read for each performance page, are public and
    # the same for everyone: kept until the next reference load
    settings.CACHES = {
        **settings.CACHES,
        "reference": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "published-ranges-test",
        },
    }
    caches[reference_cache.ALIAS].clear()
    try:
        assert performance.published_ranges([RATE])[RATE][2025] == (164.0, 980.0)
        IndicatorValue.objects.filter(indicator__code=RATE, area_code="203").update(value=1200.0)
        assert performance.published_ranges([RATE])[RATE][2025] == (164.0, 980.0)
        ReferenceLoad.objects.create(fingerprint="reloaded", summary="")
        assert performance.published_ranges([RATE])[RATE][2025] == (164.0, 1200.0)
    finally:
        caches[reference_cache.ALIAS].clear()
