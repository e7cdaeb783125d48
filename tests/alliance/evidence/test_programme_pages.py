"""The Insight pages that use the programme's records: "Did support work?", practice that
worked and the ministers' briefing. DfE analysts and administrators only, every view audited."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from openpyxl import load_workbook

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.common.numbers import MINUS
from alliance.evidence import figures
from alliance.programme.models import PracticeItem, SpendEntry
from insight.judgements import load_history
from insight.precomputed import Figures, build, save
from tests import factories
from tests.alliance.programme import factories as programme_factories
from tests.alliance.test_page_text_style import _Text, findings_in

PAGES = ("insight:support", "insight:practice", "insight:briefing", "insight:briefing_download")
ALLOWED = {Role.DFE_ANALYST, Role.ADMINISTRATOR}
# Councils judged requires improvement or inadequate on 1 June 2018, with every published
# measure for 2017: Lambeth, Lewisham, Tower Hamlets, Wandsworth, Barnet, Bromley.
SUPPORTED = ("208", "209", "211", "212", "302", "305")


@pytest.fixture(scope="module")
def computed() -> Figures:
    return build(load_history(django_settings.SHARED_DATA_DIR))


@pytest.fixture
def stored(settings, tmp_path: Path, computed: Figures) -> Figures:
    settings.CACHE_DIR = tmp_path
    save(computed, figures.path())
    return computed


@pytest.fixture
def supported(db):
    prog = programme_factories.programme(name="Test wave", is_demo=True)
    partner = programme_factories.partner(prog, "392", "393", name="Test Tyneside alliance")
    made = [
        programme_factories.engagement(partner, code, starts=dt.date(2018, 6, 1))
        for code in SUPPORTED
    ]
    line = programme_factories.budget_line(partner)
    SpendEntry.objects.create(
        budget_line=line,
        engagement=made[0],
        spent_on=dt.date(2018, 7, 1),
        amount_pence=123_456,
        description="Practice lead time",
        evidence="INV-1",
    )
    item = PracticeItem.objects.create(
        organisation=partner.alliance,
        title="Family group conferencing at the front door",
        summary="How it works.",
        ofsted_areas=["help_and_protection"],
    )
    item.engagements.add(made[0])
    return prog


def _read(response) -> bytes:
    """The whole body. A download is read to its end, which closes its file the way the test
    client expects (closing the response by hand would also close the database connection)."""
    return b"".join(response.streaming_content) if response.streaming else response.content


def _dfe_analyst():
    return factories.user(Role.DFE_ANALYST, programme_factories.dfe())


def test_signed_out_visitors_are_sent_to_sign_in(client, stored) -> None:
    for page in PAGES:
        response = client.get(reverse(page))
        assert response.status_code == 302, page
        assert reverse("accounts:sign-in") in response["Location"]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_only_dfe_analysts_and_administrators_see_them(db, client, stored, role) -> None:
    client.force_login(factories.user(role, factories.organisation()))
    for page in PAGES:
        response = client.get(reverse(page))
        assert response.status_code == (200 if role in ALLOWED else 403), page
        _read(response)


def test_every_view_and_download_is_audited(db, client, stored, supported) -> None:
    person = _dfe_analyst()
    client.force_login(person)
    for page in PAGES:
        response = client.get(reverse(page))
        assert response.status_code == 200
        _read(response)
    events = AuditEvent.objects.filter(user_id=person.pk, object_type="insight page")
    assert sorted(events.values_list("object_repr", flat=True)) == sorted(
        [
            "Did support work?",
            "Practice that worked",
            "Briefing for ministers",
            "Briefing for ministers (Excel)",
        ]
    )
    assert events.filter(action=AuditEvent.Action.DOWNLOAD).count() == 1


def test_refusals_are_audited(db, client, stored) -> None:
    person = factories.user(Role.COUNCIL_ANALYST, factories.organisation())
    client.force_login(person)
    assert client.get(reverse("insight:briefing")).status_code == 403
    assert AuditEvent.objects.filter(
        user_id=person.pk, action=AuditEvent.Action.ACCESS_DENIED
    ).exists()


def test_support_page_compares_the_supported_councils_and_says_the_matches_are_the_demos(
    client, stored, supported
) -> None:
    client.force_login(_dfe_analyst())
    text = client.get(reverse("insight:support")).content.decode()
    assert "Test wave" in text
    assert "the demo's own matches, not the councils the DfE funded" in text
    assert "6 councils supported; 6 matched with a comparison council" in text
    for name in ("Lambeth", "Lewisham", "Tower Hamlets", "Wandsworth", "Barnet", "Bromley"):
        assert name in text
    assert "Judged good or better within 4 years" in text
    assert "Before matching" in text
    assert "After matching" in text
    assert "observational comparison, not a trial" in text


def test_support_page_with_no_programme_says_so(db, client, stored) -> None:
    client.force_login(_dfe_analyst())
    assert (
        "No programme has engagements yet."
        in client.get(reverse("insight:support")).content.decode()
    )


def test_practice_page_shows_each_item_with_the_councils_before_and_after(
    client, stored, supported
) -> None:
    client.force_login(_dfe_analyst())
    text = client.get(reverse("insight:practice")).content.decode()
    assert "Family group conferencing at the front door" in text
    assert "Test Tyneside alliance" in text
    assert "Lambeth" in text
    # Lambeth: requires improvement published 9 May 2018, then good in 2022 (real judgements).
    assert "Requires improvement to be good (9 May 2018)" in text
    assert "Evidence level" in text
    assert "Not recorded yet" in text


def test_withdrawn_practice_is_left_out(client, stored, supported) -> None:
    PracticeItem.objects.update(withdrawn_at=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    client.force_login(_dfe_analyst())
    text = client.get(reverse("insight:practice")).content.decode()
    assert "Family group conferencing" not in text
    assert "The practice library is empty." in text


def test_briefing_page_and_workbook_give_the_same_dated_sourced_figures(
    client, stored, supported
) -> None:
    client.force_login(_dfe_analyst())
    page = client.get(reverse("insight:briefing")).content.decode()
    assert "evidence/briefing.css" in page
    assert (
        page.count('<svg class="app-chart') == 1
    )  # the national share over time, drawn above its table
    response = client.get(reverse("insight:briefing_download"))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(_read(response)))
    cells = [
        str(c) for row in book.active.iter_rows(values_only=True) for c in row if c is not None
    ]
    for title in (
        "Councils judged requires improvement or inadequate",
        "How soon councils are judged good or better",
        "The improvement programme: portfolio and spend",
        "Did support work?",
    ):
        assert title in page
        assert title in cells
    assert sum(c.startswith("Source: ") for c in cells) == 4
    assert sum(c.startswith("As at: ") for c in cells) == 4
    # The national share on the last day, as stored, in both.
    last = stored.national[-1]
    share = f"{100 * last.share:.0f}%"
    assert share in cells
    assert share in page
    # The programme's grant and spend, in pounds.
    assert "£15,000,000" in cells
    assert "£1,234.56" in cells
    assert "£1,234.56" in page
    assert "No spend report yet" in cells  # not £0: nothing has been reported


def test_the_public_page_links_to_these_pages_only_for_those_who_may_see_them(
    db, client, stored
) -> None:
    link = reverse("insight:briefing")
    assert link not in client.get(reverse("insight:improvement")).content.decode()
    client.force_login(factories.user(Role.COUNCIL_LEADER, factories.organisation()))
    assert link not in client.get(reverse("insight:improvement")).content.decode()
    client.force_login(_dfe_analyst())
    assert link in client.get(reverse("insight:improvement")).content.decode()


def test_support_page_writes_negative_figures_with_a_minus_sign(client, stored, supported) -> None:
    """The GOV.UK style guide writes "−16.7%", not "-16.7%": a hyphen reads as a dash. These
    pairs have falls (and groups less alike after matching), so there are negatives to write."""
    client.force_login(_dfe_analyst())
    page = _Text()
    page.feed(client.get(reverse("insight:support")).content.decode())
    text = page.text()
    assert re.search(MINUS + r"\d", text)
    assert [f for f in findings_in(text) if f.startswith("hyphen for a minus sign")] == []
