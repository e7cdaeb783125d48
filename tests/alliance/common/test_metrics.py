"""Prometheus metrics at /metrics/: only with the token; request time by view, the task queue,
upload check times and failed sign-ins, with no person, council or path in any label."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from prometheus_client.parser import text_string_to_metric_families

from alliance.accounts.models import SignInAttempt
from alliance.returns.models import Upload
from alliance.returns.tasks import remove_expired_findings
from tests import factories

pytestmark = pytest.mark.django_db
TOKEN = "scrape-token-0123456789"


@pytest.fixture(autouse=True)
def token(settings):  # type: ignore[no-untyped-def]
    settings.METRICS_TOKEN = TOKEN


def _scrape(client) -> dict[str, list]:  # type: ignore[no-untyped-def]
    response = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert response.status_code == 200
    return {
        family.name: family.samples
        for family in text_string_to_metric_families(response.content.decode())
    }


def test_without_the_token_it_is_not_there(client, settings):
    assert client.get("/metrics/").status_code == 404
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    settings.METRICS_TOKEN = ""
    assert client.get("/metrics/", HTTP_AUTHORIZATION="Bearer ").status_code == 404


def test_request_time_by_view_queue_checks_and_sign_in_failures(client, reference_data):
    client.get("/accessibility/?surname=Smith")
    remove_expired_findings.enqueue()
    DBTaskResult.objects.update(enqueued_at=timezone.now() - dt.timedelta(minutes=3))
    SignInAttempt.objects.create(username="someone@example.test", succeeded=False)
    north = factories.council("392").organisation
    Upload.objects.create(
        organisation=north, kind="ssda903", year=2026, status="accepted", seconds=42.0
    )
    found = _scrape(client)
    timed = [
        s
        for s in found["alliance_request_seconds"]
        if s.name.endswith("_count") and s.labels.get("view") == "accessibility"
    ]
    assert timed
    assert timed[0].labels == {"view": "accessibility", "method": "GET", "status": "200"}
    depth = {s.labels["queue"]: s.value for s in found["alliance_task_queue_depth"]}
    assert depth == {"default": 1}
    (age,) = found["alliance_task_queue_oldest_seconds"]
    assert age.value >= 180
    checks = {
        s.labels.get("le"): s.value
        for s in found["alliance_upload_check_seconds"]
        if s.name.endswith("_bucket")
    }
    assert (checks["30"], checks["60"], checks["+Inf"]) == (0, 1, 1)
    assert found["alliance_sign_in_failures_last_15_minutes"][0].value == 1
    page = client.get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {TOKEN}").content.decode()
    assert "Smith" not in page
    assert "someone@example.test" not in page
    assert "North Tyneside" not in page
