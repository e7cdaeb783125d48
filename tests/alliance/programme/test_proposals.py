"""Partners and the DfE agree support together: an alliance lead sees the need ranking for their
region and proposes matches; the DfE confirms (making the match) or declines them with a reason.
Every step audited, with who and when."""

from __future__ import annotations

import pytest

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.programme.models import ChangeRecord, Match, MatchProposal
from tests import factories
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

MIDDLESBROUGH = "806"  # North East, like the lead's Tyneside councils
BIRMINGHAM = "330"  # West Midlands


def _propose(client, world, dfe_code=MIDDLESBROUGH, partner=None):  # noqa: F811
    return _as(client, world["lead"]).post(
        f"/programme/setup/{world['prog'].pk}/matching/?as_at=2018-03-16",
        {
            "council": factories.council(dfe_code).pk,
            "partner": (partner or world["tyneside"]).pk,
        },
    )


def test_a_lead_sees_the_ranking_for_their_region_only(client, world):  # noqa: F811
    lead = _as(client, world["lead"])
    page = lead.get(f"/programme/setup/{world['prog'].pk}/needs/?all=yes").content.decode()
    assert "Middlesbrough" in page
    assert "Birmingham" not in page
    assert "North East" in page
    url = f"/programme/setup/{world['prog'].pk}/needs/"
    assert lead.get(f"{url}{MIDDLESBROUGH}/").status_code == 200
    assert lead.get(f"{url}{BIRMINGHAM}/").status_code == 404
    # the DfE sees every region
    dfe_page = _as(client, world["dfe"]).get(f"{url}?all=yes").content.decode()
    assert "Birmingham" in dfe_page


def test_a_lead_of_a_programme_they_are_not_in_gets_404(client, world):  # noqa: F811
    outsider = factories.user(Role.ALLIANCE_LEAD, factories.alliance("330", name="Test Outsiders"))
    for page in ("needs/", "matching/", f"needs/{BIRMINGHAM}/"):
        response = _as(client, outsider).get(f"/programme/setup/{world['prog'].pk}/{page}")
        assert response.status_code == 404


def test_a_lead_proposes_and_nothing_is_matched_until_the_dfe_confirms(client, world):  # noqa: F811
    assert _propose(client, world).status_code == 302
    proposal = MatchProposal.objects.get()
    assert proposal.status == "proposed"
    assert proposal.proposed_by == world["lead"]
    assert proposal.proposed_at is not None
    assert proposal.partner == world["tyneside"]
    assert proposal.reasons
    assert not Match.objects.filter(council__dfe_code=MIDDLESBROUGH).exists()
    assert AuditEvent.objects.filter(
        action="create", object_type="programme.MatchProposal", user_id=world["lead"].pk
    ).exists()
    assert ChangeRecord.objects.filter(object_type="match proposal", action="proposed").exists()
    page = (
        _as(client, world["lead"])
        .get(f"/programme/setup/{world['prog'].pk}/matching/?as_at=2018-03-16")
        .content.decode()
    )
    assert "Waiting for the DfE" in page
    # the lead cannot confirm it
    response = _as(client, world["lead"]).post(
        f"/programme/setup/{world['prog'].pk}/proposals/{proposal.pk}/", {"decision": "confirm"}
    )
    assert response.status_code == 403
    proposal.refresh_from_db()
    assert proposal.status == "proposed"


def test_a_lead_proposes_only_their_own_partner_in_their_region(client, world):  # noqa: F811
    assert _propose(client, world, BIRMINGHAM).status_code == 400
    assert _propose(client, world, partner=world["essex"]).status_code == 400
    assert not MatchProposal.objects.exists()
    _propose(client, world)
    again = _propose(client, world)
    assert again.status_code == 400
    assert "already proposed" in again.content.decode()
    assert MatchProposal.objects.count() == 1


def test_the_dfe_confirms_a_proposal_and_the_match_is_made(client, world):  # noqa: F811
    _propose(client, world)
    proposal = MatchProposal.objects.get()
    dfe = _as(client, world["dfe"])
    page = dfe.get(f"/programme/setup/{world['prog'].pk}/matching/?as_at=2018-03-16")
    assert "Confirm<span" in page.content.decode()
    response = dfe.post(
        f"/programme/setup/{world['prog'].pk}/proposals/{proposal.pk}/", {"decision": "confirm"}
    )
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "confirmed"
    assert proposal.decided_by == world["dfe"]
    assert proposal.decided_at is not None
    match = Match.objects.get(council__dfe_code=MIDDLESBROUGH)
    assert proposal.match == match
    assert match.confirmed_by == world["dfe"]
    assert match.partner == world["tyneside"]
    assert ChangeRecord.objects.filter(action="confirmed", user=world["dfe"]).exists()
    # deciding twice is refused and changes nothing
    dfe.post(f"/programme/setup/{world['prog'].pk}/proposals/{proposal.pk}/", {"reason": "Oops"})
    proposal.refresh_from_db()
    assert proposal.status == "confirmed"
    assert Match.objects.filter(council__dfe_code=MIDDLESBROUGH).count() == 1


def test_the_dfe_declines_with_a_reason_the_lead_reads(client, world):  # noqa: F811
    _propose(client, world)
    proposal = MatchProposal.objects.get()
    dfe = _as(client, world["dfe"])
    url = f"/programme/setup/{world['prog'].pk}/proposals/{proposal.pk}/"
    assert "Enter why the proposal is declined" in dfe.post(url, {"reason": ""}).content.decode()
    response = dfe.post(url, {"reason": "Middlesbrough is supported by another programme"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == "declined"
    assert proposal.decided_by == world["dfe"]
    assert not Match.objects.filter(council__dfe_code=MIDDLESBROUGH).exists()
    page = (
        _as(client, world["lead"])
        .get(f"/programme/setup/{world['prog'].pk}/matching/")
        .content.decode()
    )
    assert "Declined" in page
    assert "supported by another programme" in page
    # declined: the lead may propose again (another partner, or the same with more evidence)
    assert _propose(client, world).status_code == 302
