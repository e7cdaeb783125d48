"""The API through the test client: a council's system uploads a return, follows its check and
fetches what it found and the council's indicators; and every bad call (no token, a wrong,
revoked or expired token, a token without the scope, another council's upload, a malformed or
oversized body, too many calls) gets a JSON error with the right status, is audited, and stores
nothing."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.api.models import ApiToken, Scope
from alliance.audit.models import AuditEvent
from alliance.returns import tasks
from alliance.returns.models import Upload
from alliance.returns.services import checking, uploading
from tests import factories
from tests.alliance.accounts.people.conftest import sign_in
from tests.alliance.api.conftest import bearer, issue_token
from tests.alliance.returns.factories import YEAR, csv_files, ssda903_folders

pytestmark = pytest.mark.django_db

API = "/api/v1"


def _upload(client, raw: str, generated: Path, **extra):  # type: ignore[no-untyped-def]
    current, _previous = ssda903_folders(generated)
    data = {"kind": "ssda903", "year": YEAR, "files": csv_files(current), **extra}
    return client.post(f"{API}/returns", data, **bearer(raw))


def test_a_councils_system_uploads_follows_and_fetches_findings(client, north_token, generated):
    token, raw = north_token
    response = _upload(client, raw, generated)
    assert response.status_code == 202, response.content
    body = response.json()
    upload = Upload.objects.get(pk=body["id"])
    assert upload.organisation == token.organisation
    assert upload.uploaded_by == token.principal
    assert body["finished"] is False
    assert AuditEvent.objects.filter(
        action="upload", object_id=str(upload.pk), user_id=token.principal_id
    ).exists()

    checking.check(upload.pk, "t")
    progress = client.get(f"{API}/returns/{upload.pk}", **bearer(raw)).json()
    assert progress["status"] == "accepted"
    assert progress["finished"] is True
    assert progress["rules"], "the accepted upload's rule counts"

    findings = client.get(f"{API}/returns/{upload.pk}/findings", **bearer(raw))
    assert findings.status_code == 200
    rows = findings.json()
    assert rows
    assert {"rule_code", "child_id"} <= set(rows[0])
    as_csv = client.get(f"{API}/returns/{upload.pk}/findings?format=csv", **bearer(raw))
    assert as_csv["Content-Type"].startswith("text/csv")
    assert b"rule_code" in b"".join(as_csv.streaming_content)
    # the workbook is prepared by the task worker: asked for (queued once), built, then ready
    first = client.get(f"{API}/returns/{upload.pk}/findings?format=xlsx", **bearer(raw))
    assert first.status_code == 202
    assert "being prepared" in first.json()["detail"]
    assert tasks.prepare_findings_workbook.call(upload.pk) == "built"
    ready = client.get(f"{API}/returns/{upload.pk}/findings?format=xlsx", **bearer(raw))
    assert ready.status_code == 200
    assert ready["Content-Type"].startswith("application/vnd.openxmlformats")
    assert b"".join(ready.streaming_content)[:2] == b"PK"
    downloads = AuditEvent.objects.filter(action="download", object_id=str(upload.pk))
    assert downloads.count() >= 3

    indicators = client.get(f"{API}/indicators?kind=ssda903", **bearer(raw))
    assert indicators.status_code == 200
    assert {row["year"] for row in indicators.json()} == {YEAR}


def _refused_json(response, status: int) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    detail: str = response.json()["detail"]
    assert detail
    return detail


def test_calls_without_a_good_token_are_refused_and_audited(client, north, north_admin, generated):
    before = AuditEvent.objects.filter(action="access-denied").count()
    assert "Bearer" in _refused_json(client.get(f"{API}/indicators?kind=ssda903"), 401)
    wrong_scheme = client.get(f"{API}/indicators?kind=ssda903", HTTP_AUTHORIZATION="Basic eDp5")
    _refused_json(wrong_scheme, 401)
    made_up = client.get(f"{API}/indicators?kind=ssda903", **bearer("alliance_" + "x" * 43))
    assert "not recognised" in _refused_json(made_up, 401)

    expired, expired_raw = issue_token(north, north_admin)
    ApiToken.objects.filter(pk=expired.pk).update(
        expires_on=timezone.localdate() - dt.timedelta(days=1)
    )
    assert "expired" in _refused_json(
        client.get(f"{API}/indicators?kind=ssda903", **bearer(expired_raw)), 401
    )
    after = AuditEvent.objects.filter(action="access-denied").count()
    assert after - before == 4
    # and nothing of a refused upload is stored
    refused = _upload(client, expired_raw, generated)
    _refused_json(refused, 401)
    assert not Upload.objects.exists()


def test_a_revoked_token_stops_at_once(client, north_token, north_admin):
    token, raw = north_token
    assert client.get(f"{API}/indicators?kind=ssda903", **bearer(raw)).status_code == 200
    admin = sign_in(north_admin)
    assert admin.post(f"/api-tokens/{token.pk}/revoke/").status_code == 302
    assert "revoked" in _refused_json(
        client.get(f"{API}/indicators?kind=ssda903", **bearer(raw)), 401
    )
    token.principal.refresh_from_db()
    assert token.principal.is_active is False
    revoked = AuditEvent.objects.get(action="change", object_type="api.ApiToken")
    assert "revoked_at" in revoked.detail["changes"]


def test_a_token_reaches_only_its_own_councils_uploads(
    client, north, south, north_token, generated
):
    south_analyst = factories.member_of(south, Role.COUNCIL_ANALYST)
    current, _ = ssda903_folders(generated)
    theirs = uploading.start_upload(
        organisation=south,
        user=south_analyst,
        kind="ssda903",
        year=YEAR,
        current=csv_files(current),
    )
    _token, raw = north_token
    for path in (f"/returns/{theirs.pk}", f"/returns/{theirs.pk}/findings"):
        _refused_json(client.get(API + path, **bearer(raw)), 404)
    attempts = AuditEvent.objects.filter(action="access-denied", object_id=str(theirs.pk))
    assert attempts.count() == 2


def test_a_token_does_only_what_it_was_issued_for(client, north, north_admin, generated):
    _token, raw = issue_token(north, north_admin, scopes=[Scope.READ_INDICATORS])
    assert "returns:upload" in _refused_json(_upload(client, raw, generated), 403)
    assert not Upload.objects.exists()
    assert client.get(f"{API}/indicators?kind=ssda903", **bearer(raw)).status_code == 200


def test_a_dfe_token_cannot_upload_a_councils_return(client, generated, reference_data):
    dfe = factories.organisation(kind="dfe", name="Department for Education")
    admin = factories.member_of(dfe, Role.ORGANISATION_ADMINISTRATOR)
    _token, raw = issue_token(dfe, admin, role=Role.DFE_ANALYST)
    _refused_json(_upload(client, raw, generated), 403)
    _refused_json(client.get(f"{API}/indicators?kind=cin", **bearer(raw)), 403)
    assert not Upload.objects.exists()
    assert (
        AuditEvent.objects.filter(action="access-denied", object_type="api.ApiToken").count() == 2
    )


@pytest.mark.parametrize(
    ("data", "status", "says"),
    [
        ({"kind": "ssda903", "year": YEAR}, 400, "files"),
        ({"kind": "care-plans", "year": YEAR}, 400, "kind"),
        ({"kind": "ssda903", "year": "last year"}, 400, "year"),
        ({"kind": "ssda903", "year": 1999}, 400, "can be checked for these years"),
    ],
)
def test_malformed_uploads_get_clear_errors_and_store_nothing(
    client, north_token, data, status, says
):
    _token, raw = north_token
    files = {"files": [SimpleUploadedFile("Header.csv", b"CHILD,SEX\n1,1\n")]}
    if "files" in says:
        files = {}
    response = client.post(f"{API}/returns", {**data, **files}, **bearer(raw))
    assert says in _refused_json(response, status)
    assert not Upload.objects.exists()


def test_a_file_that_is_not_a_return_is_refused_and_audited(client, north_token, settings):
    _token, raw = north_token
    pdf = SimpleUploadedFile("return.pdf", b"%PDF-1.4 not a return", "application/pdf")
    response = client.post(
        f"{API}/returns", {"kind": "ssda903", "year": YEAR, "files": [pdf]}, **bearer(raw)
    )
    _refused_json(response, 400)
    assert not Upload.objects.exists()
    assert AuditEvent.objects.filter(action="upload", detail__refused__isnull=False).exists()
    incoming = Path(settings.VAR_DIR) / "returns" / "incoming"
    assert not incoming.exists() or not any(incoming.iterdir())


def test_an_oversized_upload_is_refused(client, north_token, settings, generated):
    settings.UPLOAD_MAX_BYTES = 1000
    _token, raw = north_token
    response = _upload(client, raw, generated)
    assert response.status_code in (400, 413)
    assert "large" in response.json()["detail"].lower()
    assert not Upload.objects.exists()


def test_too_many_calls_get_429_with_when_to_try_again(client, north_token, settings):
    settings.API_REQUESTS_PER_MINUTE = 3
    _token, raw = north_token
    statuses = [
        client.get(f"{API}/indicators?kind=ssda903", **bearer(raw)).status_code for _ in range(4)
    ]
    assert statuses[:3] == [200, 200, 200]
    limited = client.get(f"{API}/indicators?kind=ssda903", **bearer(raw))
    _refused_json(limited, 429)
    assert 0 < int(limited["Retry-After"]) <= 60


def test_the_description_and_its_page_are_public_and_served_from_here(client):
    schema = client.get(f"{API}/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/returns" in schema.json()["paths"]
    page = client.get(f"{API}/docs")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower(), "the documentation page must not load anything from outside"


def test_the_checked_in_description_matches_the_code(client):
    checked_in = Path(__file__).resolve().parents[3] / "docs" / "api" / "openapi.json"
    served = client.get(f"{API}/openapi.json").json()
    assert json.loads(checked_in.read_text()) == served, (
        "docs/api/openapi.json is out of date: run "
        "`alliance manage export_openapi_schema --api alliance.api.endpoints.api --indent 2 "
        "--output docs/api/openapi.json`"
    )


def test_last_years_files_sent_with_an_upload_are_kept_for_its_check(
    client, north_token, generated
):
    """`previous` was once declared so that django-ninja never read it: last year's files were
    silently dropped and the rules that compare with last year did not run."""
    _token, raw = north_token
    _current, previous = ssda903_folders(generated)
    response = _upload(client, raw, generated, previous=csv_files(previous))
    assert response.status_code == 202, response.content
    upload = Upload.objects.get(pk=response.json()["id"])
    assert upload.has_previous_year is True
