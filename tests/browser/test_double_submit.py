"""A form clicked twice is sent once: GOV.UK Frontend's buttons ignore a second click within a
second, which the service asks for on every form that sends changes (common/assets/alliance.mjs).
Without it, two quick clicks on "Save referral" sent the form twice and saved the family twice."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

COUNT_SUBMISSIONS = """
() => {
  const form = document.querySelector('main form[method="post"]');
  window.sent = 0;
  form.addEventListener('submit', (event) => { event.preventDefault(); window.sent += 1; });
  const button = form.querySelector('.govuk-button');
  button.click();
  button.click();
  return window.sent;
}
"""


@pytest.mark.parametrize(
    ("person", "path"),
    [
        ("practitioner@north-tyneside.demo", "/edge-of-care/referrals/new/"),
        ("adviser@south-tyneside.demo", "/workplace/young-people/new/"),
    ],
)
def test_two_quick_clicks_send_a_form_once(page, base_url, person, path):
    sign_in(page, base_url, person)
    page.goto(base_url + path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate(COUNT_SUBMISSIONS) == 1
