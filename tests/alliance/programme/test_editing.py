"""Changing and removing what was saved, through the pages: the owner only, the same rules as
when it was created, GOV.UK errors, nothing half-saved, and every edit in the history."""

from __future__ import annotations

import datetime as dt

import pytest

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.programme.models import (
    Activity,
    ChangeRecord,
    Engagement,
    Milestone,
    Priority,
    QuarterlyReview,
    SpendEntry,
)
from alliance.programme.services.engagements import (
    close_engagement,
    save_activity,
    save_milestone,
    save_priority,
)
from alliance.programme.services.money import save_spend
from tests import factories
from tests.alliance.programme import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data):
    prog = pf.programme()
    tyneside = pf.partner(prog, "392", "393", name="Test Tyneside")
    essex = pf.partner(prog, "881", name="Test Essex")
    ours = pf.engagement(tyneside, "394")  # Sunderland
    theirs = pf.engagement(essex, "805")  # Hartlepool
    line = pf.budget_line(tyneside, amount=10_000_00)
    lead = factories.user(Role.ALLIANCE_LEAD, tyneside.alliance)
    milestone = save_milestone(
        Milestone(
            engagement=ours, title="Audit", owner="Jo", due=dt.date(2019, 1, 31), rag="green"
        ),
        user=lead,
    )
    spend = save_spend(
        SpendEntry(
            budget_line=line,
            engagement=ours,
            spent_on=dt.date(2018, 7, 1),
            amount_pence=4_000_00,
            description="Coaching",
            evidence="INV-1",
        ),
        user=lead,
    )
    return {
        "prog": prog,
        "tyneside": tyneside,
        "essex": essex,
        "ours": ours,
        "theirs": theirs,
        "line": line,
        "milestone": milestone,
        "spend": spend,
        "lead": lead,
        "other_lead": factories.user(Role.ALLIANCE_LEAD, essex.alliance),
        "supported_leader": factories.user(
            Role.COUNCIL_LEADER, factories.council("394").organisation
        ),
        "dfe": factories.user(Role.DFE_ANALYST, pf.dfe()),
    }


def _as(client, user):
    client.force_login(user)
    return client


MILESTONE = {"title": "Audit", "owner": "Jo", "due": "2019-01-31", "rag": "amber", "evidence": ""}


def test_the_lead_moves_a_milestones_rag_and_the_history_shows_before_and_after(client, world):
    c = _as(client, world["lead"])
    url = f"/programme/records/milestones/{world['milestone'].pk}/"
    page = c.get(url).content.decode()
    assert 'value="Audit"' in page
    assert "Remove it" in page
    response = c.post(url, MILESTONE | {"evidence": "Minutes of March board"})
    assert response.status_code == 302
    assert response["Location"].endswith(f"/programme/engagements/{world['ours'].pk}/#milestones")
    change = ChangeRecord.objects.get(object_id=str(world["milestone"].pk), action="changed")
    assert change.changes["RAG status"] == ["Green", "Amber"]
    assert change.changes["evidence"] == ["", "Minutes of March board"]
    assert change.username == world["lead"].get_username()
    history = c.get(f"/programme/engagements/{world['ours'].pk}/history/").content.decode()
    assert "Green → Amber" in history


def test_a_change_that_breaks_a_rule_gets_a_govuk_error_and_nothing_changes(client, world):
    c = _as(client, world["lead"])
    response = c.post(
        f"/programme/records/milestones/{world['milestone'].pk}/", MILESTONE | {"due": "2021-06-01"}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Due date must be within the engagement" in body
    world["milestone"].refresh_from_db()
    assert world["milestone"].due == dt.date(2019, 1, 31)
    assert world["milestone"].rag == "green"
    assert not ChangeRecord.objects.filter(action="changed").exists()


def test_only_the_owning_alliance_changes_or_removes_a_record(client, world):
    url = f"/programme/records/milestones/{world['milestone'].pk}/"
    # The supported council sees the engagement but does not edit the partner's records.
    response = _as(client, world["supported_leader"]).post(url, MILESTONE)
    assert response.status_code == 403
    response = client.post(url + "remove/", {"reason": "Mine"})
    assert response.status_code == 403
    # Another alliance does not even learn it exists; the attempt is audited.
    response = _as(client, world["other_lead"]).post(url, MILESTONE)
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="access-denied", user_id=world["other_lead"].pk
    ).exists()
    # The DfE sees everything and changes nothing.
    assert _as(client, world["dfe"]).post(url, MILESTONE).status_code == 403
    spend_url = f"/programme/records/spend/{world['spend'].pk}/"
    assert client.post(spend_url, {}).status_code == 403
    world["milestone"].refresh_from_db()
    assert world["milestone"].rag == "green"
    assert Milestone.objects.filter(pk=world["milestone"].pk).exists()


