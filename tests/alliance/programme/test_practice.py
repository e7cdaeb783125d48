"""The practice library: partners publish, everyone in the programme finds and uses it."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.audit.models import AuditEvent
from alliance.programme.models import PracticeItem
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


def _publish(client, user, **extra):
    data = {
        "title": "Care leavers' local offer",
        "summary": "What we did.\n\nWhat we learned.",
        "ofsted_areas": ["care_leavers"],
        "tags": "housing, EET",
        **extra,
    }
    return _as(client, user).post("/programme/practice/new/", data)


def test_a_lead_publishes_with_an_attachment_and_others_find_it(client, world, settings, tmp_path):  # noqa: F811
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    response = _publish(
        client,
        world["lead"],
        attachment=SimpleUploadedFile(
            "offer.pdf", b"%PDF-1.4 test", content_type="application/pdf"
        ),
    )
    assert response.status_code == 302
    item = PracticeItem.objects.get()
    assert item.organisation == world["tyneside"].alliance
    assert item.ofsted_areas == ["care_leavers"]
    other = _as(client, world["other_lead"])
    assert (
        "Care leavers&#39; local offer"
        in other.get("/programme/practice/?q=offer+housing").content.decode()
    )
    assert "Nothing found" in other.get("/programme/practice/?q=adoption").content.decode()
    assert "Nothing found" in other.get("/programme/practice/?area=leaders").content.decode()
    assert "local offer" in other.get("/programme/practice/?area=care_leavers").content.decode()
    download = other.get(f"/programme/practice/{item.pk}/attachment/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 test"
    assert AuditEvent.objects.filter(action="download", user_id=world["other_lead"].pk).exists()


def test_an_attachment_of_the_wrong_kind_is_refused(client, world):  # noqa: F811
    response = _publish(
        client,
        world["lead"],
        attachment=SimpleUploadedFile("run.exe", b"MZ", content_type="application/octet-stream"),
    )
    body = response.content.decode()
    assert "There is a problem" in body
    assert "must be a PDF" in body
    assert not PracticeItem.objects.exists()


def test_an_area_must_be_chosen(client, world):  # noqa: F811
    response = _publish(client, world["lead"], ofsted_areas=[])
    assert "Choose at least one Ofsted area" in response.content.decode()


def test_only_the_alliance_running_an_engagement_links_practice_to_it(client, world):  # noqa: F811
    _publish(client, world["lead"])
    item = PracticeItem.objects.get()
    response = _as(client, world["other_lead"]).post(
        f"/programme/engagements/{world['ours'].pk}/practice/", {"item": item.pk}
    )
    assert response.status_code == 404
    assert not item.engagements.exists()
    response = _as(client, world["lead"]).post(
        f"/programme/engagements/{world['ours'].pk}/practice/", {"item": item.pk}
    )
    assert response.status_code == 302
    assert list(item.engagements.all()) == [world["ours"]]
    page = (
        _as(client, world["supported_analyst"])
        .get(f"/programme/practice/{item.pk}/")
        .content.decode()
    )
    assert "Sunderland" in page
    page = _as(client, world["other_lead"]).get(f"/programme/practice/{item.pk}/").content.decode()
    assert "None you can see" in page


def test_council_analysts_read_but_do_not_publish(client, world):  # noqa: F811
    assert _as(client, world["supported_analyst"]).get("/programme/practice/").status_code == 200
    assert _publish(client, world["supported_analyst"]).status_code == 403


def test_a_linked_item_reads_as_used_and_leaves_the_add_list(client, world):  # noqa: F811
    _publish(client, world["lead"])
    item = PracticeItem.objects.get()
    lead = _as(client, world["lead"])
    url = f"/programme/engagements/{world['ours'].pk}/"
    before = lead.get(url).content.decode()
    assert f'<option value="{item.pk}">' in before
    lead.post(f"{url}practice/", {"item": item.pk})
    after = lead.get(url).content.decode()
    # linked: it is in "Practice used", no longer offered to link again
    assert f'<option value="{item.pk}">' not in after
    history = lead.get(f"{url}history/").content.decode()
    assert "Used in the Sunderland engagement" in history
    assert "(blank)" not in history
    assert "Title:" not in history
    # posting it again (a second tab) is refused and changes nothing
    again = lead.post(f"{url}practice/", {"item": item.pk}, follow=True).content.decode()
    assert "already linked to this engagement" in again
    assert item.engagements.count() == 1
