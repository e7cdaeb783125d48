"""An analyst uploads a return, watches it being checked, reads the report by rule, opens a rule's
rows and downloads the Excel workbook, against the real running service and its task worker."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def return_zip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from statutory.ssda903.generator import generate_to

    folder = tmp_path_factory.mktemp("903")
    generate_to(folder / "return", 300, 2026, seed=21)
    path = folder / "north-tyneside-903.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for p in sorted((folder / "return").rglob("*.csv")):
            archive.write(p, p.relative_to(folder / "return").as_posix())
    return path


@pytest.fixture(scope="module")
def provider_list(return_zip: Path) -> Path:
    """Ofsted's list (saved as CSV) for the URNs the return's episodes use."""
    import polars as pl

    episodes = pl.read_csv(
        return_zip.parent / "return" / "current" / "episodes.csv", infer_schema=False
    )
    listed = (
        episodes.filter(pl.col("URN").is_not_null() & (pl.col("URN") != "XXXXXXX"))
        .group_by("URN")
        .agg(
            pl.col("PLACE").unique().sort().str.join(", ").alias("Placement code"),
            pl.col("PLACE_PROVIDER")
            .drop_nulls()
            .unique()
            .sort()
            .str.join("/")
            .alias("Placement provider code"),
            pl.col("PL_POST").first().fill_null("").alias("Setting address postcode"),
        )
        .with_columns(pl.lit("").alias("Deregistration date"))
    )
    path = return_zip.parent / "ofsted-providers.csv"
    listed.write_csv(path)
    return path


def test_upload_progress_report_download(
    page, base_url, axe_check, return_zip, provider_list, tmp_path
):
    sign_in(page, base_url, "analyst@north-tyneside.demo")
    page.goto(base_url + "/returns/")
    axe_check(page)
    page.get_by_label("SSDA903 (children looked after and care leavers)").check()
    page.get_by_label("April 2025 to March 2026").check()
    page.get_by_label("The return's files").set_input_files(str(return_zip))
    page.get_by_label("Ofsted provider lists").set_input_files(str(provider_list))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_url(re.compile(r"/returns/uploads/\d+/$"))
    axe_check(page)
    # the page follows the worker's progress and shows the report when it has finished
    done = page.get_by_role("heading", name="Checked and stored")
    done.wait_for(timeout=180_000)
    page.reload()  # the result survives a reload
    done.wait_for()
    axe_check(page)
    # with Ofsted's list given, the Ofsted-provider rules ran: none is listed as not run
    page.get_by_text("ofsted-providers.csv").wait_for()
    assert page.get_by_text("needs Ofsted provider information").count() == 0
    first_rule = page.locator("a[href*='/rules/']").first
    first_rule.click()
    page.get_by_role("heading", name=re.compile(r"^Rule ")).wait_for()
    axe_check(page)
    # each row shows the fields it fails on with their values, and the other fields read
    assert page.get_by_role("columnheader", name="Fails on").is_visible()
    assert page.get_by_role("columnheader", name="Other fields the rule reads").is_visible()
    assert ":" in page.locator("td[data-fails]").first.inner_text()
    with page.expect_download() as info:
        page.get_by_role("link", name="Download every finding as an Excel workbook").click()
    saved = tmp_path / "findings.xlsx"
    info.value.save_as(saved)
    assert saved.read_bytes()[:2] == b"PK"
    page.goto(base_url + "/returns/performance/")
    page.get_by_role("heading", name="Your indicators").wait_for()
    axe_check(page)
    # the form's address opened as a page goes to the form, not a blank 'HTTP ERROR 405'
    response = page.goto(base_url + "/returns/upload/")
    assert response is not None
    assert response.status == 200
    assert page.url.endswith("/returns/#upload-a-return")
    page.get_by_role("heading", name="Upload a return").wait_for()
    assert page.get_by_text("The years the service can check.").is_visible()


def test_alliance_lead_sees_pooled_records_and_dfe_only_aggregates(page, base_url, axe_check):
    sign_in(page, base_url, "lead@tyneside-alliance.demo")
    page.goto(base_url + "/returns/pooled/")
    assert page.get_by_role("heading", name="Pooled returns").is_visible()
    axe_check(page)
    page.goto(base_url + "/returns/")
    assert "do not have access" in page.content() or page.title().startswith("You do not")
    page.context.clear_cookies()
    sign_in(page, base_url, "analyst@dfe.demo")
    page.goto(base_url + "/returns/aggregates/")
    assert page.get_by_role("heading", name="Aggregate figures from returns").is_visible()
    axe_check(page)