def test_removing_needs_a_reason_and_the_history_keeps_what_it_said(client, world):
    c = _as(client, world["lead"])
    url = f"/programme/records/milestones/{world['milestone'].pk}/remove/"
    page = c.get(url).content.decode()
    assert "Remove this milestone?" in page
    response = c.post(url, {"reason": "  "})
    assert "Enter why it is being removed" in response.content.decode()
    assert Milestone.objects.filter(pk=world["milestone"].pk).exists()
    response = c.post(url, {"reason": "Entered twice"})
    assert response.status_code == 302
    assert not Milestone.objects.filter(pk=world["milestone"].pk).exists()
    removed = ChangeRecord.objects.get(action="removed")
    assert removed.changes["title"] == ["Audit", ""]
    assert removed.changes["Reason"] == ["", "Entered twice"]
    assert AuditEvent.objects.filter(
        action="delete", object_type="programme.Milestone", object_id=str(world["milestone"].pk)
    ).exists()
    history = c.get(f"/programme/engagements/{world['ours'].pk}/history/").content.decode()
    assert "Entered twice" in history


def test_priorities_activities_and_reviews_are_changed_the_same_way(client, world):
    c = _as(client, world["lead"])
    priority = save_priority(
        Priority(plan=world["ours"].plan, ofsted_area="care_leavers", description="Pathway plans"),
        user=world["lead"],
    )
    activity = save_activity(
        Activity(
            engagement=world["ours"],
            kind="coaching",
            held_on=dt.date(2018, 9, 1),
            people="Two team managers",
            hours=3,
        ),
        user=world["lead"],
    )
    response = c.post(
        f"/programme/records/priorities/{priority.pk}/",
        {"ofsted_area": "children_in_care", "description": "Pathway plans"},
    )
    assert response.status_code == 302
    response = c.post(
        f"/programme/records/activities/{activity.pk}/",
        {"kind": "coaching", "held_on": "2018-09-01", "people": "Two team managers", "hours": "0"},
    )
    assert "Hours must be more than 0" in response.content.decode()
    response = c.post(
        f"/programme/records/activities/{activity.pk}/",
        {
            "kind": "coaching",
            "held_on": "2018-09-02",
            "people": "Two team managers",
            "hours": "4.5",
        },
    )
    assert response.status_code == 302
    review = QuarterlyReview.objects.filter(engagement=world["ours"]).first()
    data = {"held_on": "2018-09-03", "rag": "amber", "notes": "On track"}
    assert c.post(f"/programme/records/reviews/{review.pk}/", data).status_code == 302
    assert (
        c.post(f"/programme/records/reviews/{review.pk}/", data | {"rag": "red"}).status_code == 302
    )
    # A scheduled review is not removed.
    assert (
        "cannot be removed"
        in c.get(f"/programme/records/reviews/{review.pk}/remove/").content.decode()
    )
    kinds = set(ChangeRecord.objects.filter(action="changed").values_list("object_type", flat=True))
    assert kinds == {"priority", "activity", "quarterly review"}
    review_change = ChangeRecord.objects.filter(object_type="quarterly review").first()
    assert review_change.changes["overall RAG"] == ["Amber", "Red"]
    activity.refresh_from_db()
    assert str(activity.hours) == "4.5"


def test_a_closed_engagements_records_stay_as_they_were(client, world):
    c = _as(client, world["lead"])
    close_engagement(
        world["ours"], closed_on=dt.date(2020, 3, 1), impact_summary="Done", user=world["lead"]
    )
    url = f"/programme/records/milestones/{world['milestone'].pk}/"
    response = c.post(url, MILESTONE)
    assert response.status_code == 302
    world["milestone"].refresh_from_db()
    assert world["milestone"].rag == "green"
    c.post(url + "remove/", {"reason": "Tidy"})
    assert Milestone.objects.filter(pk=world["milestone"].pk).exists()


SPEND = {
    "engagement": "",
    "spent_on": "2018-07-01",
    "description": "Coaching",
    "evidence": "INV-1",
}


def test_correcting_spend_keeps_within_the_budget_and_is_exact(client, world):
    c = _as(client, world["lead"])
    url = f"/programme/records/spend/{world['spend'].pk}/"
    data = SPEND | {"budget_line": world["line"].pk}
    # £10,000 budget, £4,000 spent by this very entry: it may rise to £10,000, not beyond.
    response = c.post(url, data | {"amount": "10,000.01"})
    assert "no more than the £10,000 left" in response.content.decode()
    response = c.post(url, data | {"amount": "-5"})
    assert "must be more than £0" in response.content.decode()
    world["spend"].refresh_from_db()
    assert world["spend"].amount_pence == 4_000_00
    response = c.post(url, data | {"amount": "£4,123.45"})
    assert response.status_code == 302
    world["spend"].refresh_from_db()
    assert world["spend"].amount_pence == 4_123_45
    change = ChangeRecord.objects.get(object_type="spend entry", action="changed")
    assert change.changes["amount"] == ["£4,000.00", "£4,123.45"]


