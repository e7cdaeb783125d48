"""The national picture in a real browser: filter by region and grade, open a council's profile,
with an axe-core check on each page."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.browser


def test_filter_the_national_picture_and_open_a_profile(page, base_url, axe_check):
    page.goto(base_url + "/national-picture/")
    assert page.get_by_role("heading", level=1).inner_text() == "National picture"
    assert page.locator("[data-headline-share]").inner_text().endswith("%")
    axe_check(page)

    page.get_by_label("Region").select_option(label="North East")
    page.get_by_label("Latest overall judgement").select_option(label="Outstanding")
    page.get_by_role("button", name="Apply filters").click()
    page.wait_for_load_state()
    assert "region=E12000001" in page.url
    assert "grade=outstanding" in page.url
    rows = page.locator("[data-councils] tbody tr")
    assert rows.count() >= 1
    for i in range(rows.count()):
        assert "Outstanding" in rows.nth(i).locator("td").nth(1).inner_text()
    assert "match the filters" in page.locator("[data-result-count]").inner_text()
    axe_check(page)

    page.get_by_role("link", name="North Tyneside", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "North Tyneside"
    assert page.locator("[data-neighbours] tbody tr").count() == 11  # itself and ten neighbours
    assert page.locator("svg.app-chart").count() >= 10
    axe_check(page)


def test_sort_and_search_without_javascript_needed(page, base_url):
    page.goto(base_url + "/national-picture/?q=tyneside")
    names = page.locator("[data-councils] tbody th").all_inner_texts()
    assert names == ["North Tyneside", "South Tyneside"]
    page.get_by_role("link", name="Council").first.click()
    page.wait_for_load_state()
    assert "order=desc" in page.url
    assert page.locator("[data-councils] tbody th").all_inner_texts() == [
        "South Tyneside",
        "North Tyneside",
    ]


def test_an_unknown_council_is_a_404_page(page, base_url, axe_check):
    response = page.goto(base_url + "/national-picture/councils/999/")
    assert response.status == 404
    assert page.get_by_role("heading", level=1).inner_text() == "Council not found"
    axe_check(page)


def _measure(page: Any) -> dict[str, int]:
    return page.evaluate(
        """() => ({
            height: document.documentElement.scrollHeight,
            overflow: document.documentElement.scrollWidth - document.documentElement.clientWidth,
            tallestRow: Math.max(...[...document.querySelectorAll('[data-councils] tbody tr')]
                .map(r => r.getBoundingClientRect().height)),
        })"""
    )


@pytest.mark.parametrize(
    ("width", "max_height", "max_row"),
    [
        # Issue #16: 42,735 px long, rows about 260 px, 853 px of sideways scroll at 1,280 wide.
        (1280, 12_000, 60),
        # On a phone a council's name may take two lines; the row is still its name and grade.
        (375, 20_000, 80),
    ],
)
def test_the_council_table_is_compact_at_desk_and_phone_widths(
    page, base_url, width, max_height, max_row
):
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(base_url + "/national-picture/")
    assert page.locator("[data-councils] tbody tr").count() == 153
    size = _measure(page)
    print(f"national picture at {width} px: {size}")
    assert size["overflow"] <= 0, f"the page scrolls sideways by {size['overflow']} px"
    assert size["height"] <= max_height, f"the page is {size['height']} px long"
    assert size["tallestRow"] <= max_row, f"a council's row is {size['tallestRow']} px tall"
    # on a phone the region and date give way; the grade is still there, in words
    first = page.locator("[data-councils] tbody tr").first
    assert first.locator(".govuk-tag, .app-suppressed").first.is_visible()
    assert first.locator(".app-councils__wide").first.is_visible() == (width >= 641)
