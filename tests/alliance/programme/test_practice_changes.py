"""Correcting and withdrawing a practice item: only the publisher, checked as when it was
published, nothing half-saved, the history showing before and after, and a withdrawn item leaving
the library while the engagements that used it still say it existed and why it went."""

from __future__ import annotations

from pathlib import PurePath

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.audit.models import AuditEvent
from alliance.programme.models import ChangeRecord, PracticeItem
from tests.alliance.programme.test_practice import _publish
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def storage(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path)},
        },
    }
    return tmp_path


@pytest.fixture
def item(client, world):  # noqa: F811
    assert _publish(client, world["lead"]).status_code == 302
    return PracticeItem.objects.get()


def _change(item, **extra):
    return {
        "title": item.title,
        "summary": item.summary,
        "ofsted_areas": item.ofsted_areas,
        "tags": item.tags,
        **extra,
    }


def test_the_publisher_corrects_an_item_and_the_page_shows_before_and_after(
    client,
    world,  # noqa: F811
    item,
    storage,
    django_capture_on_commit_callbacks,
):
    lead = _as(client, world["lead"])
    page = lead.get(f"/programme/practice/{item.pk}/").content.decode()
    assert f"/programme/records/practice/{item.pk}/" in page  # the change link, for the owner
    form = lead.get(f"/programme/records/practice/{item.pk}/").content.decode()
    assert "Care leavers&#39; local offer" in form  # filled from what was published
    assert 'enctype="multipart/form-data"' in form
    response = lead.post(
        f"/programme/records/practice/{item.pk}/",
        _change(
            item,
            title="Care leavers' local offer, revised",
            ofsted_areas=["care_leavers", "leaders"],
            attachment=SimpleUploadedFile("offer.pdf", b"%PDF-1.4 v2"),
        ),
    )
    assert response.status_code == 302
    assert response["Location"] == f"/programme/practice/{item.pk}/"
    item.refresh_from_db()
    assert item.title == "Care leavers' local offer, revised"
    assert item.ofsted_areas == ["care_leavers", "leaders"]
    with item.attachment.open("rb") as saved:
        assert saved.read() == b"%PDF-1.4 v2"
    change = ChangeRecord.objects.get(
        object_type="practice item", object_id=str(item.pk), action="changed"
    )
    assert change.programme is None
    assert change.organisation_id == world["tyneside"].alliance.pk
    assert change.changes["title"] == [
        "Care leavers' local offer",
        "Care leavers' local offer, revised",
    ]
    assert change.changes["Ofsted areas"][1].count(",") == 1  # the areas' names, not codes
    assert change.changes["attachment"] == ["", "offer.pdf"]
    assert "summary" not in change.changes  # only what changed
    assert AuditEvent.objects.filter(action="change", user_id=world["lead"].pk).exists()
    page = lead.get(f"/programme/practice/{item.pk}/").content.decode()
    assert "Changes since it was published" in page
    assert "Care leavers&#39; local offer → Care leavers&#39; local offer, revised" in page

    form = lead.get(f"/programme/records/practice/{item.pk}/").content.decode()
    assert "Take the current attachment off" in form
    assert "Replace the attachment" in form

    # the attachment taken off again: the file goes from storage, its name stays in the history
    stored = storage / item.attachment.name
    assert stored.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = lead.post(
            f"/programme/records/practice/{item.pk}/", _change(item, remove_attachment="on")
        )
    assert response.status_code == 302
    item.refresh_from_db()
    assert not item.attachment
    assert not stored.exists()
    removed = ChangeRecord.objects.filter(action="changed").first()
    assert removed is not None
    assert removed.changes["attachment"] == ["offer.pdf", ""]
    assert lead.get(f"/programme/practice/{item.pk}/attachment/").status_code == 404


