"""On a phone (375 px wide) no page scrolls sideways: a table wider than the screen scrolls in its
own box, which the keyboard can reach and which is named by the table's caption. The pages the
walk-through found scrolling sideways, as the people who use them."""

from __future__ import annotations

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser

PAGES = {
    "analyst@dfe.demo": [
        "/programme/",
        "/programme/at-a-glance/",
        "/insight/briefing/",
        "/insight/",
    ],
    "practitioner@north-tyneside.demo": ["/edge-of-care/dashboard/"],
    "adviser@south-tyneside.demo": ["/workplace/"],
}


@pytest.mark.parametrize("person", sorted(PAGES))
def test_no_page_scrolls_sideways_on_a_phone(page, base_url, axe_check, person):
    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(page, base_url, person)
    for path in PAGES[person]:
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        sideways = page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert sideways <= 0, f"{path} scrolls {sideways} px sideways at 375 px"
        axe_check(page)
