"""The returns pages through the Django test client, access and audit included."""

from __future__ import annotations

import datetime as dt
import io

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.returns import storage, tasks, views
from alliance.returns.models import DataSharingAgreement, Upload
from alliance.returns.services import (
    checking,
    findings_workbook,
    pooled_figures,
    stored_returns,
    uploading,
)
from statutory import suppression
from tests import factories
from tests.alliance.returns.factories import (
    YEAR,
    accepted_903,
    cin_file,
    csv_files,
    ssda903_folders,
)
from tests.statutory.test_suppression import recoverable

pytestmark = pytest.mark.django_db


@pytest.fixture
def accepted(north, analyst, generated):  # type: ignore[no-untyped-def]
    return accepted_903(north, analyst, generated)


def test_analyst_uploads_and_sees_progress_then_the_report(client, analyst, north, generated):
    client.force_login(analyst)
    page = client.get(reverse("returns:index"))
    assert page.status_code == 200
    assert "No returns uploaded yet" in page.content.decode()
    current, _ = ssda903_folders(generated)
    response = client.post(
        reverse("returns:new-upload"),
        {"kind": "ssda903", "year": YEAR, "current": csv_files(current)},
    )
    assert response.status_code == 302
    upload = Upload.objects.get()
    assert AuditEvent.objects.filter(action="upload", object_id=str(upload.pk)).exists()
    waiting = client.get(response["Location"])
    assert "returns/progress.js" in waiting.content.decode()
    assert f"/returns/uploads/{upload.pk}/status.json" in waiting.content.decode()
    status = client.get(reverse("returns:upload-status", args=[upload.pk])).json()
    assert status["finished"] is False
    checking.check(upload.pk, "t")
    report = client.get(response["Location"]).content.decode()
    assert "Checked and stored" in report
    assert "returns/progress.js" not in report
    # the Ofsted-provider rules cannot run without Ofsted's lists: said, never shown as passed
    upload.refresh_from_db()
    not_run = {item["rule_code"] for item in upload.summary["not_run"]}
    assert {"219", "224", "1008"} <= not_run
    assert "not run on this return, so they are not counted as passed" in report
    assert "1008" in report
    assert client.get(reverse("returns:upload-status", args=[upload.pk])).json()["finished"] is True


def test_upload_form_errors_are_shown_govuk_style(client, analyst):
    client.force_login(analyst)
    response = client.post(reverse("returns:new-upload"), {"kind": "ssda903", "year": YEAR})
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem" in body
    assert "Choose the return&#39;s files to upload" in body or "Choose the return's files" in body


def test_a_pdf_is_refused_with_a_message(client, analyst):
    client.force_login(analyst)
    response = client.post(
        reverse("returns:new-upload"),
        {"kind": "ssda903", "year": YEAR, "current": SimpleUploadedFile("x.csv", b"%PDF-1.4 ...")},
    )
    assert response.status_code == 400
    assert "This is a PDF" in response.content.decode()
    assert not Upload.objects.exists()


def test_report_drill_down_and_download_are_audited(client, analyst, accepted):
    client.force_login(analyst)
    page = client.get(reverse("returns:upload", args=[accepted.pk])).content.decode()
    code = accepted.summary["counts"][0]["rule_code"]
    assert f"/rules/{code}/" in page
    rule = client.get(reverse("returns:rule", args=[accepted.pk, code]))
    assert rule.status_code == 200
    assert accepted.summary["counts"][0]["message"][:30] in rule.content.decode()
    # the workbook is built by the task worker, never in the request: until it is ready the
    # link shows a page that says so and looks again, and asking twice queues it once
    waiting = client.get(reverse("returns:download", args=[accepted.pk]))
    assert waiting.status_code == 200
    assert "being prepared" in waiting.content.decode()
    assert '<meta http-equiv="refresh"' in waiting.content.decode()
    assert not findings_workbook.excel_report_path(accepted).exists()
    client.get(reverse("returns:download", args=[accepted.pk]))
    queued = DBTaskResult.objects.filter(task_path__endswith="prepare_findings_workbook")
    assert queued.count() == 1
    assert tasks.prepare_findings_workbook.call(accepted.pk) == "built"
    download = client.get(reverse("returns:download", args=[accepted.pk]))
    assert download.status_code == 200
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content)[:2] == b"PK"
    actions = set(
        AuditEvent.objects.filter(object_id=str(accepted.pk)).values_list("action", flat=True)
    )
    assert {"view", "download"} <= actions


def test_another_councils_upload_is_404_and_audited(client, accepted):
    sunderland = factories.council("394").organisation
    other = factories.member_of(sunderland, Role.COUNCIL_ANALYST)
    client.force_login(other)
    for name in ("returns:upload", "returns:download", "returns:upload-status"):
        assert client.get(reverse(name, args=[accepted.pk])).status_code == 404
    assert (
        AuditEvent.objects.filter(action="access-denied", object_id=str(accepted.pk)).count() == 3
    )


