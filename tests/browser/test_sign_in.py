"""Signing in, as a person does, in a real browser."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_sign_in_and_land_on_a_home_page_for_the_role(page, base_url, axe_check):
    page.goto(base_url + "/")
    axe_check(page)
    page.get_by_role("link", name="Sign in").first.click()
    axe_check(page)
    sign_in(page, base_url, "analyst@north-tyneside.demo")
    assert page.get_by_role("heading", level=1).inner_text() == "Asha Analyst (demo)"
    assert "Council analyst, North Tyneside" in page.content()
    axe_check(page)


def test_a_wrong_password_shows_the_error_summary(page, base_url, axe_check):
    sign_in(page, base_url, "analyst@north-tyneside.demo", "wrong password")
    summary = page.locator(".govuk-error-summary")
    assert summary.is_visible()
    assert "Enter a correct email address and password" in summary.inner_text()
    axe_check(page)


def test_sign_out(page, base_url):
    sign_in(page, base_url, "analyst@dfe.demo")
    page.get_by_role("link", name="Sign out").click()
    page.get_by_role("button", name="Sign out").click()
    assert page.get_by_role("heading", level=1).inner_text() == "You have signed out"
