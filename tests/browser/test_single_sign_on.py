"""Single sign-on in a real browser, against a real OpenID Connect provider running locally: a
service administrator sets up a council's sign-in service in the organisation's pages and invites
a person, who then signs in with their organisation's account (no password of their own); a
person the provider vouches for but the service does not know is refused."""

from __future__ import annotations

import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_with_two_step

pytestmark = pytest.mark.browser


def _set_up_single_sign_on(page, base_url, axe_check, provider, domain: str) -> None:
    page.goto(base_url + "/organisations/?kind=council")
    page.get_by_role("link", name="North Tyneside", exact=True).click()
    page.get_by_role("link", name="Set up single sign-on").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Single sign-on")
    expect(page.locator("#redirect-url")).to_have_text(base_url + "/sign-in/organisation/return/")
    axe_check(page)
    page.get_by_label("Issuer URL").fill(provider.issuer)
    page.get_by_label("Client ID").fill("alliance-browser-journey")
    page.get_by_label("Client secret").fill("journey-secret")
    page.get_by_label("Email domains").fill(domain)
    page.get_by_role("button", name="Save single sign-on").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Single sign-on for North Tyneside has been saved"
    )
    expect(
        page.get_by_text(f"People sign in with their organisation's account ({domain})")
    ).to_be_visible()


def _invite(page, base_url, name: str, email: str) -> None:
    page.goto(base_url + "/people/invite/")
    page.get_by_label("Full name").fill(name)
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Organisation").select_option(label="North Tyneside (Council)")
    page.get_by_label("Role").select_option(label="Council analyst")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        f"Invitation sent to {email}"
    )


def _through_the_provider(page, base_url, email: str, subject: str) -> None:
    page.goto(base_url + "/sign-in/")
    page.get_by_role("link", name="Sign in with your organisation's account").click()
    page.get_by_label("Email address").fill(email)
    page.get_by_role("button", name="Continue").click()
    # the provider's own sign-in page: the person is who the provider says they are
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.get_by_placeholder("Subject").fill(subject)
    page.get_by_role("button", name="Authorize", exact=True).click()
    page.wait_for_load_state()


def test_a_person_signs_in_with_their_organisations_account(
    browser, base_url, axe_check, oidc_provider
):
    stamp = time.time_ns()
    domain = f"nt{stamp}.test"
    email = f"kim@{domain}"
    admin = browser.new_context()
    try:
        page = admin.new_page()
        sign_in_with_two_step(page, base_url, "admin@alliance.demo")
        _set_up_single_sign_on(page, base_url, axe_check, oidc_provider, domain)
        _invite(page, base_url, "Kim Single", email)
    finally:
        admin.close()

    # The provider says Kim is an administrator at the DfE: the service takes no notice.
    oidc_provider.person(f"kim-{stamp}", email=email, email_verified=True, roles=["administrator"])
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto(base_url + "/sign-in/")
        axe_check(page)
        _through_the_provider(page, base_url, email, f"kim-{stamp}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Kim Single")
        assert "Council analyst, North Tyneside" in page.content()
        page.goto(base_url + "/people/")
        expect(page.get_by_role("heading", level=1)).not_to_have_text("People")
    finally:
        context.close()

    # A second sign-in matches the linked account, not the address the provider now gives.
    oidc_provider.person(f"kim-{stamp}", email=f"kim.new@{domain}", email_verified=True)
    context = browser.new_context()
    page = context.new_page()
    try:
        _through_the_provider(page, base_url, email, f"kim-{stamp}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Kim Single")
    finally:
        context.close()

    # Someone the provider knows but the service was never told about is refused.
    oidc_provider.person(f"stranger-{stamp}", email=f"stranger@{domain}", email_verified=True)
    context = browser.new_context()
    page = context.new_page()
    try:
        _through_the_provider(page, base_url, f"stranger@{domain}", f"stranger-{stamp}")
        expect(page.get_by_role("heading", level=1)).to_have_text("You could not be signed in")
        expect(page.get_by_text(f"There is no account for stranger@{domain}")).to_be_visible()
        axe_check(page)
        page.goto(base_url + "/account/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
    finally:
        context.close()