def test_a_correction_is_checked_as_publishing_is_and_nothing_is_half_saved(
    client,
    world,  # noqa: F811
    item,
    storage,
):
    lead = _as(client, world["lead"])
    url = f"/programme/records/practice/{item.pk}/"
    for data, message in (
        (_change(item, title="Renamed", ofsted_areas=[]), "Choose at least one Ofsted area"),
        (_change(item, title="Renamed", summary=""), "Enter what you did and what you learned"),
        (
            _change(item, title="Renamed", attachment=SimpleUploadedFile("run.exe", b"MZ")),
            "must be a PDF",
        ),
    ):
        body = lead.post(url, data).content.decode()
        assert "There is a problem" in body
        assert message in body
    item.refresh_from_db()
    assert item.title == "Care leavers' local offer"
    assert not ChangeRecord.objects.filter(action="changed").exists()

    lead.post(url, _change(item, attachment=SimpleUploadedFile("a.pdf", b"%PDF")))
    item.refresh_from_db()
    body = lead.post(
        url,
        _change(item, remove_attachment="on", attachment=SimpleUploadedFile("b.pdf", b"%PDF")),
    ).content.decode()
    assert "Either give a new attachment or take the current one off" in body
    item.refresh_from_db()
    assert PurePath(item.attachment.name).name.startswith("a")  # the first file kept


def test_only_the_publisher_changes_or_withdraws_it(client, world, item):  # noqa: F811
    for who, status in (("other_lead", 404), ("dfe", 403), ("supported_analyst", 403)):
        c = _as(client, world[who])
        page = c.get(f"/programme/practice/{item.pk}/").content.decode()
        assert f"/programme/records/practice/{item.pk}/" not in page
        for path, data in (
            (f"/programme/records/practice/{item.pk}/", _change(item, title="Hijacked")),
            (f"/programme/records/practice/{item.pk}/remove/", {"reason": "Not theirs"}),
        ):
            assert c.get(path).status_code == status, (who, path)
            assert c.post(path, data).status_code == status, (who, path)
        assert AuditEvent.objects.filter(action="access-denied", user_id=world[who].pk).exists()
    item.refresh_from_db()
    assert item.title == "Care leavers' local offer"
    assert not item.is_withdrawn
    assert not ChangeRecord.objects.filter(
        object_type="practice item", object_id=str(item.pk)
    ).exists()


def test_a_withdrawn_item_leaves_the_library_but_engagements_still_say_it_existed(
    client,
    world,  # noqa: F811
    item,
):
    lead = _as(client, world["lead"])
    lead.post(f"/programme/engagements/{world['ours'].pk}/practice/", {"item": item.pk})
    url = f"/programme/records/practice/{item.pk}/remove/"
    form = lead.get(url).content.decode()
    assert "Withdraw this practice item?" in form
    body = lead.post(url, {"reason": ""}).content.decode()
    assert "Enter why it is being withdrawn" in body
    item.refresh_from_db()
    assert not item.is_withdrawn

    response = lead.post(url, {"reason": "Superseded by the 2019 offer"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.is_withdrawn
    assert item.withdrawn_reason == "Superseded by the 2019 offer"
    change = ChangeRecord.objects.get(
        object_type="practice item", object_id=str(item.pk), action="withdrawn"
    )
    assert change.changes["Reason"] == ["", "Superseded by the 2019 offer"]
    assert change.changes["title"] == ["Care leavers' local offer", ""]

    other = _as(client, world["other_lead"])
    assert "Nothing found" in other.get("/programme/practice/?q=offer").content.decode()
    assert "local offer" not in other.get("/programme/practice/").content.decode()

    lead = _as(client, world["lead"])
    engagement = lead.get(f"/programme/engagements/{world['ours'].pk}/").content.decode()
    assert f"/programme/practice/{item.pk}/" in engagement  # still linked, not broken
    assert "Withdrawn" in engagement
    assert "Superseded by the 2019 offer" in engagement
    assert f'<option value="{item.pk}">' not in engagement  # no longer offered to link

    page = lead.get(f"/programme/practice/{item.pk}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert "Withdrawn on" in body
    assert "Superseded by the 2019 offer" in body
    assert "What we learned" not in body
    assert f"/programme/records/practice/{item.pk}/" not in body
    assert lead.get(f"/programme/records/practice/{item.pk}/").status_code == 404
    assert lead.post(url, {"reason": "Again"}).status_code == 404
    response = lead.post(f"/programme/engagements/{world['ours'].pk}/practice/", {"item": item.pk})
    assert list(item.engagements.all()) == [world["ours"]]  # not linked again
