"""An organisation administrator issues an API token in the browser, the council's system calls
the API with it, the administrator revokes it and the next call is refused; the API's own
documentation page works under the service's content security policy."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import sign_in_with_two_step

pytestmark = pytest.mark.browser


def _call(base_url: str, token: str) -> tuple[int, dict[str, object]]:
    request = urllib.request.Request(  # noqa: S310 - our own loopback service
        base_url + "/api/v1/indicators?kind=ssda903",
        headers={"Authorization": f"Bearer {token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, {"rows": json.loads(response.read())}
    except urllib.error.HTTPError as refused:
        return refused.code, json.loads(refused.read())


def test_an_administrator_issues_and_revokes_a_token(page, base_url, axe_check):
    sign_in_with_two_step(page, base_url, "admin@north-tyneside.demo")
    page.goto(base_url + "/api-tokens/")
    axe_check(page)
    page.get_by_role("link", name="Issue a token").click()
    page.get_by_label("What will use it").fill("Browser journey export")
    page.get_by_label("Organisation").select_option(label="North Tyneside (Council)")
    page.get_by_label("It acts as").select_option(label="Council analyst")
    page.get_by_label("Read the council's indicators").check()
    axe_check(page)
    page.get_by_role("button", name="Issue token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Token issued")
    axe_check(page)
    token = page.locator("#token").inner_text().strip()
    assert token.startswith("alliance_")

    status, body = _call(base_url, token)
    assert status == 200, body

    page.goto(base_url + "/api-tokens/")
    row = page.locator("tr", has_text="Browser journey export")
    expect(row).to_contain_text("Active")
    assert token not in page.content()
    row.get_by_role("button", name="Revoke").click()
    expect(page.locator("tr", has_text="Browser journey export")).to_contain_text("Revoked")
    status, body = _call(base_url, token)
    assert status == 401
    assert "revoked" in str(body["detail"])


def test_the_api_documentation_page_works_under_the_content_security_policy(page, base_url):
    refused: list[str] = []
    page.on(
        "console", lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None
    )
    page.goto(base_url + "/api/v1/docs")
    expect(page.get_by_text("Alliance API").first).to_be_visible()
    expect(page.get_by_text("/api/v1/returns").first).to_be_visible()
    assert not [r for r in refused if "script" in r.lower()], refused
