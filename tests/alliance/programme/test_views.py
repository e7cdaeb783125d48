"""The pages through the Django test client: who sees and changes what, GOV.UK errors, exports."""

from __future__ import annotations

import datetime as dt

import pytest

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.organisations.models import Organisation
from alliance.programme.models import BudgetLine, ChangeRecord, Match, Milestone, SpendEntry
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
    dfe = pf.dfe()
    people = {
        "lead": factories.user(Role.ALLIANCE_LEAD, tyneside.alliance),
        "other_lead": factories.user(Role.ALLIANCE_LEAD, essex.alliance),
        "supported_analyst": factories.user(
            Role.COUNCIL_ANALYST, factories.council("394").organisation
        ),
        "supported_leader": factories.user(
            Role.COUNCIL_LEADER, factories.council("394").organisation
        ),
        "dfe": factories.user(Role.DFE_ANALYST, dfe),
        "admin": factories.user(Role.ADMINISTRATOR, dfe),
        "practitioner": factories.user(
            Role.COUNCIL_PRACTITIONER, factories.council("392").organisation
        ),
    }
    return {
        "prog": prog,
        "tyneside": tyneside,
        "essex": essex,
        "ours": ours,
        "theirs": theirs,
        "line": line,
        **people,
    }


def _as(client, user):
    client.force_login(user)
    return client


def test_the_lead_sees_their_engagements_and_not_another_alliances(client, world):
    c = _as(client, world["lead"])
    assert c.get(f"/programme/engagements/{world['ours'].pk}/").status_code == 200
    response = c.get(f"/programme/engagements/{world['theirs'].pk}/")
    assert response.status_code == 404
    assert AuditEvent.objects.filter(
        action="access-denied", user_id=world["lead"].pk, object_id=str(world["theirs"].pk)
    ).exists()
    listing = c.get("/programme/engagements/").content.decode()
    assert "Sunderland" in listing
    assert "Hartlepool" not in listing


def test_viewing_an_engagement_is_audited(client, world):
    _as(client, world["lead"]).get(f"/programme/engagements/{world['ours'].pk}/")
    assert AuditEvent.objects.filter(
        action="view", object_type="programme.Engagement", object_id=str(world["ours"].pk)
    ).exists()


def test_the_supported_council_sees_its_own_engagement_but_cannot_change_it(client, world):
    c = _as(client, world["supported_analyst"])
    assert c.get(f"/programme/engagements/{world['ours'].pk}/").status_code == 200
    assert c.get(f"/programme/engagements/{world['theirs'].pk}/").status_code == 404
    leader = _as(client, world["supported_leader"])
    response = leader.post(
        f"/programme/engagements/{world['ours'].pk}/milestones/new/",
        {"title": "Sneaky", "owner": "Me", "due": "2019-01-01", "rag": "green"},
    )
    assert response.status_code == 403
    assert not Milestone.objects.filter(title="Sneaky").exists()
    assert AuditEvent.objects.filter(
        action="access-denied", user_id=world["supported_leader"].pk
    ).exists()


def test_the_dfe_sees_everything_and_changes_nothing(client, world):
    c = _as(client, world["dfe"])
    for e in (world["ours"], world["theirs"]):
        assert c.get(f"/programme/engagements/{e.pk}/").status_code == 200
    dashboard = c.get("/programme/").content.decode()
    assert "Test Tyneside" in dashboard
    assert "Test Essex" in dashboard
    response = c.post(
        f"/programme/engagements/{world['ours'].pk}/milestones/new/",
        {"title": "X", "owner": "Y", "due": "2019-01-01", "rag": "green"},
    )
    assert response.status_code == 403
    assert not Milestone.objects.exists()


def test_wrong_role_gets_403(client, world):
    assert _as(client, world["practitioner"]).get("/programme/").status_code == 403
    assert _as(client, world["admin"]).get("/programme/").status_code == 403
    assert _as(client, world["admin"]).get("/programme/setup/").status_code == 200
    assert _as(client, world["lead"]).get("/programme/setup/").status_code == 403


