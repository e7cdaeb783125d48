"""WorkPlace journeys in a real browser against the running service with its demo data: a careers
adviser, an employer and a young person on their phone."""

from __future__ import annotations

import datetime as dt
import re
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import emailed_link, sign_in

pytestmark = pytest.mark.browser

ADVISER = "careers.adviser@south-tyneside.demo"
EMPLOYER = "employer@tyne-gateway-logistics.demo"
YOUNG_PERSON = "young.person@south-tyneside.demo"


def test_adviser_finds_a_young_person_matches_and_suggests(page, base_url, axe_check):
    sign_in(page, base_url, ADVISER)
    page.get_by_role("link", name="WorkPlace").first.click()
    assert page.get_by_role("heading", level=1).inner_text() == "WorkPlace"
    assert page.get_by_role("heading", name="Overdue").is_visible()
    axe_check(page)
    page.get_by_role("link", name="Young people", exact=True).first.click()
    axe_check(page)
    page.get_by_label("Search by name").fill("Jordan")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Jordan Robson").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Jordan Robson"
    assert "Care leaver information (SSDA903)" in page.content()
    axe_check(page)
    page.get_by_role("link", name="Find opportunities").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Opportunities that fit"
    assert "miles from home" in page.content()
    axe_check(page)
    suggest = page.get_by_role("button", name="Suggest").first
    suggest.click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "has been suggested to Jordan Robson"
    )
    page.goto(base_url + "/workplace/outcomes/")
    assert page.locator("svg.app-chart").count() == 2
    axe_check(page)


def test_adviser_gets_a_clear_message_for_an_unknown_postcode(page, base_url, axe_check):
    sign_in(page, base_url, ADVISER)
    page.goto(base_url + "/workplace/young-people/new/")
    page.get_by_label("First name").fill("Sky")
    page.get_by_label("Last name").fill("Browser")
    page.get_by_label("Home postcode").fill("SW1A 1AA")
    page.get_by_role("button", name="Save").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    assert "There is a problem" in summary.inner_text()
    assert "Enter a postcode in the North East" in summary.inner_text()
    assert "Enter the young person’s date of birth" in summary.inner_text()
    axe_check(page)


def test_employer_posts_an_opportunity_and_sees_only_shared_applicants(page, base_url, axe_check):
    sign_in(page, base_url, EMPLOYER)
    page.get_by_role("link", name="Your opportunities").first.click()
    assert "Tyne Gateway Logistics" in page.get_by_role("heading", level=1).inner_text()
    axe_check(page)
    page.get_by_role("link", name="Warehouse operative apprenticeship").click()
    applicants = page.locator("table")
    expect(applicants).to_contain_text("Jordan R.")  # applied, and agreed to share
    assert "Robson" not in applicants.inner_text()  # only an initial
    axe_check(page)
    page.get_by_role("link", name="Back").click()
    page.get_by_role("link", name="Post an opportunity").click()
    page.get_by_label("Title").fill("Van driver's mate")
    page.get_by_label("Job", exact=True).check()
    page.get_by_label("Description").fill("Help with deliveries across Tyneside.")
    page.get_by_label("Hours per week").fill("30")
    page.get_by_label("Closing date").fill("2020-01-31")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "The closing date must be today or in the future"
    )
    axe_check(page)
    soon = (dt.date.today() + dt.timedelta(days=21)).isoformat()
    page.get_by_label("Closing date").fill(soon)
    # £5 an hour for 16 to 25 year olds is below the minimum wage: refused, saying the minimum
    page.get_by_label("Pay per hour, in pounds").fill("5")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Pay must be at least £")
    expect(page.locator(".govuk-error-summary")).to_contain_text("ages 16 to 25")
    page.get_by_label("Pay per hour, in pounds").fill("13.00")
    page.get_by_role("button", name="Save").click()
    assert page.get_by_role("heading", level=1).inner_text() == "Van driver's mate"
    # An employer cannot open a young person's record.
    response = page.goto(base_url + "/workplace/young-people/1/")
    assert response is not None
    assert response.status == 403


def test_young_person_on_a_phone_sees_their_plan_and_says_interested(browser, base_url, axe_check):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in(page, base_url, YOUNG_PERSON)
        # Signing in lands on their own plan, not the national picture.
        expect(page).to_have_url(re.compile(r"/workplace/me/$"))
        assert page.get_by_role("heading", level=1).inner_text() == "Hello Jordan"
        advisers = page.get_by_role("heading", name="Your advisers")
        assert advisers.is_visible()
        assert page.get_by_role("link", name="0191 498 0123").is_visible()
        assert page.get_by_role("heading", name="Your next appointment").is_visible()
        assert page.get_by_role("heading", name="Your plan").is_visible()
        # Nothing runs off the side of a small screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        axe_check(page)
        button = page.get_by_role("button", name="I’m interested").first
        button.click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "your adviser will talk to you"
        )
        axe_check(page)
        response = page.goto(base_url + "/workplace/young-people/")
        assert response is not None
        assert response.status == 403
    finally:
        context.close()


