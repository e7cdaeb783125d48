"""Hostile uploads (issue #12 item 8): refused with a message the council can act on, nothing of
them stored or kept, whatever the file holds. The task worker reads with the statutory readers'
limits (`statutory.engine.limits`), so it stays bounded as the command line does (measured in
`bench/hostile_input.py`)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.returns import storage
from alliance.returns.models import Upload
from alliance.returns.services import checking, uploading
from alliance.returns.storage import UploadProblem
from tests.alliance.returns.factories import YEAR, cin_file, csv_files, ssda903_folders

pytestmark = pytest.mark.django_db


def _refused(upload: Upload, *words: str) -> str:
    assert checking.check(upload.pk, "t1") == "rejected"
    upload.refresh_from_db()
    assert upload.status == Upload.Status.REJECTED
    for word in words:
        assert word in upload.problem, upload.problem
    assert "\n" not in upload.problem
    assert "/returns/incoming/" not in upload.problem  # named as uploaded
    assert "ALLIANCE_" not in upload.problem  # a council cannot change the service's settings
    assert not storage.store_dir(
        upload.organisation_id, upload.kind, upload.year, upload.pk
    ).exists()
    assert not storage.incoming_dir(upload.pk).exists()
    return upload.problem


def test_an_ssda903_table_with_too_many_columns_is_refused_and_nothing_kept(
    north, analyst, generated
):
    current, previous = ssda903_folders(generated)
    files = csv_files(current)
    episodes = next(f for f in files if f.name == "episodes.csv")
    episodes.seek(0)
    header, rest = episodes.read().split(b"\n", 1)
    wide = header + b"".join(b",X%d" % i for i in range(300)) + b"\n" + rest
    files = [f for f in files if f.name != "episodes.csv"]
    files.append(SimpleUploadedFile("episodes.csv", wide, content_type="text/csv"))
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=files,
        previous=csv_files(previous),
    )
    _refused(upload, "episodes.csv", "header row", "the limit is 200 columns")


def test_a_cin_census_over_the_row_limit_is_refused_and_nothing_kept(
    north, analyst, generated, monkeypatch
):
    monkeypatch.setenv("ALLIANCE_MAX_ROWS", "10")
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="cin",
        year=2025,
        current=[cin_file(generated, "392", children=40)],
    )
    _refused(upload, "census.xml", "rows", "the limit is 10 rows")


def test_an_ssda903_return_over_the_size_limit_is_refused(north, analyst, generated, monkeypatch):
    monkeypatch.setenv("ALLIANCE_MAX_RETURN_MB", "1")
    current, previous = ssda903_folders(generated)
    files = csv_files(current)
    padding = b"\n" * (2 * 1024 * 1024)  # blank lines: a CSV reader skips them, the limit not
    files.append(SimpleUploadedFile("swepisodes-extra.csv", b"CHILD,SW_ID\n" + padding, "text/csv"))
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=files,
        previous=csv_files(previous),
    )
    _refused(upload, "swepisodes-extra.csv", "over the limit of 1 MB")


def test_a_first_line_longer_than_any_header_is_refused_as_it_arrives(north, analyst):
    wide = b"CHILD" + b",C" * 100_000 + b"\n1\n"
    with pytest.raises(UploadProblem, match="first line is longer than 64 KB"):
        uploading.start_upload(
            organisation=north,
            user=analyst,
            kind="ssda903",
            year=YEAR,
            current=[SimpleUploadedFile("episodes.csv", wide, content_type="text/csv")],
        )
    assert Upload.objects.count() == 0
    assert not (storage.root() / "incoming").exists() or not any(
        (storage.root() / "incoming").iterdir()
    )


def test_zips_may_unpack_to_two_years_at_the_readers_limit(monkeypatch):
    monkeypatch.setenv("ALLIANCE_MAX_RETURN_MB", "3")
    assert storage.unzipped_limit() == 6 * 1024 * 1024


def test_a_single_file_over_the_size_limit_is_named_as_uploaded(north, analyst, monkeypatch):
    monkeypatch.setenv("ALLIANCE_MAX_RETURN_MB", "1")
    junk = b"CHILD,SEX,DOB\n" + b"x,y,z\n" * 400_000
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=[SimpleUploadedFile("header.csv", junk, content_type="text/csv")],
    )
    problem = _refused(upload, "header.csv: the return is 2 MB or more", "over the limit of 1 MB")
    assert "current" not in problem
