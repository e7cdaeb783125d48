"""The forecast from a council's own returns, its unit costs, scenarios and Excel download, and an
alliance's pooled forecast: who sees what, that the page shows the library's figures for the
council's stored returns, bad input, and the audit."""

from __future__ import annotations

import io

import openpyxl
import polars as pl
import pytest
from django.core.cache import cache
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.forecasts import from_returns
from alliance.forecasts.models import UnitCost
from alliance.returns.models import DataSharingAgreement
from forecast.bottom_up import fit, history_from_tables, project
from forecast.bottom_up.simulate import ALL
from statutory.ssda903.generator.multi_year import generate_years
from tests import factories
from tests.alliance.forecasts.conftest import store_returns
from tests.factories import body_of

pytestmark = pytest.mark.django_db

SEES_OWN = {Role.COUNCIL_ANALYST, Role.COUNCIL_LEADER}


def _url(name: str, *args: str) -> str:
    return reverse(f"forecasts:{name}", args=args)


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_only_the_councils_own_analysts_and_leaders_see_its_forecast(
    client, people, four_years, role
):
    client.force_login(people[role])
    response = client.get(_url("returns", "392"))
    assert response.status_code in ((200,) if role in SEES_OWN else (403, 404)), role
    if role in SEES_OWN:
        assert "Forecast from North Tyneside" in response.content.decode()
    for name in ("returns-excel", "unit-costs"):
        answer = client.get(_url(name, "392"))
        if answer.streaming:
            body_of(answer)
        assert (answer.status_code == 200) == (role in SEES_OWN), (name, role)


def test_another_councils_forecast_is_refused_and_the_attempt_audited(client, people, four_years):
    client.force_login(people[Role.COUNCIL_ANALYST])
    before = AuditEvent.objects.count()
    for name in ("returns", "returns-excel", "unit-costs", "change-unit-costs"):
        assert client.get(_url(name, "393")).status_code == 404
    assert AuditEvent.objects.count() > before


def test_the_page_shows_the_librarys_forecast_of_the_stored_returns(client, people, four_years):
    client.force_login(people[Role.COUNCIL_ANALYST])
    page = client.get(_url("returns", "392")).content.decode()
    assert "2023, 2024, 2025, 2026" in page
    # recomputed here from the stored tables, with the page's seed and number of simulations
    from alliance.returns import interface

    tables = interface.tables_by_year(four_years, "ssda903")
    model = fit(history_from_tables(tables))
    expected = project(model, 3, seed=from_returns.SEED, simulations=from_returns.SIMULATIONS)
    total = expected.totals.filter(pl.col("state") == ALL).sort("year")
    for row in total.iter_rows(named=True):
        assert f"{round(row['mean']):,}" in page
        assert f"{round(row['lower80']):,} to {round(row['upper80']):,}" in page
    assert AuditEvent.objects.filter(
        action="view", object_repr__contains="Forecast from returns"
    ).exists()


def test_fewer_than_three_years_says_which_years_and_makes_nothing(client, people, tmp_path):
    cache.clear()
    north = factories.council("392").organisation
    store_returns(north, generate_years(tmp_path / "n", 100, 2026, 2, seed=4, la_number=392))
    client.force_login(people[Role.COUNCIL_ANALYST])
    page = client.get(_url("returns", "392")).content.decode()
    assert "North Tyneside has 2 years (2025, 2026)" in page
    assert "Upload the returns for 2024" in page


def test_a_scenario_shows_its_difference_and_bad_ones_are_refused(client, people, four_years):
    client.force_login(people[Role.COUNCIL_ANALYST])
    page = client.get(_url("returns", "392") + "?entry_10_15=-50&entry_16_17=-50").content.decode()
    assert "Scenario against the baseline" in page
    for bad, words in (
        ("entry_10_15=-150", "Enter a percentage of -100 or more"),
        ("step_down=120", "Enter a percentage of 100 or less"),
        ("in_house_places=-3", "would make a number of children negative"),
        ("entry_5_9=lots", "Enter a percentage as a number"),
    ):
        page = client.get(_url("returns", "392") + "?" + bad).content.decode()
        assert "There is a problem" in page, bad
        assert words in page, bad
        assert "Scenario against the baseline" not in page


def test_the_excel_download_has_the_pages_figures(client, people, four_years):
    client.force_login(people[Role.COUNCIL_ANALYST])
    query = "?entry_10_15=-10&entry_16_17=-10"
    page = client.get(_url("returns", "392") + query).content.decode()
    response = client.get(_url("returns-excel", "392") + query)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(body_of(response)), read_only=True)
    try:
        assert book.sheetnames == ["Children", "Spending", "Scenario"]
        rows = list(book["Children"].iter_rows(values_only=True))
        totals = [r for r in rows[2:] if r[1] == "All children looked after"]
        assert len(totals) == 3
        for _year, _state, mean, lo80, hi80, *_ in totals:
            assert f"{mean}" in page
            assert f"{lo80} to {hi80}" in page
    finally:
        book.close()
    assert AuditEvent.objects.filter(action="download", object_repr__contains="Excel").exists()


