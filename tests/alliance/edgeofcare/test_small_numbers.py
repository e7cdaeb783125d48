"""The Edge of Care dashboard shows every count to the council's own staff, and hides small
numbers from the alliance's lead and the DfE, on the page and in its CSV. The test first checks
that the council's own staff do see counts from 1 to 4 (so there is something to hide), then tries
every other role that reaches the dashboard."""

from __future__ import annotations

import csv
import io
import re

import pytest

from alliance.accounts.models import Role
from alliance.edgeofcare import figures_shown
from alliance.organisations.models import AllianceMember, Organisation
from tests import factories as core
from tests.alliance.edgeofcare import factories

pytestmark = pytest.mark.django_db

SMALL = {"1", "2", "3", "4"}


def _csv_values(client, council: Organisation) -> list[str]:
    response = client.get(f"/edge-of-care/dashboard/?council={council.pk}&format=csv")
    assert response.status_code == 200
    text = b"".join(response.streaming_content).decode()
    return [row["value"] for row in csv.DictReader(io.StringIO(text))]


def _page_numbers(client, council: Organisation) -> tuple[str, list[str]]:
    html = client.get(f"/edge-of-care/dashboard/?council={council.pk}").content.decode()
    cells = re.findall(r'govuk-table__cell--numeric">([^<]*)<', html)
    return html, [c.strip() for c in cells]


@pytest.fixture
def small_service(north):
    for urgency in ("urgent", "urgent", "immediate"):
        factories.contacted(factories.referral(north, urgency=urgency))
    factories.service(north, capacity=6)
    return north


def test_the_councils_own_staff_see_every_count(client, small_service):
    client.force_login(core.member_of(small_service, Role.COUNCIL_PRACTITIONER))
    assert SMALL & set(_csv_values(client, small_service))
    html, cells = _page_numbers(client, small_service)
    assert SMALL & set(cells)
    assert "app-chart" in html
    assert "data-small-numbers-hidden" not in html


@pytest.mark.parametrize("role", ["lead", "dfe"])
def test_others_who_may_see_the_dashboard_see_no_small_number(client, small_service, role):
    if role == "lead":
        alliance = core.alliance(name="Tyneside test alliance")
        AllianceMember.objects.create(alliance=alliance, council=small_service.council)
        person = core.member_of(alliance, Role.ALLIANCE_LEAD)
    else:
        dfe = core.organisation(Organisation.Kind.DFE)
        person = core.member_of(dfe, Role.DFE_ANALYST)
    client.force_login(person)
    values = _csv_values(client, small_service)
    assert values
    assert not SMALL & set(values)
    assert "<5" in values
    html, cells = _page_numbers(client, small_service)
    assert cells
    assert not SMALL & set(cells)
    assert "&lt;5" in cells
    assert "app-chart" not in html  # the charts would draw the hidden counts
    assert "data-small-numbers-hidden" in html
    # no percentage on time next to a hidden count: with it, one count gives the other
    assert "[c]" in cells
    assert "3 referrals in all" not in html
    assert "&lt;5 referrals in all" in html


def test_one_hidden_count_in_a_column_takes_another_with_it():
    assert figures_shown.column([7, 2, 0, 9], hide=True) == ["[c]", "<5", "0", "9"]
    assert figures_shown.column([7, 2, 3, 9], hide=True) == ["7", "<5", "<5", "9"]
    assert figures_shown.column([7, 2, 3, 9], hide=False) == ["7", "2", "3", "9"]
    assert figures_shown.column([2, 0, 0], hide=True) == ["<5", "0", "0"]


def test_an_outcome_row_with_a_hidden_count_is_hidden_whole():
    row = {
        "months": 6,
        "checked": 9,
        "at_home": 8,
        "same_school": 9,
        "in_care": 1,
        "re_referred": 0,
    }
    shown = figures_shown.shown(
        hide=True, monthly=[], targets=[], in_use=[], outcomes=[row], closures=[]
    )
    assert [shown.outcomes[0][k] for k in figures_shown.OUTCOME_COUNTS] == [
        "[c]",
        "[c]",
        "[c]",
        "<5",
        "[c]",
    ]