def _password_link(tmp_path_factory: pytest.TempPathFactory, email: str) -> str:
    """The one-time link from the welcome email."""
    return emailed_link(tmp_path_factory, email, r"/register/password/\S+/")


def test_a_business_registers_is_approved_and_posts(browser, base_url, axe_check, tmp_path_factory):
    email = f"owner{int(time.time())}@harton-bakery.test"
    business = f"Harton Bakery {int(time.time()) % 100000}"
    password = "juniper kettle harbour lantern"
    visitor = browser.new_context()
    page = visitor.new_page()
    try:
        page.goto(base_url + "/workplace/register/")
        axe_check(page)
        page.get_by_role("button", name="Start now").click()
        page.get_by_role("button", name="Continue").click()  # nothing entered
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter the name of your business"
        )
        axe_check(page)
        page.get_by_label("Business name").fill(business)
        page.get_by_label("Hospitality and catering").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Address").fill("12 Fowler Street\nSouth Shields")
        page.get_by_label("Postcode").fill("SW1A 1AA")
        page.get_by_role("button", name="Continue").click()
        expect(page.locator(".govuk-error-summary")).to_contain_text(
            "Enter a postcode in the North East"
        )
        axe_check(page)
        page.get_by_label("Postcode").fill("ne33 1nr")
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Your full name").fill("Pat Rowell")
        page.get_by_label("Your email address").fill(email)
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Apprenticeship").check()
        page.get_by_label("Work experience").check()
        page.get_by_role("button", name="Continue").click()
        page.get_by_label("Your pledge to care leavers").fill("An interview for every care leaver")
        page.get_by_role("button", name="Continue").click()
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Check your answers before registering"
        )
        assert "NE33 1NR" in page.content()
        assert "South Tyneside" in page.content()
        axe_check(page)
        page.get_by_role("button", name="Register my business").click()
        expect(page.locator(".govuk-panel")).to_contain_text("Registration received")
        axe_check(page)

        page.goto(_password_link(tmp_path_factory, email))
        expect(page.get_by_role("heading", level=1)).to_have_text("Choose your password")
        axe_check(page)
        page.get_by_label("New password", exact=True).fill(password)
        page.get_by_label("New password confirmation").fill(password)
        page.get_by_role("button", name="Save password").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password is set")
        sign_in(page, base_url, email, password)
        page.goto(base_url + "/workplace/employer/")
        expect(page.locator(".govuk-inset-text")).to_contain_text("waiting for approval")
        assert page.get_by_role("link", name="Post an opportunity").count() == 0
        axe_check(page)
    finally:
        visitor.close()

    team = browser.new_context()
    page = team.new_page()
    try:
        sign_in(page, base_url, ADVISER)
        page.goto(base_url + "/workplace/employers/")
        expect(page.get_by_role("heading", name="Waiting for approval")).to_be_visible()
        axe_check(page)
        page.get_by_role("link", name=business).click()
        expect(page.get_by_role("heading", level=1)).to_have_text(business)
        assert email in page.content()
        axe_check(page)
        page.get_by_label("Approve").check()
        page.get_by_role("button", name="Save decision").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            f"{business} is approved"
        )
    finally:
        team.close()

    employer = browser.new_context()
    page = employer.new_page()
    try:
        sign_in(page, base_url, email, password)
        page.goto(base_url + "/workplace/employer/")
        page.get_by_role("link", name="Post an opportunity").click()
        page.get_by_label("Title").fill("Apprentice baker")
        page.get_by_label("Apprenticeship", exact=True).check()
        page.get_by_label("Description").fill("Early starts and good bread.")
        page.get_by_label("Hours per week").fill("37")
        page.get_by_label("Pay per hour, in pounds").fill("13.00")
        soon = (dt.date.today() + dt.timedelta(days=21)).isoformat()
        page.get_by_label("Closing date").fill(soon)
        page.get_by_role("button", name="Save").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Apprentice baker")
        axe_check(page)
        page.get_by_role("link", name="Close it early").click()
        axe_check(page)
        page.get_by_role("button", name="Close it now").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("is closed")
        page.get_by_role("button", name=re.compile("^Reopen until")).click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text("is open again")
        axe_check(page)
    finally:
        employer.close()
