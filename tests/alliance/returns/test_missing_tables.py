"""An SSDA903 upload without one of its files: the report says once that the table was not
supplied and which rules could not run, and those rules report no findings."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.returns.services import checking, uploading
from tests import factories
from tests.alliance.returns.factories import YEAR, csv_files, ssda903_folders

pytestmark = pytest.mark.django_db

REASON = "the social worker episodes table (SWEpisodes) was not supplied"


def test_an_upload_without_the_social_worker_episodes_says_so_once(
    client, reference_data, generated
):  # type: ignore[no-untyped-def]
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    current, previous = ssda903_folders(generated)
    files = [f for f in csv_files(current) if f.name != "swepisodes.csv"]
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=files,
        previous=csv_files(previous),
    )
    checking.check(upload.pk, "t")
    upload.refresh_from_db()
    not_run = {item["rule_code"]: item["reason"] for item in upload.summary["not_run"]}
    social_work = {code for code, why in not_run.items() if why == f"not run: {REASON}"}
    assert "SW12STG2" in social_work
    assert all(code.startswith("SW") for code in social_work)
    assert not social_work & {row["rule_code"] for row in upload.summary["counts"]}
    client.force_login(analyst)
    report = client.get(reverse("returns:upload", args=[upload.pk])).content.decode()
    assert report.count(f"({REASON})") == 1
    assert "not counted as passed" in report
