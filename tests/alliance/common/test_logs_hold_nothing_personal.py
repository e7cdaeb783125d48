"""An attack on the logs (issue #17: "no personal data or tokens in logs or URLs"): a failed
sign-in, a return uploaded through the pages and through the API and checked by the task worker,
its findings fetched, and calls with a wrong token, all with the service's JSON logging at DEBUG
and every record any logger emits captured. Then every line is searched for the children's ids,
the person's surname and email address, the password tried, and the API token."""

from __future__ import annotations

import io
import logging
import logging.config

import polars as pl
import pytest
from django.core.management import call_command
from django.test import Client
from django_tasks_db.management.commands import db_worker
from prometheus_client.parser import text_string_to_metric_families

from alliance.accounts.models import Role
from alliance.config import logging as service_logging
from alliance.returns.models import Upload
from tests import factories
from tests.alliance.api.conftest import bearer, issue_token
from tests.alliance.returns.conftest import generated  # noqa: F401
from tests.alliance.returns.factories import YEAR, csv_files, ssda903_folders

pytestmark = pytest.mark.django_db

SURNAME = "Featherstonehaugh"
PASSWORD_TRIED = "Correct-horse-battery-9127"
METRICS_TOKEN = "scrape-token-logs-0123456789"


@pytest.fixture
def every_log_line(settings, caplog):  # type: ignore[no-untyped-def]
    """The service's JSON logging as in production, at DEBUG, plus every record of every logger
    (caplog sees what propagates to the root), as one text."""
    settings.LOG_FORMAT = "json"
    stream = io.StringIO()
    config = service_logging.config("json", "DEBUG")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    caplog.set_level(logging.DEBUG)

    def text() -> str:
        records = "\n".join(f"{r.name} {r.getMessage()} {r.exc_text or ''}" for r in caplog.records)
        return stream.getvalue() + "\n" + records

    yield text
    logging.config.dictConfig(settings.LOGGING)


def _children(folder) -> set[str]:  # type: ignore[no-untyped-def]
    ids = set(pl.read_csv(folder / "header.csv", infer_schema=False)["CHILD"].to_list())
    return {i for i in ids if i and len(i) >= 5}


def test_no_child_id_name_password_or_token_reaches_any_log(
    every_log_line,
    generated,  # noqa: F811 (the returns tests' fixture)
    monkeypatch,
    settings,
    django_capture_on_commit_callbacks,
):
    settings.METRICS_TOKEN = METRICS_TOKEN
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    analyst.full_name = f"Jo {SURNAME}"
    analyst.save()
    admin = factories.member_of(north, Role.ORGANISATION_ADMINISTRATOR)
    _token, raw = issue_token(north, admin)
    current, previous = ssda903_folders(generated)
    children = _children(current)
    assert children, "the generated return should have children's ids to look for"

    # a sign-in that fails, with the person's address and a password that is not theirs
    failed = Client().post("/sign-in/", {"username": analyst.username, "password": PASSWORD_TRIED})
    assert failed.status_code == 200
    scraped = Client().get("/metrics/", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")
    failures = {
        family.name: family.samples
        for family in text_string_to_metric_families(scraped.content.decode())
    }["alliance_sign_in_failures_last_15_minutes"]
    assert failures[0].value >= 1

    # an upload through the pages and one through the API, both checked by the task worker
    page = Client()
    page.force_login(analyst)
    with django_capture_on_commit_callbacks(execute=True):  # the check is queued on commit
        sent = page.post(
            "/returns/upload/",
            {"kind": "ssda903", "year": YEAR, "current": csv_files(current)},
        )
    assert sent.status_code == 302, sent.content.decode()[:2000]
    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert Upload.objects.get().status == Upload.Status.ACCEPTED
    api = Client()
    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            "/api/v1/returns",
            {
                "kind": "ssda903",
                "year": YEAR,
                "files": csv_files(current),
                "previous": csv_files(previous),
            },
            **bearer(raw),
        )
    assert answer.status_code == 202, answer.content
    call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)
    upload = Upload.objects.get(pk=answer.json()["id"])
    assert upload.status == Upload.Status.ACCEPTED, upload.problem
    findings = api.get(f"/api/v1/returns/{upload.pk}/findings?format=csv", **bearer(raw))
    body = b"".join(findings.streaming_content).decode()
    assert any(child in body for child in children), "the council's own report has its ids"
    # a wrong token, and the right one sent where it does not belong (a query string)
    assert api.get("/api/v1/indicators?kind=ssda903", **bearer(raw + "x")).status_code == 401
    api.get(f"/api/v1/indicators?kind=ssda903&token={raw}")

    logged = every_log_line()
    assert '"message": "request"' in logged, "the JSON lines were captured"
    assert "/api/v1/returns" in logged
    for child in children:
        assert child not in logged, f"child id {child} is in the logs"
    for secret in (SURNAME, analyst.email, PASSWORD_TRIED, raw, raw[len("alliance_") :]):
        assert secret not in logged, f"{secret!r} is in the logs"
