"""Setting up an alliance without the command line, in a real browser: the administrator adds an
alliance, a partner council from a date and a supported council, and ends a partner's time."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_with_two_step

pytestmark = pytest.mark.browser


def _add_council(page, council: str, kind: str, starts_on: str) -> None:
    page.get_by_label("Council").select_option(label=council)
    page.get_by_label(kind, exact=True).check()
    page.get_by_label("From").fill(starts_on)
    page.get_by_role("button", name="Add council").click()


def test_an_administrator_sets_up_an_alliance_and_its_councils(browser, base_url, axe_check):
    name = f"Wearside Alliance {time.time_ns() % 100000}"
    context = browser.new_context()
    page = context.new_page()
    try:
        sign_in_with_two_step(page, base_url, "admin@alliance.demo")
        page.get_by_role("link", name="Organisations").first.click()
        axe_check(page)
        page.get_by_role("button", name="Add an organisation").click()
        page.get_by_label("Alliance", exact=True).check()
        page.get_by_label("Name").fill(name)
        axe_check(page)
        page.get_by_role("button", name="Add organisation").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(name)

        _add_council(page, "Sunderland", "Partner", "2024-04-01")
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"Sunderland is with {name} as partner from 1 April 2024"
        )
        _add_council(page, "Hartlepool", "Supported", "2025-01-06")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("as supported")
        axe_check(page)

        row = page.get_by_role("row").filter(has_text="Sunderland")
        row.get_by_label("Date Sunderland's time ended").fill("2025-03-31")
        row.get_by_role("button", name="End").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"Sunderland's time with {name} ended on 31 March 2025"
        )
        expect(page.get_by_role("row").filter(has_text="Sunderland")).to_contain_text(
            "31 March 2025"
        )
    finally:
        context.close()
