"""Practice that worked: the publisher states an item's evidence level, the DfE confirms it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from alliance.audit.models import AuditEvent
from alliance.programme.models import ChangeRecord, EvidenceLevel, PracticeItem
from alliance.programme.services import practice_evidence as evidence
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(world):  # noqa: F811
    return PracticeItem.objects.create(
        organisation=world["tyneside"].alliance,
        title="Family group conferences",
        summary="What we did",
        ofsted_areas=["help_and_protection"],
    )


def test_the_publisher_states_and_the_dfe_confirms_with_who_and_when(client, world, item):  # noqa: F811
    url = f"/programme/practice/{item.pk}/evidence/"
    lead = _as(client, world["lead"])
    assert "State the evidence level" in lead.get(url).content.decode()
    response = lead.post(
        url, {"evidence_level": "level-3", "evidence_note": "A randomised trial, 2023"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.evidence_level == EvidenceLevel.LEVEL_3
    assert not item.evidence_confirmed
    # the lead cannot confirm their own level
    refused = lead.post(f"{url}confirm/", {"confirmed_level": "level-3"})
    assert refused.status_code == 403
    item.refresh_from_db()
    assert not item.evidence_confirmed

    dfe = _as(client, world["dfe"])
    page = dfe.get(url).content.decode()
    assert "Confirm the evidence level" in page
    assert "State the evidence level" not in page  # the DfE does not publish practice
    dfe.post(f"{url}confirm/", {"confirmed_level": "level-2"})  # it judges the evidence weaker
    item.refresh_from_db()
    assert item.evidence_level == EvidenceLevel.LEVEL_2
    assert item.evidence_confirmed_by == world["dfe"]
    assert item.evidence_confirmed_by_name == world["dfe"].get_username()
    assert item.evidence_confirmed_at is not None
    page = dfe.get(url).content.decode()
    assert "Level 2: preliminary evidence" in page
    assert f"{world['dfe'].get_username()} on" in page
    detail = dfe.get(f"/programme/practice/{item.pk}/").content.decode()
    assert "Level 2: preliminary evidence (confirmed by the DfE)" in detail
    # the history on the item's page says what was stated and what the DfE confirmed
    changes = list(
        ChangeRecord.objects.filter(object_type="practice item", object_id=str(item.pk))
        .order_by("at", "id")
        .values_list("changes", flat=True)
    )
    assert changes[0]["evidence level"] == ["Not stated", "Level 3: evidence of short-term impact"]
    assert changes[1]["evidence level"][1] == "Level 2: preliminary evidence"
    assert changes[1]["confirmed by the DfE"][0] == ""
    assert changes[1]["confirmed by the DfE"][1].startswith(world["dfe"].get_username())
    assert AuditEvent.objects.filter(
        object_type="programme.PracticeItem", object_id=str(item.pk), user_id=world["dfe"].pk
    ).exists()


def test_stating_a_new_level_takes_the_confirmation_away(world, item):  # noqa: F811
    evidence.state_evidence_level(item, "level-3", "Trial", user=world["lead"])
    evidence.confirm_evidence_level(item, "level-3", user=world["dfe"])
    item.refresh_from_db()
    assert item.evidence_confirmed
    # saving the same again keeps it
    evidence.state_evidence_level(item, "level-3", "Trial", user=world["lead"])
    item.refresh_from_db()
    assert item.evidence_confirmed
    evidence.state_evidence_level(item, "level-4", "Trial and a replication", user=world["lead"])
    item.refresh_from_db()
    assert item.evidence_level == EvidenceLevel.LEVEL_4
    assert not item.evidence_confirmed
    assert item.evidence_confirmed_by is None
    assert item.evidence_confirmed_by_name == ""


def test_only_the_publisher_states_and_a_level_needs_its_evidence(client, world, item):  # noqa: F811
    url = f"/programme/practice/{item.pk}/evidence/"
    other = _as(client, world["other_lead"])
    assert other.get(url).status_code == 200  # the library is open to everyone in the programme
    assert other.post(url, {"evidence_level": "level-4", "evidence_note": "x"}).status_code == 403
    item.refresh_from_db()
    assert item.evidence_level == EvidenceLevel.NOT_STATED
    response = _as(client, world["lead"]).post(url, {"evidence_level": "level-4"})
    assert response.status_code == 400
    assert "Say which evaluations or studies" in response.content.decode()
    response = _as(client, world["lead"]).post(url, {"evidence_level": "level-9"})
    assert "Choose an evidence level" in response.content.decode()
    with pytest.raises(evidence.EvidenceRefused, match="Only the DfE"):
        evidence.confirm_evidence_level(item, "level-2", user=world["lead"])
    with pytest.raises(evidence.EvidenceRefused):
        evidence.confirm_evidence_level(item, "not-stated", user=world["dfe"])


def test_a_withdrawn_item_keeps_its_level(world, item):  # noqa: F811
    item.withdrawn_at = timezone.now()
    item.save()
    with pytest.raises(evidence.EvidenceRefused, match="withdrawn"):
        evidence.state_evidence_level(item, "level-2", "Study", user=world["lead"])
    with pytest.raises(evidence.EvidenceRefused, match="withdrawn"):
        evidence.confirm_evidence_level(item, "level-2", user=world["dfe"])