@pytest.mark.parametrize("role", [Role.COUNCIL_PRACTITIONER, Role.DFE_ANALYST, Role.ALLIANCE_LEAD])
def test_people_without_returns_access_get_403(client, north, role):
    org = north if role == Role.COUNCIL_PRACTITIONER else factories.organisation()
    client.force_login(factories.member_of(org, role))
    assert client.get(reverse("returns:index")).status_code == 403
    assert client.get(reverse("returns:performance")).status_code == 403


def test_leader_sees_but_cannot_upload(client, north):
    client.force_login(factories.member_of(north, Role.COUNCIL_LEADER))
    assert client.get(reverse("returns:index")).status_code == 200
    assert client.post(reverse("returns:new-upload"), {}).status_code == 403


def test_performance_page_says_plainly_when_nothing_is_uploaded(client, analyst):
    client.force_login(analyst)
    body = client.get(reverse("returns:performance")).content.decode()
    assert "No returns uploaded yet" in body


def test_performance_page_shows_indicators_charts_and_notes(client, analyst, accepted):
    client.force_login(analyst)
    body = client.get(reverse("returns:performance")).content.decode()
    assert "Children looked after at 31 March" in body
    assert "<svg" in body
    assert "upload another year" in body


def test_agreement_recorded_and_pooled_only_for_the_alliance_lead(client, north, analyst, accepted):
    alliance = factories.alliance("392", "393")
    client.force_login(analyst)
    today = dt.date.today()
    response = client.post(
        reverse("returns:agreement-new"),
        {
            "alliance": alliance.pk,
            "scope": "all",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=365)).isoformat(),
            "purpose": "Placement stability work",
            "signed_by": "Jo Director",
        },
    )
    assert response.status_code == 302
    agreement = DataSharingAgreement.objects.get()
    assert agreement.organisation == north
    lead = factories.member_of(alliance, Role.ALLIANCE_LEAD)
    client.force_login(lead)
    page = client.get(reverse("returns:pooled"), {"kind": "ssda903", "year": YEAR})
    assert page.status_code == 200
    body = page.content.decode()
    assert "North Tyneside" in body
    assert "Episodes" in body
    csv = client.get(
        reverse("returns:pooled-download", args=[alliance.pk, "ssda903", YEAR, "Header"])
    )
    assert csv.status_code == 200
    assert b"COUNCIL" in csv.getvalue().splitlines()[0]
    assert AuditEvent.objects.filter(action="query", object_id=str(alliance.pk)).exists()
    assert AuditEvent.objects.filter(action="export", object_id=str(alliance.pk)).exists()
    # the agreement ended: nothing is pooled any more
    agreement.ended_early_on = today - dt.timedelta(days=1)
    agreement.save()
    assert (
        "no pooled records"
        in client.get(reverse("returns:pooled"), {"year": YEAR}).content.decode()
    )
    # another alliance's lead reaches nothing of it
    other_lead = factories.member_of(factories.alliance("394"), Role.ALLIANCE_LEAD)
    client.force_login(other_lead)
    assert (
        client.get(
            reverse("returns:pooled-download", args=[alliance.pk, "ssda903", YEAR, "Header"])
        ).status_code
        == 404
    )
    # and a council analyst cannot see pooled records at all
    client.force_login(analyst)
    assert client.get(reverse("returns:pooled")).status_code == 403


def test_dfe_sees_only_suppressed_aggregates(client, accepted):
    dfe = factories.organisation("dfe")
    client.force_login(factories.member_of(dfe, Role.DFE_ANALYST))
    response = client.get(reverse("returns:aggregates"), {"kind": "ssda903", "year": YEAR})
    assert response.status_code == 200
    body = response.content.decode()
    assert "North Tyneside" in body
    assert "by category of need" in body
    assert "&lt;5" in body or "[c]" in body or "<5" in body
    assert client.get(reverse("returns:upload", args=[accepted.pk])).status_code == 403
    assert AuditEvent.objects.filter(object_type="returns.aggregates").exists()


def test_an_oversized_upload_is_refused_before_it_is_read(client, analyst, settings):
    settings.UPLOAD_MAX_BYTES = 10
    client.force_login(analyst)
    response = client.post(
        reverse("returns:new-upload"),
        data=b"x" * (2 * 1024 * 1024),
        content_type="multipart/form-data; boundary=zzz",
    )
    assert response.status_code == 413
    assert "The file is too large" in response.content.decode()
    assert not Upload.objects.exists()


