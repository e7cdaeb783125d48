"""Fault: the object storage becomes unavailable (the local S3 server stopped part-way, or an
endpoint nothing answers on). The upload says so in plain words, nothing is half-stored (no upload
refers to an object the bucket lacks; what was put is deleted, or swept by the daily clean-up once
the bucket answers again), the council's previous version stays, a retry works once the storage is
back, and /health/ reports storage down with a 503."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from django.urls import reverse
from django.utils import timezone
from storages.backends.s3 import S3Storage

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.returns import shared_storage, storage
from alliance.returns.models import Upload
from alliance.returns.services import checking, retention, stored_returns, uploading
from alliance.schedule import health, liveness
from alliance.schedule.models import ProcessBeat
from tests import factories
from tests.alliance.api.conftest import bearer, issue_token
from tests.alliance.returns.factories import YEAR, csv_files, ssda903_folders, upload_903
from tests.object_storage import LocalS3, free_port

pytestmark = pytest.mark.django_db


def _stop_after(local_s3: LocalS3, puts: int, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Stop the S3 server once `puts` objects have been written (part-way through a folder)."""
    written = 0
    save: Callable[..., Any] = S3Storage._save

    def counting(self: S3Storage, name: str, content: Any) -> str:
        nonlocal written
        if written >= puts:
            local_s3.stop()
        written += 1
        return str(save(self, name, content))

    monkeypatch.setattr(S3Storage, "_save", counting)


def _orphans_swept(local_s3: LocalS3, bucket: str) -> list[str]:
    """What is left in the bucket once the daily clean-up has run, two hours on."""
    retention.remove_orphaned_files(now=timezone.now() + dt.timedelta(hours=2))
    return local_s3.keys(bucket, "returns/")


def test_an_upload_when_nothing_answers_is_refused_plainly_and_nothing_kept(
    client, analyst, generated, settings, local_s3
):
    name = local_s3.new_bucket()
    settings.STORAGES = {
        **settings.STORAGES,
        **local_s3.storages(name, url=f"http://127.0.0.1:{free_port()}"),
    }
    client.force_login(analyst)
    current, _ = ssda903_folders(generated)
    response = client.post(
        reverse("returns:new-upload"),
        {"kind": "ssda903", "year": YEAR, "current": csv_files(current)},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "could not reach its file storage, so nothing of this upload was kept" in page
    assert not Upload.objects.exists()
    refused = AuditEvent.objects.get(action="upload")
    assert refused.detail["refused"] == shared_storage.NO_STORAGE_TO_RECEIVE
    incoming = storage.root() / "incoming"
    assert not incoming.exists() or list(incoming.iterdir()) == []
    assert local_s3.keys(name, "returns/") == []


def test_storage_stopping_part_way_through_an_upload_keeps_nothing_and_a_retry_works(
    client, analyst, north, generated, bucket, local_s3, monkeypatch
):
    client.force_login(analyst)
    current, _ = ssda903_folders(generated)
    assert len(list(current.glob("*.csv"))) > 2
    _stop_after(local_s3, 2, monkeypatch)
    response = client.post(
        reverse("returns:new-upload"),
        {"kind": "ssda903", "year": YEAR, "current": csv_files(current)},
    )
    assert response.status_code == 400
    assert shared_storage.NO_STORAGE_TO_RECEIVE in response.content.decode().replace("&#x27;", "'")
    assert not Upload.objects.exists()
    monkeypatch.undo()
    local_s3.start()
    # the two objects put before it stopped could not be deleted then; nothing refers to them,
    # and the daily clean-up sweeps them once the bucket answers
    assert local_s3.keys(bucket, "returns/incoming/")
    assert _orphans_swept(local_s3, bucket) == []

    response = client.post(
        reverse("returns:new-upload"),
        {"kind": "ssda903", "year": YEAR, "current": csv_files(current)},
    )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert checking.check(upload.pk, "t") == "accepted"


def test_storage_stopping_while_a_check_stores_keeps_the_last_version_and_a_retry_works(
    north, analyst, generated, bucket, local_s3, monkeypatch, settings, tmp_path
):
    earlier = upload_903(north, analyst, generated, with_previous=False)
    assert checking.check(earlier.pk, "t1") == "accepted"
    before = stored_returns.latest_tables(north, "ssda903", YEAR)["Episodes"]

    later = upload_903(north, analyst, generated, seed=4, with_previous=False)
    # the report goes in whole, then the server stops part-way through the version
    _stop_after(local_s3, 3, monkeypatch)
    assert checking.check(later.pk, "t2") == "failed"
    later.refresh_from_db()
    assert later.status == Upload.Status.FAILED
    assert later.problem == shared_storage.NO_STORAGE_TO_STORE
    assert later.stored_version == ""
    assert not storage.store_dir(north.pk, "ssda903", YEAR, later.pk).exists()
    assert not storage.report_dir(north.pk, later.pk).exists()
    monkeypatch.undo()
    local_s3.start()

    # a machine with nothing local reads the council's last accepted version, whole
    settings.VAR_DIR = tmp_path / "another-machine"
    settings.VAR_DIR.mkdir()
    assert stored_returns.latest_tables(north, "ssda903", YEAR)["Episodes"].equals(before)
    # nothing of the failed store stays once the clean-up has run; the uploaded files stay for
    # the retry
    left = _orphans_swept(local_s3, bucket)
    assert not [k for k in left if f"upload-{later.pk}/" in k]
    assert [k for k in left if k.startswith(f"returns/incoming/{later.pk}/")]

    assert uploading.retry(later)
    assert checking.check(later.pk, "t3") == "accepted"
    later.refresh_from_db()
    assert local_s3.keys(bucket, f"returns/{later.stored_version}/")
    assert local_s3.keys(bucket, "returns/incoming/") == []
    after = stored_returns.latest_tables(north, "ssda903", YEAR)["Episodes"]
    assert not after.equals(before)


def test_storage_unreachable_when_the_check_reads_the_files_fails_plainly_and_retries(
    north, analyst, generated, bucket, local_s3
):
    upload = upload_903(north, analyst, generated, with_previous=False)
    local_s3.stop()
    assert checking.check(upload.pk, "t1") == "failed"
    upload.refresh_from_db()
    assert upload.problem == shared_storage.NO_STORAGE_TO_READ
    local_s3.start()
    assert uploading.retry(upload)
    assert checking.check(upload.pk, "t2") == "accepted"


def test_the_failed_upload_page_says_why_in_plain_words(
    client, north, analyst, generated, bucket, local_s3
):
    upload = upload_903(north, analyst, generated, with_previous=False)
    local_s3.stop()
    checking.check(upload.pk, "t1")
    local_s3.start()
    client.force_login(analyst)
    page = client.get(reverse("returns:upload", args=[upload.pk])).content.decode()
    assert "could not reach its file storage" in page.replace("&#x27;", "'")


def test_health_reports_the_bucket_and_is_503_when_it_cannot_be_reached(
    client, bucket, local_s3, settings, tmp_path: Path
):
    settings.VAR_DIR = tmp_path
    ProcessBeat.objects.all().delete()
    for kind in ("worker", "scheduler"):
        liveness.beat(f"{kind}-1", kind, timezone.now())
    assert client.get("/health/").status_code == 200
    ok = health.storage()
    assert ok == {"status": "ok", "object_storage": "ok"}
    assert local_s3.keys(bucket, "returns/health/") == []  # the probe cleans up after itself
    local_s3.stop()
    down = health.storage()
    assert down["status"] == "down"
    assert down["object_storage"] == "down"
    response = client.get("/health/")
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["storage"], body["worker"]) == ("ok", "down", "ok")
    local_s3.start()
    assert health.storage()["status"] == "ok"


