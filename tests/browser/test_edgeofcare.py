"""Edge of Care in a real browser, as a North Tyneside practitioner: a referral, first contact,
triage and allocation to a service, then closure; and as the council's analyst, the dashboard
and the evaluation; with an axe-core check on each page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.browser.conftest import sign_in

pytestmark = pytest.mark.browser


def test_referral_triage_allocation_and_closure(page, base_url, axe_check):
    sign_in(page, base_url, "practitioner@north-tyneside.demo")
    page.goto(base_url + "/edge-of-care/")
    assert page.get_by_role("heading", level=1).inner_text() == "Edge of Care"
    axe_check(page)

    page.get_by_role("link", name="Live queue").first.click()
    page.wait_for_url("**/edge-of-care/queue/")
    page.wait_for_load_state()
    # the demo families waiting (waits for the rows, rather than reading a page still loading)
    page.locator("[data-queue] tbody tr").first.wait_for()
    axe_check(page)

    page.goto(base_url + "/edge-of-care/referrals/new/")
    # Submitting without a lawful basis is refused with a GOV.UK error summary.
    page.get_by_role("button", name="Save referral").click()
    summary = page.locator(".govuk-error-summary")
    assert "There is a problem" in summary.inner_text()
    assert "Select the lawful basis" in summary.inner_text()
    axe_check(page)

    page.get_by_label("Who is making the referral").select_option(label="School or college")
    page.get_by_label("Referrer's name and role").fill("Ms Example, Demo Academy")
    page.get_by_label("Public task: the council's duties").check()
    page.get_by_label("Address line 1").fill("12 Browser Test Road")
    page.get_by_label("Town or city").fill("North Shields")
    page.get_by_label("Postcode").fill("SW1A 1AA")
    page.locator("#id_child-0-first_name").fill("Robin")
    page.locator("#id_child-0-last_name").fill("Browsertest")
    page.locator("#id_child-0-date_of_birth").fill("2013-04-05")
    page.locator("#id_child-0-looked_after-2").check()  # the second answer, "No"
    page.locator("#id_child-0-primary_need").select_option("N4")
    page.get_by_label("Family breakdown").check()
    page.get_by_label("High: likely to enter care").check()
    page.get_by_label("Urgent: within a day").check()
    page.get_by_role("button", name="Save referral").click()
    page.wait_for_load_state()
    # A London postcode for a North Tyneside family: a warning to check it, nothing saved.
    warning = page.locator("[data-outside-area]").inner_text()
    assert "SW1A 1AA is in Westminster's area, not North Tyneside's" in warning
    axe_check(page)
    page.get_by_label("Postcode").fill("NE29 6DL")
    page.get_by_role("button", name="Save referral").click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading.startswith("Referral EOC-")
    assert "Awaiting first contact" in heading
    assert "First contact is due by" in page.locator(".govuk-inset-text").first.inner_text()
    axe_check(page)
    referral_url = page.url
    reference = heading.split()[1]

    # The practitioner takes the case: named on it, and in their cases.
    assert "Nobody yet" in page.locator("[data-worker]").inner_text()
    page.get_by_role("link", name="Change the allocated worker").click()
    axe_check(page)
    worker = page.get_by_label("Allocated worker")
    me = worker.locator("option").nth(1).inner_text()
    worker.select_option(label=me)
    page.get_by_role("button", name="Save worker").click()
    page.wait_for_load_state()
    assert me in page.locator("[data-worker]").inner_text()
    page.goto(base_url + "/edge-of-care/cases/?worker=me")
    assert reference in page.locator("table").inner_text()
    axe_check(page)
    page.goto(referral_url)

    page.get_by_role("link", name="Record a contact or visit").click()
    page.get_by_label("Home visit").check()
    # Rung back at once: the same minute as the referral, in the service's time zone.
    now = dt.datetime.now(ZoneInfo("Europe/London"))
    page.get_by_label("Date", exact=True).fill(now.date().isoformat())
    page.get_by_label("Time").fill(now.strftime("%H:%M"))
    page.get_by_label("What happened").fill("Visited Robin and family at home.")
    axe_check(page)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "Awaiting triage" in page.get_by_role("heading", level=1).inner_text()

    page.get_by_role("link", name="Triage and allocate services").click()
    axe_check(page)
    page.get_by_label("Parenting programme").check()
    page.get_by_label("Mediation").check()
    page.get_by_label("If a service is full, add the family to its waiting list").check()
    page.get_by_role("button", name="Allocate").click()
    page.wait_for_load_state()
    assert page.url == referral_url
    assert "Family allocated to" in page.locator(".govuk-notification-banner").inner_text()
    assert "Open" in page.get_by_role("heading", level=1).inner_text()
    services = page.locator("table", has_text="Services allocated to the family")
    assert "Parenting programme" in services.inner_text()
    # When each family joined a waiting list and started is kept for the evaluation.
    assert "Did not wait" in services.inner_text() or "Joined" in services.inner_text()
    axe_check(page)

    page.get_by_role("link", name="Close the case").click()
    page.get_by_label("Goals met: family no longer needs the service").check()
    axe_check(page)
    page.get_by_role("button", name="Close the case").click()
    page.wait_for_load_state()
    assert "Closed" in page.get_by_role("heading", level=1).inner_text()
    assert "Kept until" in page.content()
    axe_check(page)


def test_the_dashboard_and_the_evaluation_for_the_councils_analyst(page, base_url, axe_check):
    sign_in(page, base_url, "analyst@north-tyneside.demo")
    page.goto(base_url + "/edge-of-care/dashboard/")
    assert page.get_by_role("heading", level=1).inner_text() == "Edge of Care dashboard"
    targets = page.locator("[data-targets]").inner_text()
    assert "referrals received in the last 12 months" in targets
    assert "Test Street" not in page.content()  # figures only
    axe_check(page)
    page.get_by_role("link", name="Does it keep children out of care?").click()
    page.wait_for_load_state()
    heading = page.get_by_role("heading", level=1).inner_text()
    assert heading == "Does Edge of Care keep children out of care?"
    # The demo's CIN census and SSDA903 return share pseudonyms: never refused as unlinkable.
    assert "cannot be linked" not in page.content()
    axe_check(page)


def test_the_practitioner_sees_their_services_figures(page, base_url, axe_check):
    sign_in(page, base_url, "practitioner@north-tyneside.demo")
    page.goto(base_url + "/edge-of-care/")
    page.get_by_role("link", name="Figures", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Edge of Care dashboard"
    assert "Does it keep children out of care?" in page.content()
    axe_check(page)
