"""The Insight pages in a real browser, on the demo: the public pages, then a DfE analyst's
"Did support work?", practice that worked and the ministers' briefing (printed and downloaded),
with an axe-core check on each page."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_the_public_pages(page, base_url, axe_check):
    page.goto(base_url + "/insight/")
    assert page.get_by_role("heading", level=1).inner_text() == "Improvement across the country"
    assert page.locator("svg.app-chart").count() == 3
    assert page.get_by_role("link", name="Briefing for ministers").count() == 0
    axe_check(page)
    page.get_by_role("link", name="Which published measures moved before improvement").click()
    page.wait_for_load_state()
    assert "associations, not causes" in page.content()
    axe_check(page)


def test_a_dfe_analyst_reads_the_evidence_and_prints_the_briefing(page, base_url, axe_check):
    sign_in(page, base_url, "analyst@dfe.demo")
    page.goto(base_url + "/insight/")
    page.get_by_role("link", name="Did support work?").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Did support work?"
    assert page.get_by_role("heading", name="Partners in Practice, 2018 wave").count() == 1
    text = page.locator("main").inner_text()
    assert "not the councils the DfE funded support for" in text
    # The demo's 2018 wave supports a handful of councils per partner, so councils it did not
    # support are compared with; those that could not be matched are listed with the reason.
    assert "each partner supports a handful of councils each" in text
    assert re.search(r"36 councils supported; [1-9]\d* matched with a comparison council", text)
    assert "Judged good or better within 4 years" in text
    page.get_by_text("The matched pairs").first.click()
    page.get_by_text("Supported councils left out").first.click()
    text = page.locator("main").inner_text()
    assert "Comparison council" in text
    assert "no council that was never supported stood at the same judgement then" in text
    axe_check(page)

    page.goto(base_url + "/insight/practice-that-worked/")
    assert page.get_by_role("heading", level=1).inner_text() == "Practice that worked"
    assert (
        page.get_by_role(
            "heading", name="Edge of Care: responding to families in crisis (demo)"
        ).count()
        == 1
    )
    assert "Not recorded yet" in page.locator("main").inner_text()
    axe_check(page)

    page.goto(base_url + "/insight/briefing/")
    headings = page.locator("main h2").all_inner_texts()
    assert headings == [
        "Councils judged requires improvement or inadequate",
        "How soon councils are judged good or better",
        "The improvement programme: portfolio and spend",
        "Did support work?",
    ]
    assert page.locator("main").inner_text().count("Source:") == 4
    axe_check(page)
    # Printed: no service header, navigation, footer or buttons; the content stays.
    page.emulate_media(media="print")
    assert not page.locator(".govuk-service-navigation").is_visible()
    assert not page.locator(".govuk-footer").is_visible()
    assert not page.get_by_role("link", name="Download as a spreadsheet (Excel)").is_visible()
    assert page.get_by_role("heading", name="Did support work?").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    assert len(pdf) > 10_000
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download as a spreadsheet (Excel)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("insight-briefing-")
    book = load_workbook(io.BytesIO(Path(download.path()).read_bytes()))
    cells = [str(c) for row in book.active.iter_rows(values_only=True) for c in row if c]
    assert "Partners in Practice, 2018 wave (demo data: fictional)" in cells


def test_a_council_analyst_is_refused_the_briefing(page, base_url, axe_check):
    sign_in(page, base_url, "analyst@north-tyneside.demo")
    response = page.goto(base_url + "/insight/briefing/")
    assert response.status == 403
    axe_check(page)
