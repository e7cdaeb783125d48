"""The API's bad bodies (issue #17: "a huge or malformed body: clear JSON errors with the right
status codes, audited, nothing stored"): a broken multipart body, a field far over Django's
limit, and fields that do not parse."""

from __future__ import annotations

import pytest

from alliance.audit.models import AuditEvent
from alliance.returns.models import Upload
from tests.alliance.api.conftest import bearer

pytestmark = pytest.mark.django_db

API = "/api/v1/returns"


def _json_refusal(response, status: int) -> str:  # type: ignore[no-untyped-def]
    assert response.status_code == status, response.content[:500]
    assert response["Content-Type"].startswith("application/json"), response.content[:500]
    return str(response.json()["detail"])


def test_a_broken_multipart_body_is_a_json_400_audited(client, north_token):
    _token, raw = north_token
    response = client.generic(
        "POST",
        API,
        b"--nope\r\nthis is not multipart at all",
        content_type="multipart/form-data; boundary=xyz",
        **bearer(raw),
    )
    assert _json_refusal(response, 400)
    assert not Upload.objects.exists()
    assert AuditEvent.objects.filter(detail__api__isnull=False).exists()


def test_a_huge_field_is_a_json_413_audited(client, north_token, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    _token, raw = north_token
    response = client.post(API, {"kind": "ssda903", "year": "9" * 50_000}, **bearer(raw))
    assert "large" in _json_refusal(response, 413).lower()
    assert not Upload.objects.exists()
    assert AuditEvent.objects.filter(detail__api__isnull=False).exists()


def test_fields_that_do_not_parse_are_a_json_400_audited(client, north_token):
    _token, raw = north_token
    response = client.post(API, {"kind": "care-plans", "year": "soon"}, **bearer(raw))
    detail = _json_refusal(response, 400)
    assert "kind" in detail
    assert "year" in detail
    assert not Upload.objects.exists()
    assert AuditEvent.objects.filter(detail__api__isnull=False).exists()
