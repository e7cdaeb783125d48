"""Error reporting sends a real error to a Sentry-compatible receiver, and nothing of the person or
the request goes with it: the attack puts a child's surname, a session cookie, an API token and a
form body into a failing request and looks for each in what arrives."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import threading
import zlib
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from alliance.config.error_reporting import scrubbed
from tests.service import ROOT, alliance, service_env

SECRETS = ["Zebedee", "sessioncookie-9f8e7d", "token-5b4a3c2d1e0f", "1999-02-03", "Zebby"]

FAILING_REQUEST = r"""
import io, os
import django, sentry_sdk
django.setup()
from django.core.wsgi import get_wsgi_application
from django.http import HttpRequest
from django.test import override_settings
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

@csrf_exempt
def failing(request: HttpRequest, pk: int):
    surname = request.GET["surname"]  # a local variable the report must not carry
    raise RuntimeError("could not match the child")

urlpatterns = [path("people/<int:pk>/", failing)]

# Through the real WSGI handler, as gunicorn calls it (the test client skips Sentry's WSGI layer).
# The personal values come from the environment, so the source lines the report quotes hold none.
body = os.environ["REQUEST_BODY"].encode()
environ = {
    "REQUEST_METHOD": "POST", "PATH_INFO": "/people/27/", "QUERY_STRING": os.environ["REQUEST_QUERY"],
    "SERVER_NAME": "localhost", "SERVER_PORT": "8000", "wsgi.url_scheme": "http",
    "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(), "CONTENT_LENGTH": str(len(body)),
    "CONTENT_TYPE": "application/x-www-form-urlencoded", "REMOTE_ADDR": "10.0.0.1",
    "HTTP_COOKIE": os.environ["REQUEST_COOKIE"],
    "HTTP_AUTHORIZATION": os.environ["REQUEST_AUTHORIZATION"],
}
statuses = []
with override_settings(ROOT_URLCONF=__name__):
    get_wsgi_application()(environ, lambda status, headers, *rest: statuses.append(status))
assert statuses and statuses[0].startswith("500"), statuses
sentry_sdk.flush(10)
"""


REQUEST = {
    "REQUEST_BODY": "first_name=Zebby&date_of_birth=1999-02-03",
    "REQUEST_QUERY": "surname=Zebedee",
    "REQUEST_COOKIE": "sessionid=sessioncookie-9f8e7d",
    "REQUEST_AUTHORIZATION": "Bearer token-5b4a3c2d1e0f",
}


class _Receiver(BaseHTTPRequestHandler):
    bodies: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        elif encoding == "br":
            import brotli  # only when the SDK chose Brotli

            body = brotli.decompress(body)
        self.bodies.append(body)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[bytes]]]:
    _Receiver.bodies = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_port}/1", _Receiver.bodies
    server.shutdown()
    server.server_close()


def test_a_failing_request_is_reported_without_personal_data(tmp_path: Path, receiver) -> None:
    dsn, bodies = receiver
    env = service_env(tmp_path, ALLIANCE_SENTRY_DSN=dsn, ALLIANCE_COMMIT="abc1234", **REQUEST)
    alliance(env, "manage", "migrate", "--no-input", "-v0")
    script = tmp_path / "failing_request.py"
    script.write_text(FAILING_REQUEST)
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    sent = b"\n".join(bodies).decode()
    assert "could not match the child" in sent, "the error itself was not reported"
    assert "abc1234" in sent, "the release (commit) was not reported"
    assert "/people/27/" in sent
    for secret in SECRETS:
        i = sent.find(secret)
        assert secret not in sent, (
            f"{secret!r} reached the error tracker: {sent[max(0, i - 300) : i + 100]}"
        )


def test_nothing_is_sent_when_no_address_is_set(tmp_path: Path, receiver) -> None:
    _dsn, bodies = receiver
    env = service_env(tmp_path, **REQUEST)
    env.pop("ALLIANCE_SENTRY_DSN", None)
    alliance(env, "manage", "migrate", "--no-input", "-v0")
    script = tmp_path / "failing_request.py"
    script.write_text(FAILING_REQUEST)
    done = subprocess.run(
        [sys.executable, str(script)],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert bodies == []


def test_scrubbing_removes_every_personal_part_of_an_event() -> None:
    event = {
        "request": {
            "method": "POST",
            "url": "http://alliance.example/people/27/?surname=Zebedee",
            "query_string": "surname=Zebedee",
            "cookies": {"sessionid": "sessioncookie-9f8e7d"},
            "headers": {"Authorization": "Bearer token-5b4a3c2d1e0f"},
            "data": {"first_name": "Zebby", "date_of_birth": "1999-02-03"},
            "env": {"REMOTE_ADDR": "10.0.0.1"},
        },
        "user": {"email": "zebedee@north-tyneside.example", "ip_address": "10.0.0.1"},
        "extra": {"surname": "Zebedee"},
        "transaction": "/workplace/register/password/MTI/token-5b4a3c2d1e0f",
        "logentry": {"message": "Looked up /people/?q=Zebedee", "params": ["Zebedee"]},
        "exception": {
            "values": [
                {
                    "type": "RuntimeError",
                    "value": "failed at /people/?surname=Zebedee",
                    "stacktrace": {"frames": [{"function": "f", "vars": {"surname": "Zebedee"}}]},
                }
            ]
        },
        "breadcrumbs": {
            "values": [
                {
                    "category": "query",
                    "message": "SELECT … WHERE surname = %s",
                    "data": {"p": "Zebedee"},
                },
                {
                    "category": "alliance",
                    "message": "GET /people/?q=Zebedee",
                    "data": {"q": "Zebedee"},
                },
            ]
        },
    }
    sent = json.dumps(scrubbed(event))
    for secret in [*SECRETS, "zebedee@", "10.0.0.1"]:
        assert secret not in sent
    assert "RuntimeError" in sent
    assert "/people/27/" in sent
    assert "POST" in sent