def test_a_milestone_outside_the_engagement_gets_a_govuk_error_and_is_not_saved(client, world):
    c = _as(client, world["lead"])
    url = f"/programme/engagements/{world['ours'].pk}/milestones/new/"
    response = c.post(url, {"title": "Audit", "owner": "Jo", "due": "2021-01-01", "rag": "green"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert "Due date must be within the engagement" in body
    assert "<title>Error:" in body
    assert not Milestone.objects.exists()
    response = c.post(url, {"title": "Audit", "owner": "Jo", "due": "2019-01-31", "rag": "amber"})
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    response = c.post(
        f"/programme/engagements/{world['ours'].pk}/milestones/{milestone.pk}/",
        {"title": "Audit", "owner": "Jo", "due": "2019-01-31", "rag": "red", "evidence": "Report"},
    )
    assert response.status_code == 302
    change = ChangeRecord.objects.get(object_id=str(milestone.pk), action="changed")
    assert change.changes["RAG status"] == ["Amber", "Red"]
    history = c.get(f"/programme/engagements/{world['ours'].pk}/history/").content.decode()
    assert "Amber → Red" in history


def test_another_alliances_milestone_id_in_the_url_is_404(client, world):
    other = Milestone.objects.create(
        engagement=world["theirs"], title="Theirs", owner="X", due=dt.date(2019, 1, 1)
    )
    response = _as(client, world["lead"]).post(
        f"/programme/engagements/{world['theirs'].pk}/milestones/{other.pk}/",
        {"title": "Mine now", "owner": "X", "due": "2019-01-01", "rag": "red"},
    )
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.title == "Theirs"


def test_spend_in_pounds_and_pence_is_stored_exactly(client, world):
    c = _as(client, world["lead"])
    url = f"/programme/money/{world['tyneside'].pk}/spend/new/"
    data = {
        "budget_line": world["line"].pk,
        "engagement": world["ours"].pk,
        "spent_on": "2018-07-01",
        "amount": "£1,234.56",
        "description": "Coaching",
        "evidence": "INV-1",
    }
    assert c.post(url, data).status_code == 302
    assert SpendEntry.objects.get().amount_pence == 123456


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        ("£9,000.00", "Amount must be no more than the £8,765.44 left"),
        ("-5", "Amount must be more than £0"),
        ("0", "Amount must be more than £0"),
        ("12.345", "pounds and pence"),
    ],
)
def test_bad_spend_gets_a_govuk_error_and_nothing_is_saved(client, world, amount, message):
    c = _as(client, world["lead"])
    url = f"/programme/money/{world['tyneside'].pk}/spend/new/"
    base = {
        "budget_line": world["line"].pk,
        "spent_on": "2018-07-01",
        "description": "Coaching",
        "evidence": "INV-1",
    }
    c.post(url, {**base, "amount": "1,234.56"})
    response = c.post(url, {**base, "amount": amount})
    body = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in body
    assert message in body
    assert SpendEntry.objects.count() == 1


def test_nobody_records_spend_for_another_alliance(client, world):
    response = _as(client, world["other_lead"]).post(
        f"/programme/money/{world['tyneside'].pk}/spend/new/",
        {
            "budget_line": world["line"].pk,
            "spent_on": "2018-07-01",
            "amount": "10",
            "description": "x",
            "evidence": "y",
        },
    )
    assert response.status_code == 404
    assert not SpendEntry.objects.exists()


