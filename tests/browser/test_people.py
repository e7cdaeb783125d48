"""People and sign-in without the command line, in a real browser: an administrator invites a
council analyst who accepts and signs in; an organisation administrator deactivates a person whose
open session then ends; a person resets a forgotten password. Each journey invites its own
person, so the demo people keep their passwords for the other journeys."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import emailed_link, sign_in, sign_in_with_two_step, totp_now

pytestmark = pytest.mark.browser
CHOSEN = "juniper kettle harbour lantern"


def _invite(page, base_url, axe_check, name: str, email: str, organisation: str, role: str):
    page.goto(base_url + "/people/")
    axe_check(page)
    page.get_by_role("button", name="Invite a person").click()
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Organisation").select_option(label=organisation)
    page.get_by_label("Role").select_option(label=role)
    axe_check(page)
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Invitation sent to {email}"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    axe_check(page)


def _choose_password(page, link: str, password: str) -> None:
    page.goto(link)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Confirm password").fill(password)
    page.get_by_role("button", name="Save password").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password is set")


def _accept(browser, base_url, tmp_path_factory, email: str, name: str):
    """A new browser for the invited person: they choose a password and sign in."""
    context = browser.new_context()
    page = context.new_page()
    _choose_password(page, emailed_link(tmp_path_factory, email, r"/invitation/\S+/"), CHOSEN)
    sign_in(page, base_url, email, CHOSEN)
    expect(page.get_by_role("heading", level=1)).to_have_text(name)
    return context, page


def test_an_administrator_invites_a_council_analyst_who_accepts_and_signs_in(
    browser, base_url, axe_check, tmp_path_factory
):
    email = f"kim{time.time_ns()}@north-tyneside.test"
    admin = browser.new_context()
    try:
        page = admin.new_page()
        sign_in_with_two_step(page, base_url, "admin@alliance.demo")
        page.get_by_role("link", name="People").first.click()
        expect(page.get_by_role("heading", level=1)).to_have_text("People")
        _invite(
            page,
            base_url,
            axe_check,
            "Kim Newcomer",
            email,
            "North Tyneside (Council)",
            "Council analyst",
        )
    finally:
        admin.close()
    guest, page = _accept(browser, base_url, tmp_path_factory, email, "Kim Newcomer")
    try:
        assert "Council analyst, North Tyneside" in page.content()
        axe_check(page)
    finally:
        guest.close()


def test_an_organisation_administrator_deactivates_a_person_whose_session_then_ends(
    browser, base_url, axe_check, tmp_path_factory
):
    email = f"robin{time.time_ns()}@north-tyneside.test"
    admin = browser.new_context()
    person = None
    try:
        page = admin.new_page()
        sign_in_with_two_step(page, base_url, "admin@north-tyneside.demo")
        page.goto(base_url + "/people/")
        # only North Tyneside's people: Sunderland's analyst is not theirs
        expect(page.get_by_role("link", name="Sam Analyst (demo)")).to_have_count(0)
        _invite(
            page,
            base_url,
            axe_check,
            "Robin Leaving",
            email,
            "North Tyneside (Council)",
            "Council practitioner",
        )
        person, their_page = _accept(browser, base_url, tmp_path_factory, email, "Robin Leaving")

        page.get_by_role("button", name="Deactivate Robin Leaving").click()
        expect(page.locator(".govuk-notification-banner")).to_contain_text(
            "Robin Leaving is deactivated and has been signed out"
        )
        axe_check(page)

        their_page.goto(base_url + "/account/")
        expect(their_page.get_by_role("heading", level=1)).to_have_text("Sign in")
        sign_in(their_page, base_url, email, CHOSEN)
        expect(their_page.locator(".govuk-error-summary")).to_be_visible()
    finally:
        admin.close()
        if person is not None:
            person.close()


def test_a_person_resets_a_forgotten_password(browser, base_url, axe_check, tmp_path_factory):
    email = f"jo{time.time_ns()}@south-tyneside.test"
    admin = browser.new_context()
    try:
        page = admin.new_page()
        sign_in_with_two_step(page, base_url, "admin@alliance.demo")
        _invite(
            page,
            base_url,
            axe_check,
            "Jo Forgetful",
            email,
            "South Tyneside (Council)",
            "Council leader",
        )
    finally:
        admin.close()
    first, _ = _accept(browser, base_url, tmp_path_factory, email, "Jo Forgetful")
    first.close()

    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base_url + "/sign-in/")
        page.get_by_role("link", name="Forgotten your password?").click()
        axe_check(page)
        page.get_by_label("Email address").fill(email)
        page.get_by_role("button", name="Send reset link").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
        axe_check(page)
        link = emailed_link(tmp_path_factory, email, r"/sign-in/new-password/\S+/")
        new_password = "copper meadow whistle ninety"
        _choose_password(page, link, new_password)
        sign_in(page, base_url, email, new_password)
        expect(page.get_by_role("heading", level=1)).to_have_text("Jo Forgetful")
    finally:
        context.close()


def test_a_new_organisation_administrator_sets_up_two_step_verification_before_managing_people(
    browser, base_url, axe_check, tmp_path_factory
):
    email = f"ola{time.time_ns()}@sunderland.test"
    admin = browser.new_context()
    try:
        page = admin.new_page()
        sign_in_with_two_step(page, base_url, "admin@alliance.demo")
        _invite(
            page,
            base_url,
            axe_check,
            "Ola Organiser",
            email,
            "Sunderland (Council)",
            "Organisation administrator",
        )
    finally:
        admin.close()
    context, page = _accept(browser, base_url, tmp_path_factory, email, "Ola Organiser")
    try:
        # Signed in with a password only: the people pages ask for two-step verification first.
        page.goto(base_url + "/people/")
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "You need two-step verification for this page"
        )
        axe_check(page)
        page.get_by_role("button", name="Set up two-step verification").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("Set up two-step verification")
        key = page.locator("p:has-text('Key:') code").inner_text().strip()
        page.get_by_label("Security code").fill(totp_now(key))
        page.get_by_role("button", name="Turn on two-step verification").click()
        expect(page.get_by_role("heading", level=1)).to_have_text("People")
        expect(
            page.locator("#main-content").get_by_role("link", name="Ola Organiser")
        ).to_be_visible()
    finally:
        context.close()
