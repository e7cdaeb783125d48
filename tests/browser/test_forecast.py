"""The forecast from published figures in a real browser, as the DfE's analyst: choose a council,
read its forecast with its ranges, see how accurate it has been, download every council's
forecast; as a practitioner, refused. An axe-core check on each page."""

from __future__ import annotations

import csv
import io

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_choose_a_council_read_its_forecast_and_the_backtest(page, base_url, axe_check):
    sign_in(page, base_url, "analyst@dfe.demo")
    page.goto(base_url + "/")
    page.get_by_role("link", name="Demand and cost forecast").first.click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Demand and cost forecast"
    assert (
        "for that council's analysts" in page.locator("[data-from-returns-not-yours]").inner_text()
    )
    axe_check(page)

    page.get_by_label("Council").select_option(label="North Tyneside")
    page.get_by_role("button", name="Show the forecast").click()
    page.wait_for_url("**/forecast/published/392/")
    assert "North Tyneside" in page.get_by_role("heading", level=1).inner_text()
    assert "80% range" in page.locator("[data-headline]").inner_text()
    assert page.locator("[data-forecast] tbody tr").count() == 3
    charts = page.locator("svg.app-chart")
    assert charts.count() == 2  # children, then spending
    for i in range(2):
        assert charts.nth(i).locator("polygon").count() == 2  # the 80% and 95% ranges
    assert page.locator("[data-spending-forecast] tbody tr").count() == 3
    assert "£" in page.locator("[data-spend]").inner_text()
    assert page.locator("[data-spending-accuracy] li").count() == 3
    axe_check(page)

    page.get_by_role("link", name="See how accurate it has been").click()
    page.wait_for_url("**/forecast/backtest/")
    assert page.locator("[data-backtest] tbody tr").count() == 9  # three methods, three horizons
    assert page.locator("[data-spending-backtest] tbody tr").count() == 9
    assert page.locator("[data-computed]").inner_text().startswith("Computed ")
    axe_check(page)

    page.goto(base_url + "/forecast/")
    with page.expect_download() as download:
        page.get_by_role(
            "link", name="Download every council's forecast of children looked after (CSV)"
        ).click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert {r["council"] for r in rows if r["la_number"] == "392"} == {"North Tyneside"}
    assert len(rows) > 140 * 3


def test_an_analyst_changes_a_unit_cost_tries_a_scenario_and_downloads_it(
    page, base_url, axe_check
):
    sign_in(page, base_url, "analyst@north-tyneside.demo")
    page.goto(base_url + "/forecast/")
    page.get_by_role("link", name="North Tyneside: forecast from its own returns").click()
    page.wait_for_url("**/forecast/council/392/", timeout=60_000)
    assert "2023, 2024, 2025, 2026" in page.locator("[data-years-used]").inner_text()
    assert page.locator("[data-totals] tbody tr").count() == 3 * 8
    axe_check(page)

    page.get_by_role("link", name="See or change North Tyneside's unit costs").click()
    page.get_by_role("link", name="Change unit costs").click()
    page.get_by_label("Supported accommodation and independent living: weekly cost in pounds").fill(
        "2500"
    )
    page.get_by_role("button", name="Save unit costs").click()
    page.wait_for_url("**/forecast/council/392/unit-costs/")
    page.wait_for_load_state()
    assert "Weekly unit costs saved" in page.content()
    assert "£2,500" in page.locator("[data-unit-costs]").inner_text()
    axe_check(page)

    page.get_by_role("link", name="Back to North Tyneside's forecast").click()
    page.get_by_label("Aged 10 to 15: change (%)").fill("-20")
    page.get_by_label("Aged 16 or 17: change (%)").fill("-20")
    page.get_by_role("button", name="Show the scenario").click()
    page.wait_for_load_state()
    difference = page.locator("[data-difference]").inner_text()
    assert "Scenario against the baseline" in difference
    axe_check(page)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download these figures (Excel)").click()
    assert download.value.suggested_filename == "forecast-392.xlsx"

    # saved under a name, opened again from the list with the form filled in, then deleted
    page.get_by_label("Save this scenario").fill("Fewer adolescents starting care")
    page.get_by_role("button", name="Save scenario").click()
    page.wait_for_load_state()
    assert "Scenario 'Fewer adolescents starting care' saved" in page.content()
    assert "Showing the saved scenario" in page.locator("[data-opened]").inner_text()
    axe_check(page)
    page.goto(base_url + "/forecast/council/392/")
    page.get_by_role("link", name="Fewer adolescents starting care").click()
    page.wait_for_load_state()
    assert page.get_by_label("Aged 10 to 15: change (%)").input_value() == "-20"
    assert page.locator("[data-difference]").count() == 1
    page.get_by_role("button", name="Delete Fewer adolescents starting care").click()
    page.wait_for_load_state()
    assert "Scenario 'Fewer adolescents starting care' deleted" in page.content()
    saved = page.locator("[data-saved-scenarios]").inner_text()
    assert "Fewer adolescents starting care" not in saved
    assert "Edge of care keeps 1 in 10 adolescents out of care" in saved  # the demo's stays
    page.get_by_label("Aged 10 to 15: change (%)").fill("-20")
    page.get_by_role("button", name="Show the scenario").click()
    page.wait_for_load_state()

    page.get_by_label("Aged 10 to 15: change (%)").fill("-200")
    page.get_by_role("button", name="Show the scenario").click()
    assert "There is a problem" in page.content()
    assert page.locator("[data-difference]").count() == 0


def test_a_practitioner_is_refused(page, base_url):
    sign_in(page, base_url, "practitioner@north-tyneside.demo")
    response = page.goto(base_url + "/forecast/")
    assert response is not None
    assert response.status == 403
