"""Each request has an id, on its response and on every log line; JSON log lines carry it and
nothing personal; a task queued by the request logs under the same id in the task worker."""

from __future__ import annotations

import io
import json
import logging
import logging.config

import pytest
from django.core.management import call_command
from django.tasks import task
from django_tasks_db.management.commands import db_worker

from alliance.common import logcontext
from alliance.config import logging as service_logging

SEEN: list[str] = []


@task()
def note_the_request_id(request_id: str = "") -> str:
    SEEN.append(logcontext.request_id())
    logging.getLogger("alliance.test").warning("working on it")
    return "ok"


@pytest.mark.django_db
def test_every_response_names_its_request_id(client):
    first = client.get("/accessibility/")["X-Request-ID"]
    second = client.get("/accessibility/")["X-Request-ID"]
    assert len(first) == 32
    assert first != second
    # a proxy's id is kept when it is plainly an id; anything else is replaced
    assert client.get("/accessibility/", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == (
        "lb-1234abcd"
    )
    odd = client.get("/accessibility/", HTTP_X_REQUEST_ID='x" injected=1 <script>')
    assert odd["X-Request-ID"] != 'x" injected=1 <script>'
    assert len(odd["X-Request-ID"]) == 32


@pytest.fixture
def json_logs(settings):  # type: ignore[no-untyped-def]
    """The service's logging as in production, written to a string."""
    settings.LOG_FORMAT = "json"
    stream = io.StringIO()
    config = service_logging.config("json", "INFO")
    config["handlers"]["console"]["stream"] = stream
    logging.config.dictConfig(config)
    yield stream
    logging.config.dictConfig(settings.LOGGING)


@pytest.mark.django_db
def test_json_lines_carry_the_request_id_and_no_query_string(client, json_logs):
    response = client.get(
        "/accessibility/?surname=Smith&next=/returns/", HTTP_X_REQUEST_ID="req-abcdef12"
    )
    assert response.status_code == 200
    lines = [json.loads(line) for line in json_logs.getvalue().splitlines()]
    request = next(line for line in lines if line["message"] == "request")
    assert request["request_id"] == "req-abcdef12"
    assert (request["method"], request["status"], request["view"]) == ("GET", 200, "accessibility")
    assert request["path"] == "/accessibility/"
    assert {"time", "level", "logger"} <= request.keys()
    assert "Smith" not in json_logs.getvalue()


@pytest.mark.django_db
def test_a_task_logs_under_the_request_id_it_was_queued_with(json_logs, monkeypatch):

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    SEEN.clear()
    with logcontext.request_context("req-queued-1"):
        note_the_request_id.enqueue(request_id=logcontext.request_id())
    note_the_request_id.enqueue()  # queued by no request: it runs under its own task id
    call_command("run_worker", "--batch", "--no-startup-delay", verbosity=0)
    assert SEEN[0] == "req-queued-1"
    assert SEEN[1].startswith("task-")
    assert logcontext.request_id() == logcontext.NO_REQUEST  # nothing leaks after
    worker_lines = [
        json.loads(line)
        for line in json_logs.getvalue().splitlines()
        if json.loads(line)["logger"] == "alliance.test"
    ]
    assert [line["request_id"] for line in worker_lines] == SEEN