def test_unit_costs_change_the_spending_and_are_audited(client, people, four_years):
    client.force_login(people[Role.COUNCIL_ANALYST])
    response = client.post(_url("change-unit-costs", "392"), {"residential": "9000.50"})
    assert response.status_code == 302
    cost = UnitCost.objects.get(organisation=four_years, state="residential")
    assert cost.weekly_pence == 900_050
    event = AuditEvent.objects.filter(object_type="forecasts.UnitCost").latest("id")
    assert event.detail["changes"][0]["after"] == 900_050
    refused = client.post(_url("change-unit-costs", "392"), {"residential": "-5"})
    assert refused.status_code == 200
    assert "cannot be negative" in refused.content.decode()
    assert (
        UnitCost.objects.get(organisation=four_years, state="residential").weekly_pence == 900_050
    )
    # a leader may see but the practitioner may not change
    client.force_login(people[Role.COUNCIL_PRACTITIONER])
    assert client.post(_url("change-unit-costs", "392"), {"residential": "1"}).status_code in (
        403,
        404,
    )
    assert (
        UnitCost.objects.get(organisation=four_years, state="residential").weekly_pence == 900_050
    )


def test_the_alliance_lead_sees_the_pooled_forecast_only_of_councils_sharing(
    client, people, four_years
):
    lead = people[Role.ALLIANCE_LEAD]
    alliance = lead.memberships.first().organisation
    client.force_login(lead)
    page = client.get(_url("pooled", alliance.slug)).content.decode()
    assert "no council shares its SSDA903 returns" in page
    import datetime as dt

    DataSharingAgreement.objects.create(
        organisation=four_years, alliance=alliance, scope=DataSharingAgreement.Scope.ALL,
        starts_on=dt.date.today() - dt.timedelta(days=1), ends_on=dt.date.today() + dt.timedelta(days=30),
        purpose="Test", signed_by="Test",
    )  # fmt: skip
    cache.clear()
    page = client.get(_url("pooled", alliance.slug)).content.decode()
    assert (
        "adds together the forecasts of the councils that share their returns with it: North Tyneside"
        in page
    )
    # the lead never sees the council's own forecast page
    assert client.get(_url("returns", "392")).status_code in (403, 404)
    # and downloads the pooled figures as the council's analysts download theirs
    query = "?inflation=5"
    page = client.get(_url("pooled", alliance.slug) + query).content.decode()
    response = client.get(_url("pooled-excel", alliance.slug) + query)
    assert response.status_code == 200
    assert f"forecast-{alliance.slug}.xlsx" in response["Content-Disposition"]
    book = openpyxl.load_workbook(io.BytesIO(body_of(response)), read_only=True)
    try:
        assert book.sheetnames == ["Children", "Spending", "Scenario"]
        rows = list(book["Children"].iter_rows(values_only=True))
        assert rows[0][0] == f"{alliance.name}: children forecast from its SSDA903 returns"
        for _year, state, _mean, lo80, hi80, *_ in rows[2:]:
            if state == "All children looked after":
                assert f"{lo80} to {hi80}" in page
    finally:
        book.close()
    assert AuditEvent.objects.filter(
        action="download", object_repr=f"Pooled forecast, {alliance.name} (Excel)"
    ).exists()
    client.force_login(people[Role.COUNCIL_ANALYST])
    refused = client.get(_url("pooled-excel", alliance.slug))
    assert refused.status_code in (403, 404)


def test_the_edge_of_care_estimate_fills_in_the_adolescents_change(
    client, people, four_years, monkeypatch
):
    from alliance.edgeofcare.interface import KeptOutOfCare
    from alliance.forecasts.views import from_returns as views

    estimate = KeptOutOfCare(
        year=2025, design="matched", children_supported=40, difference_points=-20.0,
        low_points=-35.0, high_points=-5.0, comparison_rate=0.5,
    )  # fmt: skip
    monkeypatch.setattr(views.edge_of_care, "kept_out_of_care", lambda council: estimate)
    model = from_returns.council_model(four_years)[0]
    adolescents = model.starters[-3:, 3:].sum() / 3
    client.force_login(people[Role.COUNCIL_ANALYST])
    page = client.get(_url("returns", "392")).content.decode()
    expected = round(-100 * 8 / adolescents, 1)  # 20 points of 40 children: 8 kept out a year
    assert "estimates that 8.0 of the 40 children it supported were kept out of care" in page
    assert (
        f"a change of {expected:.1f}% in adolescents starting care".replace("-", "\u2212") in page
    )
    assert f'value="{expected}"' in page


@pytest.mark.parametrize(
    ("value", "written"),
    [
        (12_345.4, "£12,345"),
        (-12_345.4, "\u2212£12,345"),
        (2_340_000, "£2.3 million"),
        (-2_340_000, "\u2212£2.3 million"),
        (-0.3, "£0"),
    ],
)
def test_money_in_the_difference_table_falls_with_a_minus_sign(value, written):
    """A scenario that saves money has a negative difference: "−£12,345", never "£-12,345"."""
    from alliance.forecasts.views.from_returns import _pounds, _signed

    assert _pounds(value) == written
    assert _signed(-3.2) == "\u22123"
    assert _signed(4.6) == "+5"
    assert _signed(0.2) == "0"
