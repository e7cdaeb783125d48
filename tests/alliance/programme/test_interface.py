"""The programme's interface for the Insight app: practice that worked and the briefing's money."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from alliance.access.roles import Role
from alliance.programme import interface
from alliance.programme.models import EvidenceLevel, PracticeItem, SpendEntry
from tests import factories
from tests.alliance.programme import factories as pf
from tests.alliance.programme.test_views import world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _item(world, level=EvidenceLevel.LEVEL_3, **fields):  # noqa: F811
    item = PracticeItem.objects.create(
        organisation=world["tyneside"].alliance,
        title=fields.pop("title", "Family group conferences"),
        summary="What we did",
        ofsted_areas=["care_leavers"],
        evidence_level=level,
        **fields,
    )
    return item


def test_practice_lists_the_engagements_that_used_it_as_far_as_the_reader_may_see(world):  # noqa: F811
    item = _item(world)
    item.engagements.add(world["ours"], world["theirs"])
    for_dfe = interface.practice_that_worked(world["dfe"])
    assert [p.title for p in for_dfe] == ["Family group conferences"]
    found = for_dfe[0]
    assert found.publisher == "Test Tyneside"
    assert found.ofsted_areas == ("Care leavers",)
    assert found.evidence_level == "level-3"
    assert found.evidence_level_label.startswith("Level 3")
    assert not found.evidence_confirmed
    assert {(u.council, u.alliance, u.starts) for u in found.used_in} == {
        ("Sunderland", "Test Tyneside", dt.date(2018, 6, 1)),
        ("Hartlepool", "Test Essex", dt.date(2018, 6, 1)),
    }
    # the Essex lead sees the item, but not which of Tyneside's councils used it
    for_essex = interface.practice_that_worked(world["other_lead"])
    assert [u.council for u in for_essex[0].used_in] == ["Hartlepool"]
    # someone with no part in the programme sees nothing
    assert interface.practice_that_worked(world["practitioner"]) == []


def test_practice_is_filtered_by_level_confirmation_and_withdrawal(world):  # noqa: F811
    _item(world, EvidenceLevel.LEVEL_2, title="Preliminary")
    _item(
        world,
        EvidenceLevel.LEVEL_4,
        title="Confirmed",
        evidence_confirmed_at=timezone.now(),
        evidence_confirmed_by_name="dfe@example.org",
    )
    _item(world, EvidenceLevel.LEVEL_4, title="Gone", withdrawn_at=timezone.now())
    titles = {p.title for p in interface.practice_that_worked(world["dfe"])}
    assert titles == {"Preliminary", "Confirmed"}
    stronger = interface.practice_that_worked(world["dfe"], at_least=EvidenceLevel.LEVEL_3)
    assert [p.title for p in stronger] == ["Confirmed"]
    confirmed = interface.practice_that_worked(world["dfe"], confirmed_only=True)
    assert [(p.title, p.evidence_confirmed_by) for p in confirmed] == [
        ("Confirmed", "dfe@example.org")
    ]
    everything = interface.practice_that_worked(world["dfe"], include_withdrawn=True)
    assert {p.title for p in everything} == {"Preliminary", "Confirmed", "Gone"}
    with pytest.raises(ValueError, match="Not an evidence level"):
        interface.practice_that_worked(world["dfe"], at_least="level-9")


def test_practice_takes_a_fixed_number_of_queries(world, django_assert_num_queries):  # noqa: F811
    for n in range(5):
        _item(world, title=f"Item {n}").engagements.add(world["ours"])
    with django_assert_num_queries(3):  # memberships, items, their visible engagements
        assert len(interface.practice_that_worked(world["dfe"])) == 5


def test_the_briefing_gives_grant_spend_and_forecast_by_alliance_as_at_a_day(world):  # noqa: F811
    line = world["line"]  # Tyneside's £10,000 line, no profile: forecast spread evenly
    SpendEntry.objects.create(
        budget_line=line,
        spent_on=dt.date(2018, 7, 1),
        amount_pence=1_234_56,
        description="Peer review",
        evidence="INV-1",
    )
    SpendEntry.objects.create(
        budget_line=line,
        spent_on=dt.date(2019, 7, 1),
        amount_pence=500_00,
        description="Later",
        evidence="INV-2",
    )
    on = dt.date(2019, 3, 31)  # the end of the programme's first year
    [portfolio] = interface.portfolio_and_spend(world["dfe"], on=on)
    assert portfolio.name == "Test programme"
    assert portfolio.as_at == on
    assert portfolio.grant_total_pence == 15_000_000_00
    by_name = {a.alliance: a for a in portfolio.alliances}
    assert list(by_name) == ["Test Essex", "Test Tyneside"]
    tyneside = by_name["Test Tyneside"]
    assert tyneside.grant_pence == 1_000_000_00
    assert tyneside.budgeted_pence == 10_000_00
    assert tyneside.spent_pence == 1_234_56  # the later entry is after the day
    days = (dt.date(2020, 3, 31) - dt.date(2018, 4, 1)).days + 1
    assert tyneside.forecast_pence == 10_000_00 * 365 // days
    assert tyneside.councils == ("Sunderland",)
    assert tyneside.engagements_active == 1
    assert portfolio.spent_pence == 1_234_56
    # before any engagement started there is no council in the portfolio
    [early] = interface.portfolio_and_spend(world["dfe"], on=dt.date(2018, 5, 1))
    assert all(a.councils == () for a in early.alliances)


def test_the_briefing_shows_a_lead_only_their_own_alliance(world):  # noqa: F811
    [portfolio] = interface.portfolio_and_spend(world["lead"], on=dt.date(2019, 1, 1))
    assert [a.alliance for a in portfolio.alliances] == ["Test Tyneside"]
    outsider = factories.user(Role.COUNCIL_PRACTITIONER, factories.council("805").organisation)
    assert interface.portfolio_and_spend(outsider, on=dt.date(2019, 1, 1)) == []


def test_the_briefing_takes_a_fixed_number_of_queries(world, django_assert_num_queries):  # noqa: F811
    for code in ("800", "801", "802"):
        partner = pf.partner(world["prog"], code, name=f"Alliance {code}")
        pf.budget_line(partner)
    with django_assert_num_queries(5):  # memberships, partners, lines, profiles, engagements
        [portfolio] = interface.portfolio_and_spend(world["dfe"], on=dt.date(2019, 1, 1))
    assert len(portfolio.alliances) == 5


def test_insight_reads_engagements_totals_and_practice_only_as_far_as_the_reader_may_see(world):  # noqa: F811
    item = _item(world)
    item.engagements.add(world["ours"], world["theirs"])
    everyone = interface.engagements(world["dfe"])
    assert {(r.council_name, r.alliance) for r in everyone} == {
        ("Sunderland", "Test Tyneside"),
        ("Hartlepool", "Test Essex"),
    }
    assert [r.council_name for r in interface.engagements(world["other_lead"])] == ["Hartlepool"]
    assert interface.engagements(world["practitioner"]) == []
    dfe_totals = interface.programme_totals(world["dfe"])
    essex_totals = interface.programme_totals(world["other_lead"])
    assert sum(p.engagements for p in dfe_totals) == 2
    assert sum(p.engagements for p in essex_totals) == 1
    assert interface.programme_totals(world["practitioner"]) == []
    [practice] = interface.practice_items(world["other_lead"])
    assert [r.council_name for r in practice.engagements] == ["Hartlepool"]
    assert practice.evidence_level is not None
    assert "not yet confirmed" in practice.evidence_level
