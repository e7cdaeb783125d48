"""The DfE's side of the programme in a real browser: the programme at a glance, and a spend
report the DfE queries, the alliance's lead answers and the DfE then acknowledges."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

LEAD = "lead@tyneside-alliance.demo"
DFE = "analyst@dfe.demo"


def test_the_dfe_queries_a_spend_report_the_lead_answers_the_dfe_acknowledges(
    page, base_url, axe_check
):
    sign_in(page, base_url, DFE)
    page.get_by_role("link", name="Programme at a glance").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "The programme at a glance"
    assert "Tyneside" in page.locator("[data-alliances]").inner_text()
    axe_check(page)
    page.goto(base_url + "/programme/spend-reports/?status=awaiting")
    axe_check(page)
    row = page.locator("[data-spend-reports] tbody tr").filter(has_text="Tyneside").first
    row.get_by_role("link").click()
    page.wait_for_load_state()
    report_url = page.url
    # an empty query is refused with a message beside the box
    page.get_by_role("button", name="Send query").click()
    assert "Enter your query" in page.locator(".govuk-error-summary").inner_text()
    axe_check(page)
    page.get_by_label("Send a query to the alliance").fill(
        "The peer review costs look high: what did they cover?"
    )
    page.get_by_role("button", name="Send query").click()
    assert "Query sent" in page.content()
    assert "Queried: awaiting the alliance" in page.locator("[data-report]").inner_text()
    assert page.get_by_role("button", name="Acknowledge").count() == 0

    page.context.clear_cookies()
    sign_in(page, base_url, LEAD)
    page.goto(report_url)
    assert "what did they cover?" in page.locator("[data-message=query]").inner_text()
    axe_check(page)
    page.get_by_label("Answer the DfE's query").fill("Two days of peer review and a report.")
    page.get_by_role("button", name="Send answer").click()
    assert "Answer sent" in page.content()
    assert "Answered: awaiting the DfE" in page.locator("[data-report]").inner_text()

    page.context.clear_cookies()
    sign_in(page, base_url, DFE)
    page.goto(report_url)
    assert "Two days of peer review" in page.locator("[data-message=answer]").inner_text()
    page.get_by_role("button", name="Acknowledge").click()
    assert "Spend report acknowledged" in page.content()
    details = page.locator("[data-report]").inner_text()
    assert "Acknowledged" in details
    assert DFE in details
    assert page.get_by_role("button", name="Send query").count() == 0
    axe_check(page)