def test_aggregates_csv_is_suppressed_like_the_page(client, accepted, analyst, generated):

    # a second council, so the tables have two council rows and a total
    south = factories.council("393").organisation
    current, previous = ssda903_folders(generated, seed=9)
    other = uploading.start_upload(
        organisation=south,
        user=None,
        kind="ssda903",
        year=YEAR,
        current=csv_files(current),
        previous=csv_files(previous),
    )
    checking.check(other.pk, "t")
    client.force_login(factories.member_of(factories.organisation("dfe"), Role.DFE_ANALYST))
    page = client.get(reverse("returns:aggregates"), {"kind": "ssda903", "year": YEAR})
    assert "Download these tables as CSV" in page.content.decode()
    response = client.get(reverse("returns:aggregates-download"), {"kind": "ssda903", "year": YEAR})
    assert response.status_code == 200
    frame = pl.read_csv(io.BytesIO(response.getvalue()), infer_schema=False)
    assert frame.columns == ["table", "council", "category", "count"]
    assert set(frame["council"]) == {"North Tyneside", "South Tyneside", "All councils shown"}
    shown = frame["count"].to_list()
    assert "<5" in shown
    assert not [c for c in shown if c.isdigit() and 0 < int(c) < 5]
    uploads = stored_returns.latest_uploads_for(None, "ssda903", YEAR)
    for caption, prefix in views.BREAKDOWNS["ssda903"]:
        _columns, rows = pooled_figures.aggregate_breakdown(uploads, prefix)
        full = suppression.with_totals([counts for _, counts in rows])
        part = frame.filter(pl.col("table") == caption)
        assert part.height == len(full) * len(full[0])
        grid = suppression.suppress(full)
        assert part["count"].to_list() == [cell.shown for row in grid for cell in row]
        assert recoverable(grid, full) == set()
    assert AuditEvent.objects.filter(action="export", object_type="returns.aggregates").exists()


def test_the_upload_page_says_plainly_which_return_is_checked_for_its_council(client, analyst):
    client.force_login(analyst)
    page = client.get(reverse("returns:index")).content.decode()
    assert "An SSDA903 return does not say which council it belongs to" in page
    assert "checks that a CIN census is your council" in page


def test_a_census_stored_with_the_old_cin_pseudonyms_is_asked_for_again(
    client, analyst, north, generated
):
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="cin",
        year=2025,
        current=[cin_file(generated, la="392")],
    )
    assert checking.check(upload.pk, "t") == "accepted"
    upload.refresh_from_db()
    client.force_login(analyst)
    assert "Upload your CIN census" not in client.get(reverse("returns:index")).content.decode()
    assert stored_returns.stored_with_old_cin_pseudonyms(north) == []
    # as the CIN census was stored before both returns shared one pseudonym: P + 15 hex
    stored = storage.version_dir(upload.stored_version) / "ChildIdentifiers.parquet"
    frame = pl.read_parquet(stored)
    frame.with_columns(("P" + pl.col("LAchildID").str.slice(1)).alias("LAchildID")).write_parquet(
        stored
    )
    assert stored_returns.stored_with_old_cin_pseudonyms(north) == [upload]
    page = client.get(reverse("returns:index")).content.decode()
    assert "Upload your CIN census for 2024 to 2025 again" in page


@pytest.fixture
def years_checked(monkeypatch):  # type: ignore[no-untyped-def]
    """December 2026 as issue #16 found it: SSDA903 for 2025/26 and 2026/27, the CIN census for
    2024/25 and 2025/26."""
    years = {"ssda903": [2027, 2026], "cin": [2026, 2025]}
    monkeypatch.setattr("alliance.returns.forms.collection_years", lambda kind: years[kind])
    return years


def test_a_year_refused_for_a_return_names_the_years_it_can_be_checked_for(
    client, analyst, years_checked
):
    client.force_login(analyst)
    response = client.post(
        reverse("returns:new-upload"),
        {
            "kind": "ssda903",
            "year": 2025,
            "current": SimpleUploadedFile("Header.csv", b"CHILD\n1\n"),
        },
    )
    assert response.status_code == 400
    body = response.content.decode().replace("&#39;", "'")
    assert "cannot check the April 2024 to March 2025 SSDA903 return" in body
    assert (
        "It can check the SSDA903 for April 2025 to March 2026 or April 2026 to March 2027" in body
    )
    assert not Upload.objects.exists()


def test_the_upload_form_says_which_years_each_return_can_be_checked_for(
    client, analyst, years_checked
):
    client.force_login(analyst)
    body = client.get(reverse("returns:index")).content.decode()
    assert "April 2024 to March 2025 (CIN census only)" in body
    assert "April 2026 to March 2027 (SSDA903 only)" in body
    assert "April 2025 to March 2026 (" not in body  # both returns: no note
    assert (
        "SSDA903: April 2025 to March 2026 or April 2026 to March 2027. "
        "CIN census: April 2024 to March 2025 or April 2025 to March 2026." in body
    )


def test_opening_the_upload_address_as_a_page_goes_to_the_upload_form(client, analyst):
    """Issue #16: a GET to /returns/upload/ showed the browser's blank 'HTTP ERROR 405'."""
    client.force_login(analyst)
    response = client.get(reverse("returns:new-upload"))
    assert response.status_code == 302
    assert response["Location"] == reverse("returns:index") + "#upload-a-return"
    page = client.get(response["Location"]).content.decode()
    assert 'id="upload-a-return"' in page
    # other methods still get the service's own 405 page, not an empty one
    other = client.put(reverse("returns:new-upload"))
    assert other.status_code == 405
    assert "This page cannot be opened this way" in other.content.decode()
