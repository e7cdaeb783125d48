"""The improvement programme in a real browser, against the real service with its demo data."""

from __future__ import annotations

import re

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_an_alliance_lead_adds_a_milestone_after_a_date_error(page, base_url, axe_check):
    sign_in(page, base_url, "lead@tyneside-alliance.demo")
    page.get_by_role("link", name="Improvement programme").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Your engagements"
    assert "Demo data: fictional" in page.content()
    axe_check(page)
    page.get_by_role("link", name="All engagements").click()
    axe_check(page)
    page.get_by_label("Status").select_option("active")
    page.get_by_role("button", name="Show").click()
    page.locator("table a.govuk-link").filter(has_text=re.compile(".")).first.click()
    page.wait_for_load_state()
    assert "Diagnostic" in page.content()
    axe_check(page)
    engagement_url = page.url
    page.get_by_role("link", name="Add a milestone").click()
    axe_check(page)
    page.get_by_label("Milestone", exact=True).fill("Audit of strategy meetings")
    page.get_by_label("Owner", exact=True).fill("Jo Reed (demo)")
    page.get_by_label("Due date").fill("2030-01-01")
    page.get_by_label("Amber").check()
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Due date must be within the engagement" in summary.inner_text()
    assert page.title().startswith("Error:")
    axe_check(page)
    page.get_by_label("Due date").fill("2026-12-15")
    page.get_by_role("button", name="Save").click()
    assert page.url == engagement_url
    assert "Audit of strategy meetings" in page.locator("[data-milestones]").inner_text()
    # RAG moves every month: the lead changes the saved milestone, the history shows the move.
    page.get_by_role("link", name="Change Audit of strategy meetings").click()
    axe_check(page)
    page.get_by_label("Red").check()
    page.get_by_role("button", name="Save").click()
    assert page.url.split("#")[0] == engagement_url
    page.get_by_role("link", name="Full history of changes").click()
    assert "Audit of strategy meetings" in page.locator("[data-history]").inner_text()
    assert "Amber → Red" in page.locator("[data-history]").inner_text()
    axe_check(page)


def test_the_dfe_reads_who_needs_support_and_why(page, base_url, axe_check):
    sign_in(page, base_url, "analyst@dfe.demo")
    page.get_by_role("link", name="Programme set-up").first.click()
    axe_check(page)
    page.get_by_role("link", name="Partners in Practice, 2018 wave").click()
    page.wait_for_load_state()  # a loaded machine can return the page slowly: read it whole
    assert "Tyneside Alliance" in page.content()
    axe_check(page)
    page.get_by_role("link", name="Who needs support and why").click()
    page.locator("[data-needs] tbody tr").first.wait_for()
    rows = page.locator("[data-needs] tbody tr")
    assert rows.count() > 50
    assert "Overall judgement" in rows.first.inner_text()
    axe_check(page)
    page.get_by_text("How the score is worked out, and the weights").click()
    page.get_by_label("Overall judgement inadequate").fill("many")
    page.get_by_role("button", name="Work out the scores again").click()
    assert "must be a number" in page.locator(".govuk-error-summary").inner_text()
    axe_check(page)
    page.get_by_role("link", name="Improvement programme").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "Programme dashboard"
    axe_check(page)


def test_an_alliance_lead_reads_a_budget_lines_forecast_and_is_told_when_a_profile_does_not_add_up(
    page, base_url, axe_check
):
    sign_in(page, base_url, "lead@tyneside-alliance.demo")
    page.goto(base_url + "/programme/money/")
    assert "Forecast and actual by quarter" in page.content()
    axe_check(page)
    page.locator("[data-money] tbody a.govuk-link").first.click()
    # wait for the budget line's page: count() alone does not wait, and read the page before
    quarters = page.locator("[data-quarters] tbody tr")
    quarters.first.wait_for()
    assert quarters.count() >= 4
    axe_check(page)
    page.get_by_role("link", name=re.compile("spend profile")).click()
    axe_check(page)
    quarter_one = page.get_by_label(re.compile("Quarter 1: "))
    quarter_one.fill("0")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    assert "The quarters add up to" in summary.inner_text()
    assert page.title().startswith("Error:")
    axe_check(page)


def test_an_alliance_lead_reads_their_regions_ranking_and_the_matching_page(
    page, base_url, axe_check
):
    sign_in(page, base_url, "lead@tyneside-alliance.demo")
    page.get_by_role("link", name="Improvement programme").first.click()
    page.get_by_role("link", name="Who needs support in your region").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Who needs support and why"
    assert "North East" in page.locator("[data-regions]").inner_text()
    rows = page.locator("[data-needs] tbody tr").all_inner_texts()
    assert rows, "the lead sees their region's councils"
    assert all("North East" in row for row in rows), rows
    axe_check(page)
    page.get_by_role("link", name="Propose a match").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Match councils to partners"
    assert page.content().count("No partner has places left") <= 1
    assert "Confirm " not in page.locator("main").inner_text()  # the DfE confirms, not the lead
    axe_check(page)
