"""Ofsted's provider lists through the API, with the same checks as the upload page
(tests.alliance.returns.test_providers): with them the provider rules run; a list the library
cannot use, a list with the CIN census, or too many lists get a clear JSON error, are audited,
and store nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from alliance.audit.models import AuditEvent
from alliance.returns.models import Upload
from alliance.returns.services import checking, findings, uploading
from tests.alliance.api.conftest import bearer
from tests.alliance.returns.factories import YEAR, cin_file, csv_files, ssda903_folders
from tests.alliance.returns.test_providers import PROVIDER_RULES, _csv, _ofsted_rows, _xlsx

pytestmark = pytest.mark.django_db

API = "/api/v1/returns"


def test_a_councils_system_sends_ofsted_lists_and_the_provider_rules_run(
    client, north_token, generated
):
    _token, raw = north_token
    current, _previous = ssda903_folders(generated)
    rows, wrong_type, left_out = _ofsted_rows(current)
    data = {
        "kind": "ssda903",
        "year": YEAR,
        "files": csv_files(current),
        "providers": [_xlsx(rows), _csv(rows)],
    }
    response = client.post(API, data, **bearer(raw))
    assert response.status_code == 202, response.content
    upload = Upload.objects.get(pk=response.json()["id"])
    assert upload.provider_file_names == ["childrens-homes.xlsx", "ofsted-providers.csv"]
    event = AuditEvent.objects.get(action="upload", object_id=str(upload.pk))
    assert event.detail["provider_lists"] == upload.provider_file_names
    assert event.detail["via"] == "API"

    assert checking.check(upload.pk, "t") == "accepted"
    upload.refresh_from_db()
    assert not PROVIDER_RULES & {item["rule_code"] for item in upload.summary["not_run"]}
    found = findings.findings_frame(upload)
    assert f"URN: {left_out}" in " ".join(
        found.filter(found["rule_code"] == "1008")["values"].fill_null("")
    )
    assert wrong_type


def _refused(response, status: int) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    return str(response.json()["detail"])


def test_bad_provider_lists_get_clear_errors_are_audited_and_store_nothing(
    client, north_token, generated, tmp_path
):
    _token, raw = north_token
    current, _previous = ssda903_folders(generated)
    rows, _, _ = _ofsted_rows(current)
    not_a_list = SimpleUploadedFile("providers.csv", b"name,age\nAlex,3\n", content_type="text/csv")
    tries = [
        ({"kind": "ssda903", "files": csv_files(current), "providers": [not_a_list]}, ""),
        (
            {
                "kind": "ssda903",
                "files": csv_files(current),
                "providers": [_csv(rows, "a.csv"), _csv(rows, "b.csv"), _csv(rows, "c.csv")],
            },
            "at most 2",
        ),
        (
            {"kind": "cin", "files": [cin_file(tmp_path, "392")], "providers": [_csv(rows)]},
            "for the SSDA903 return only",
        ),
    ]
    for data, says in tries:
        year = YEAR if data["kind"] == "ssda903" else uploading.collection_years("cin")[0]
        detail = _refused(client.post(API, {**data, "year": year}, **bearer(raw)), 400)
        assert says in detail
        assert "provider" in detail.lower()
    assert not Upload.objects.exists()
    assert not list((uploading.storage.root() / "incoming").glob("**/*.csv"))
    refused = AuditEvent.objects.filter(action="upload", object_type="returns.Upload")
    assert refused.count() == len(tries)
    assert all("refused" in e.detail for e in refused)