def test_spend_exports_to_excel_for_those_who_may_export(client, world):
    response = _as(client, world["lead"]).get(
        f"/programme/money/export.xlsx?programme={world['prog'].pk}"
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(response.streaming_content)[:2] == b"PK"
    assert AuditEvent.objects.filter(action="export", user_id=world["lead"].pk).exists()
    assert (
        _as(client, world["supported_analyst"]).get("/programme/money/export.xlsx").status_code
        == 403
    )


def test_dashboard_csv_has_only_what_the_person_sees(client, world):
    body = (
        _as(client, world["lead"])
        .get(f"/programme/dashboard.csv?programme={world['prog'].pk}")
        .getvalue()
        .decode()
    )
    assert "Sunderland" in body
    assert "Hartlepool" not in body
    body = (
        _as(client, world["dfe"])
        .get(f"/programme/dashboard.csv?programme={world['prog'].pk}")
        .getvalue()
        .decode()
    )
    assert "Sunderland" in body
    assert "Hartlepool" in body


def test_needs_page_shows_reasons_and_refuses_bad_weights(client, world):
    c = _as(client, world["dfe"])
    body = c.get(f"/programme/setup/{world['prog'].pk}/needs/?as_at=2018-03-16").content.decode()
    assert "Overall judgement inadequate" in body
    body = c.get(f"/programme/setup/{world['prog'].pk}/needs/?declined=lots").content.decode()
    assert "There is a problem" in body
    assert "must be a number" in body
    detail = c.get(f"/programme/setup/{world['prog'].pk}/needs/394/").content.decode()
    assert "No returns uploaded yet" in detail


def test_a_person_confirms_a_match_and_capacity_is_enforced(client, world):
    c = _as(client, world["admin"])
    essex = world["essex"]
    essex.capacity = 2
    essex.save()
    url = f"/programme/setup/{world['prog'].pk}/matching/?as_at=2018-03-16"
    page = c.get(url)
    assert page.status_code == 200
    assert "places left" in page.content.decode()
    council = factories.council("330")  # Birmingham, inadequate in 2018
    response = c.post(url, {"council": council.pk, "partner": essex.pk})
    assert response.status_code == 302
    match = Match.objects.get(council=council)
    assert match.confirmed_by == world["admin"]
    assert match.reasons
    assert match.need.reasons
    assert AuditEvent.objects.filter(action="create", object_type="programme.Match").exists()
    response = c.post(url, {"council": factories.council("201").pk, "partner": essex.pk})
    assert response.status_code == 400
    assert "no places left" in response.content.decode()
    assert Match.objects.filter(partner=essex).count() == 2


def test_an_alliance_lead_cannot_confirm_matches(client, world):
    # Birmingham is outside the lead's region (North East): refused, and nothing is matched
    response = _as(client, world["lead"]).post(
        f"/programme/setup/{world['prog'].pk}/matching/",
        {"council": factories.council("330").pk, "partner": world["tyneside"].pk},
    )
    assert response.status_code == 400
    assert not Match.objects.filter(council__dfe_code="330").exists()
    # in their region the lead proposes; only the DfE's confirmation makes the match
    response = _as(client, world["lead"]).post(
        f"/programme/setup/{world['prog'].pk}/matching/",
        {"council": factories.council("806").pk, "partner": world["tyneside"].pk},
    )
    assert response.status_code == 302
    assert not Match.objects.filter(council__dfe_code="806").exists()


def test_setup_partner_grant_shares_cannot_exceed_the_grant(client, world):
    c = _as(client, world["admin"])
    alliance = factories.alliance("356", name="Test Stockport")
    response = c.post(
        f"/programme/setup/{world['prog'].pk}/partners/new/",
        {"alliance": alliance.pk, "grant_share": "£14,000,000", "capacity": "10"},
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Grant share must be no more than the £13,000,000 left" in body
    response = c.post(
        f"/programme/setup/{world['prog'].pk}/partners/new/",
        {"alliance": alliance.pk, "grant_share": "£1,500,000.50", "capacity": "10"},
    )
    assert response.status_code == 302
    assert world["prog"].partners.get(alliance=alliance).grant_share_pence == 150_000_050


def test_starting_an_engagement_that_overlaps_is_refused(client, world):
    c = _as(client, world["lead"])
    later = pf.programme(name="Later")
    partner = pf.partner(later, "392", name="Test Tyneside again")
    partner.alliance = world["tyneside"].alliance
    partner.save()
    match = pf.match(partner, "394")
    response = c.post(
        f"/programme/matches/{match.pk}/start/", {"starts": "2019-01-01", "ends": "2019-12-31"}
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "dates must not overlap" in body


def test_budget_line_form_refuses_negative(client, world):
    response = _as(client, world["lead"]).post(
        f"/programme/money/{world['tyneside'].pk}/lines/new/",
        {"kind": "support", "name": "X", "amount": "-10"},
    )
    assert "Budget must be £0 or more" in response.content.decode()
    assert BudgetLine.objects.count() == 1


def test_demo_loader_makes_the_2018_wave(reference_data):
    from alliance.programme import demo
    from alliance.programme.models import Programme

    message = demo.load()
    assert "9 real partners" in message
    prog = Programme.objects.get(name=demo.WAVE_2018)
    assert prog.is_demo
    names = set(prog.partners.values_list("alliance__name", flat=True))
    assert "Tyneside Alliance" in names
    assert len(names) == 9
    tyneside = Organisation.objects.get(slug="tyneside-alliance")
    assert set(tyneside.alliance_members.values_list("council__dfe_code", flat=True)) >= {
        "392",
        "393",
    }
    from alliance.nationalpicture.services import latest_judgements

    latest = latest_judgements(demo.ANNOUNCED)
    for match in prog.matches.all():
        assert latest[match.council_id].overall in ("requires-improvement", "inadequate")
    counts = list(prog.partners.values_list("capacity", flat=True))
    assert counts == [demo.PER_PARTNER_2018] * 9
    # a handful each, so many councils below good at the time were not supported
    below_good = sum(
        1 for j in latest.values() if j.overall in ("requires-improvement", "inadequate")
    )
    assert prog.matches.count() == 9 * demo.PER_PARTNER_2018 < below_good - 40
    # £15m split nine ways: the shares add up to the grant to the penny
    shares = list(prog.partners.values_list("grant_share_pence", flat=True))
    assert sum(shares) == prog.grant_total_pence == 1_500_000_000
    budgets = BudgetLine.objects.filter(partner__programme=prog).values_list(
        "amount_pence", flat=True
    )
    assert sum(budgets) == prog.grant_total_pence
    # The 2018 wave is over: every quarter's spend report is in, and all its spend reported.
    from alliance.programme.models import PlannedSpend, SpendReport

    assert SpendReport.objects.filter(partner__programme=prog).count() == 9 * 8
    assert not SpendEntry.objects.filter(
        budget_line__partner__programme=prog, reported_in__isnull=True
    ).exists()
    for line in BudgetLine.objects.filter(partner__programme=prog, kind="innovation"):
        planned = PlannedSpend.objects.filter(budget_line=line).values_list(
            "amount_pence", flat=True
        )
        assert sum(planned) == line.amount_pence
    assert demo.load().endswith("already loaded")
