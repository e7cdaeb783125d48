"""Returns on S3-compatible object storage (ALLIANCE_STORAGE_BUCKET), against a local S3 server
the suite starts (moto's server mode): the upload → check → stored journey through the pages and
the real task worker, a second machine (a var folder of its own) seeing every file, and the raw
uploads and expired findings gone from the bucket. Runs on SQLite here and on PostgreSQL under
`make postgres`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands import db_worker

from alliance.returns import storage
from alliance.returns.models import Upload
from alliance.returns.services import (
    checking,
    findings,
    findings_workbook,
    retention,
    stored_returns,
    uploading,
)
from tests.alliance.returns.factories import YEAR, cin_file, csv_files, ssda903_folders, upload_903

pytestmark = pytest.mark.django_db


def _another_machine(settings, tmp_path: Path, name: str) -> Path:  # type: ignore[no-untyped-def]
    """A second machine: its own, empty var folder (its working copies), the same bucket."""
    folder = tmp_path / name
    folder.mkdir()
    settings.VAR_DIR = folder
    return folder


def test_upload_check_and_store_on_the_bucket_and_a_second_machine_sees_it(
    client,
    analyst,
    north,
    generated,
    bucket,
    local_s3,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
    monkeypatch,
):
    # the test's transaction is kept between the worker's tasks (as in test_worker.py)
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    client.force_login(analyst)
    current, previous = ssda903_folders(generated)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("returns:new-upload"),
            {
                "kind": "ssda903",
                "year": YEAR,
                "current": csv_files(current),
                "previous": csv_files(previous),
            },
        )
    assert response.status_code == 302
    upload = Upload.objects.get()
    # the uploaded files are in the bucket before anything checks them; the web machine keeps no
    # copy of them (they hold real ids)
    uploaded = local_s3.keys(bucket, f"returns/incoming/{upload.pk}/")
    assert {k.rsplit("/", 1)[-1] for k in uploaded} == {p.name for p in current.glob("*.csv")} | {
        p.name for p in previous.glob("*.csv")
    }
    assert not storage.incoming_dir(upload.pk).exists()

    # the task worker runs on another machine: it sees the files only through the bucket
    web_var = settings.VAR_DIR
    _another_machine(settings, tmp_path, "worker-machine")
    call_command("db_worker", "--batch", "--no-startup-delay", verbosity=0)
    upload.refresh_from_db()
    assert upload.status == Upload.Status.ACCEPTED, upload.problem
    assert upload.stored_version == f"store/{north.pk}/ssda903/{YEAR}/upload-{upload.pk}"
    version_keys = local_s3.keys(bucket, f"returns/{upload.stored_version}/")
    assert "Episodes.parquet" in {k.rsplit("/", 1)[-1] for k in version_keys}
    report_keys = local_s3.keys(bucket, f"returns/reports/{north.pk}/upload-{upload.pk}/")
    names = {k.rsplit("/", 1)[-1] for k in report_keys}
    assert {"findings.parquet", "identities.parquet", "findings.xlsx"} <= names
    # decided: the raw upload (real ids) is gone from the bucket and from the worker's disk
    assert local_s3.keys(bucket, "returns/incoming/") == []
    assert not storage.incoming_dir(upload.pk).exists()
    worker_tables = stored_returns.latest_tables(north, "ssda903", YEAR)
    worker_findings = findings.findings_frame(upload, identified=True)

    # back on the web machine, which never had the version, the report or the workbook
    settings.VAR_DIR = web_var
    assert not storage.version_dir(upload.stored_version).exists()
    report = client.get(response["Location"]).content.decode()
    assert "Checked and stored" in report
    tables = stored_returns.latest_tables(north, "ssda903", YEAR)
    assert tables.keys() == worker_tables.keys()
    assert tables["Episodes"].equals(worker_tables["Episodes"])
    assert findings.findings_frame(upload, identified=True).equals(worker_findings)
    code = upload.summary["counts"][0]["rule_code"]
    assert client.get(reverse("returns:rule", args=[upload.pk, code])).status_code == 200
    download = client.get(reverse("returns:download", args=[upload.pk]))
    assert download.status_code == 200
    assert b"".join(download.streaming_content).startswith(b"PK")

    # a third machine, with nothing local at all, reads the same (the previous year's tables
    # stored beside this year's come too)
    _another_machine(settings, tmp_path, "third-machine")
    assert stored_returns.previous_year_tables(north, "ssda903", YEAR)
    assert stored_returns.latest_tables(north, "ssda903", YEAR)["Episodes"].equals(
        tables["Episodes"]
    )


def test_a_rejected_upload_leaves_nothing_in_the_bucket(bucket, local_s3, north, generated):
    census = cin_file(generated, la="392", year=2025)
    upload = uploading.start_upload(
        organisation=north, user=None, kind="ssda903", year=YEAR, current=[census]
    )
    assert local_s3.keys(bucket, f"returns/incoming/{upload.pk}/")
    assert checking.check(upload.pk, "t") == "rejected"
    assert local_s3.keys(bucket, "returns/") == []


def test_expired_findings_are_deleted_from_the_bucket(
    bucket, local_s3, north, analyst, generated, settings, tmp_path
):
    upload = upload_903(north, analyst, generated, with_previous=False)
    assert checking.check(upload.pk, "t") == "accepted"
    findings_workbook.excel_report(upload)
    report = f"returns/reports/{north.pk}/upload-{upload.pk}/"
    assert {k.rsplit("/", 1)[-1] for k in local_s3.keys(bucket, report)} >= {
        "findings.parquet",
        "identities.parquet",
        "findings.xlsx",
    }
    settings.RETURNS_FINDINGS_RETENTION_DAYS = 30
    Upload.objects.filter(pk=upload.pk).update(finished_at=timezone.now() - dt.timedelta(days=31))
    # the clean-up runs on a machine that has no copy of the report: it is deleted all the same
    _another_machine(settings, tmp_path, "scheduler-machine")
    assert retention.remove_expired_findings() == 1
    assert local_s3.keys(bucket, report) == []
    upload.refresh_from_db()
    assert findings.findings_frame(upload).is_empty()
    assert not retention.findings_kept(upload)
    # the stored version is not findings: it stays
    assert local_s3.keys(bucket, f"returns/{upload.stored_version}/")


def test_a_machine_with_an_old_copy_of_a_deleted_report_does_not_show_it(
    bucket, local_s3, north, analyst, generated, settings
):
    upload = upload_903(north, analyst, generated, with_previous=False)
    assert checking.check(upload.pk, "t") == "accepted"
    assert not findings.findings_frame(upload).is_empty()  # this machine has a copy
    client = local_s3.client()
    for key in local_s3.keys(bucket, f"returns/reports/{north.pk}/upload-{upload.pk}/"):
        client.delete_object(Bucket=bucket, Key=key)  # deleted by another machine's clean-up
    assert findings.findings_frame(upload).is_empty()
    assert not storage.report_dir(north.pk, upload.pk).exists()
