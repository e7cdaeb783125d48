"""Email through GOV.UK Notify, tested against a local HTTP server that speaks Notify's API:
it checks the JSON web token the client signs with the key's secret (issuer: the service id),
takes POST /v2/notifications/email, and answers as Notify does, including its errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from django.core.mail import EmailMessage
from notifications_python_client.errors import APIError

from alliance.common.notify import NotifyEmailBackend

SERVICE_ID = str(uuid.uuid4())
SECRET = str(uuid.uuid4())
API_KEY = f"alliance_test-{SERVICE_ID}-{SECRET}"
TEMPLATE_ID = str(uuid.uuid4())


class FakeNotify(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def log_message(self, *args: Any) -> None:
        pass

    def _answer(self, status: int, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _error(self, status: int, error: str, message: str) -> None:
        self._answer(
            status, {"status_code": status, "errors": [{"error": error, "message": message}]}
        )

    def do_POST(self) -> None:
        auth = self.headers.get("Authorization", "")
        try:
            claims = jwt.decode(auth.removeprefix("Bearer "), SECRET, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return self._error(403, "AuthError", "Invalid token: API key not found")
        if claims.get("iss") != SERVICE_ID:
            return self._error(403, "AuthError", "Invalid token: service not found")
        if self.path != "/v2/notifications/email":
            return self._error(404, "NotFound", "Not found")
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        if body.get("template_id") != TEMPLATE_ID:
            return self._error(400, "BadRequestError", "Template not found")
        FakeNotify.received.append(body)
        personalisation = body.get("personalisation", {})
        return self._answer(
            201,
            {
                "id": str(uuid.uuid4()),
                "reference": None,
                "content": {
                    "subject": personalisation.get("subject"),
                    "body": personalisation.get("body"),
                    "from_email": "alliance@notifications.service.gov.uk",
                },
                "uri": "http://localhost/v2/notifications/x",
                "template": {"id": TEMPLATE_ID, "version": 1, "uri": "http://localhost/t"},
            },
        )


@pytest.fixture
def notify() -> Iterator[str]:
    FakeNotify.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), FakeNotify)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _message(*to: str) -> EmailMessage:
    return EmailMessage("Milestone overdue", "The review of the plan is overdue.", to=list(to))


def test_each_recipient_is_one_notify_email_with_subject_and_body(notify):
    backend = NotifyEmailBackend(api_key=API_KEY, template_id=TEMPLATE_ID, base_url=notify)
    assert backend.send_messages([_message("a@example.test", "b@example.test")]) == 1
    assert [r["email_address"] for r in FakeNotify.received] == ["a@example.test", "b@example.test"]
    assert FakeNotify.received[0]["template_id"] == TEMPLATE_ID
    assert FakeNotify.received[0]["personalisation"] == {
        "subject": "Milestone overdue",
        "body": "The review of the plan is overdue.",
    }


def test_a_wrong_key_is_refused_and_raised_without_the_address_in_the_log(notify, caplog):
    wrong = f"alliance_test-{SERVICE_ID}-{uuid.uuid4()}"
    backend = NotifyEmailBackend(api_key=wrong, template_id=TEMPLATE_ID, base_url=notify)
    with pytest.raises(APIError) as refused:
        backend.send_messages([_message("someone@example.test")])
    assert refused.value.status_code == 403
    assert FakeNotify.received == []
    assert "status 403" in caplog.text
    assert "someone@example.test" not in caplog.text


def test_an_unknown_template_is_refused(notify):
    backend = NotifyEmailBackend(api_key=API_KEY, template_id=str(uuid.uuid4()), base_url=notify)
    with pytest.raises(APIError) as refused:
        backend.send_messages([_message("a@example.test")])
    assert refused.value.status_code == 400


def test_settings_choose_notify_when_its_key_is_given(notify, tmp_path):
    env = {
        k: v for k, v in os.environ.items() if k not in {"PYTEST_VERSION", "PYTEST_CURRENT_TEST"}
    }
    env.update(
        DJANGO_SETTINGS_MODULE="alliance.config.settings",
        ALLIANCE_VAR_DIR=str(tmp_path),
        ALLIANCE_NOTIFY_API_KEY=API_KEY,
        ALLIANCE_NOTIFY_TEMPLATE_ID=TEMPLATE_ID,
        ALLIANCE_NOTIFY_BASE_URL=notify,
        ALLIANCE_EMAIL_HOST="smtp.example.test",
    )
    script = (
        "import django; django.setup(); from django.core.mail import send_mail; "
        "print(send_mail('Hello', 'A message.', None, ['c@example.test']))"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    assert [r["email_address"] for r in FakeNotify.received] == ["c@example.test"]