def test_health_says_object_storage_is_not_used_without_a_bucket(settings, tmp_path: Path):
    settings.VAR_DIR = tmp_path
    assert health.storage() == {"status": "ok", "object_storage": "not used"}


def test_a_put_the_bucket_refuses_part_way_leaves_nothing_there_at_once(
    north, analyst, generated, bucket, local_s3, monkeypatch
):
    """The bucket answers but refuses one object of the version (say, a quota): what was put of
    the report and the version is deleted there and then, with no clean-up needed."""
    upload = upload_903(north, analyst, generated, with_previous=False)
    written = 0
    save: Callable[..., Any] = S3Storage._save

    def refusing(self: S3Storage, name: str, content: Any) -> str:
        nonlocal written
        written += 1
        if written == 4:
            raise ClientError({"Error": {"Code": "QuotaExceeded", "Message": "full"}}, "PutObject")
        return str(save(self, name, content))

    monkeypatch.setattr(S3Storage, "_save", refusing)
    assert checking.check(upload.pk, "t") == "failed"
    upload.refresh_from_db()
    assert (upload.status, upload.problem) == (
        Upload.Status.FAILED,
        shared_storage.NO_STORAGE_TO_STORE,
    )
    assert local_s3.keys(bucket, f"returns/reports/{north.pk}/") == []
    assert local_s3.keys(bucket, f"returns/store/{north.pk}/") == []
    # the uploaded files stay in the bucket for the retry, which then stores it
    assert local_s3.keys(bucket, f"returns/incoming/{upload.pk}/")
    monkeypatch.undo()
    assert uploading.retry(upload)
    assert checking.check(upload.pk, "t2") == "accepted"


def test_pages_that_read_files_say_plainly_when_the_storage_is_down(
    client, north, analyst, generated, bucket, local_s3, settings, tmp_path
):
    upload = upload_903(north, analyst, generated, with_previous=False)
    assert checking.check(upload.pk, "t") == "accepted"
    upload.refresh_from_db()
    code = upload.summary["counts"][0]["rule_code"]
    settings.VAR_DIR = tmp_path / "web-machine"  # a machine with no copy of the files
    settings.VAR_DIR.mkdir()
    client.force_login(analyst)
    local_s3.stop()
    page = client.get(reverse("returns:rule", args=[upload.pk, code]))
    assert page.status_code == 503
    assert page["Retry-After"] == "60"
    text = page.content.decode()
    assert "Sorry, the service cannot show this just now" in text
    assert "could not reach the storage that holds its files" in text
    local_s3.start()
    assert client.get(reverse("returns:rule", args=[upload.pk, code])).status_code == 200


def test_an_api_upload_when_the_storage_is_down_is_503_in_json_and_nothing_kept(
    client, north, generated, bucket, local_s3
):
    admin = factories.member_of(north, Role.ORGANISATION_ADMINISTRATOR)
    _token, raw = issue_token(north, admin)
    current, _ = ssda903_folders(generated)
    local_s3.stop()
    response = client.post(
        "/api/v1/returns",
        {"kind": "ssda903", "year": YEAR, "files": csv_files(current)},
        **bearer(raw),
    )
    assert response.status_code == 503, response.content
    assert response.json()["detail"] == shared_storage.NO_STORAGE_TO_RECEIVE
    assert not Upload.objects.exists()
    local_s3.start()
    assert local_s3.keys(bucket, "returns/") == []