def test_budget_line_cannot_drop_below_spend_or_be_removed_while_it_has_spend(client, world):
    c = _as(client, world["lead"])
    url = f"/programme/records/budget-lines/{world['line'].pk}/"
    response = c.post(url, {"kind": "support", "name": "Support", "amount": "3,999.99"})
    assert "less than the £4,000 already spent" in response.content.decode()
    page = c.get(url + "remove/").content.decode()
    assert "can be removed only when it has none" in page
    assert c.post(url + "remove/", {"reason": "x"}).status_code == 200
    world["line"].refresh_from_db()
    assert world["line"].amount_pence == 10_000_00
    c.post(f"/programme/records/spend/{world['spend'].pk}/remove/", {"reason": "Wrong line"})
    assert not SpendEntry.objects.exists()
    assert c.post(url + "remove/", {"reason": "Not needed"}).status_code == 302
    assert ChangeRecord.objects.filter(object_type="budget line", action="removed").exists()


def test_engagement_dates_move_with_the_rules_of_starting_one(client, world):
    c = _as(client, world["lead"])
    url = f"/programme/records/engagements/{world['ours'].pk}/"
    # Sunderland gets a second, later engagement (with Essex) from April 2020 in a longer programme.
    world["prog"].ends = dt.date(2021, 3, 31)
    world["prog"].save()
    later = Engagement.objects.create(
        programme=world["prog"],
        partner=world["essex"],
        alliance_id=world["essex"].alliance_id,
        supported_council=world["ours"].supported_council,
        starts=dt.date(2020, 6, 1),
        ends=dt.date(2021, 3, 1),
    )
    response = c.post(url, {"starts": "2018-08-01", "ends": "2020-07-01"})
    assert "dates must not overlap" in response.content.decode()
    response = c.post(url, {"starts": "2018-06-01", "ends": "2020-06-03"})
    assert "within two years" in response.content.decode()
    # The milestone due 31 January 2019 would fall outside: refused, with the count.
    response = c.post(url, {"starts": "2019-02-01", "ends": "2020-03-31"})
    assert "1 milestone would fall outside" in response.content.decode()
    world["ours"].refresh_from_db()
    assert world["ours"].starts == dt.date(2018, 6, 1)
    response = c.post(url, {"starts": "2018-06-01", "ends": "2019-12-31"})
    assert response.status_code == 302
    world["ours"].refresh_from_db()
    assert world["ours"].ends == dt.date(2019, 12, 31)
    dues = list(world["ours"].reviews.values_list("due", flat=True))
    assert max(dues) <= dt.date(2019, 12, 31)
    assert len(dues) == 6  # every three months from 1 June 2018 to the new end
    change = ChangeRecord.objects.get(object_type="engagement", action="changed")
    assert change.changes["ends"] == ["2020-03-31", "2019-12-31"]
    assert later.pk != world["ours"].pk
    # The supported council sees the engagement but cannot move it.
    response = _as(client, world["supported_leader"]).post(
        url, {"starts": "2018-06-01", "ends": "2019-06-30"}
    )
    assert response.status_code == 403


def test_the_dfe_moves_or_withdraws_a_match_before_its_engagement_starts(client, world):
    prog = world["prog"]
    waiting = pf.match(world["tyneside"], "806")  # Middlesbrough
    full = pf.partner(prog, "878", capacity=1, name="Test Full")
    pf.match(full, "807")
    c = _as(client, world["dfe"])
    url = f"/programme/setup/{prog.pk}/matches/{waiting.pk}/"
    assert "Move or withdraw" in c.get(f"/programme/setup/{prog.pk}/").content.decode()
    response = c.post(url, {"partner": full.pk})
    assert "has no places left" in response.content.decode()
    waiting.refresh_from_db()
    assert waiting.partner == world["tyneside"]
    assert c.post(url, {"partner": world["essex"].pk}).status_code == 302
    waiting.refresh_from_db()
    assert waiting.partner == world["essex"]
    assert ChangeRecord.objects.get(object_type="match", action="changed").changes["partner"] == [
        "Test Tyneside",
        "Test Essex",
    ]
    # A started engagement keeps its match.
    started = world["ours"].match
    response = c.post(
        f"/programme/setup/{prog.pk}/matches/{started.pk}/", {"partner": world["essex"].pk}
    )
    assert "has started" in response.content.decode()
    # Withdrawn with the reason; an alliance lead has no say in set-up.
    withdraw = url + "withdraw/"
    assert _as(client, world["lead"]).post(withdraw, {"reason": "x"}).status_code == 403
    response = _as(client, world["dfe"]).post(withdraw, {"reason": "Council declined support"})
    assert response.status_code == 302
    assert not waiting.__class__.objects.filter(pk=waiting.pk).exists()
    removed = ChangeRecord.objects.get(object_type="match", action="removed")
    assert removed.changes["Reason"] == ["", "Council declined support"]


def test_change_and_remove_links_are_offered_only_to_the_owner(client, world):
    url = f"/programme/engagements/{world['ours'].pk}/"
    mine = _as(client, world["lead"]).get(url).content.decode()
    assert f"/programme/records/milestones/{world['milestone'].pk}/remove/" in mine
    assert f"/programme/records/engagements/{world['ours'].pk}/" in mine
    theirs = _as(client, world["supported_leader"]).get(url).content.decode()
    assert "Audit" in theirs
    assert "/programme/records/" not in theirs
    assert "/programme/money/lines/" not in theirs  # the partner's money is not theirs to see
