"""A form sent on a kept-alive connection after a person's pause between pages is answered: the
web server must not close idle connections while people read a page (the load benchmark's
"connection closed" on uploads: gunicorn's default closed them after 2 s)."""

from __future__ import annotations

import http.client
import time

from tests.service import alliance, free_port, service_env, start, status_of, stop, wait_for


def test_a_form_sent_after_a_pause_on_the_same_connection_is_answered(tmp_path):
    env = service_env(tmp_path)
    alliance(env, "manage", "migrate", "--no-input", "-v0")
    port = free_port()
    log = tmp_path / "web.log"
    web = start(env, log, "web", "--bind", f"127.0.0.1:{port}", "--workers", "1")
    try:
        wait_for("the web server", lambda: status_of(f"http://127.0.0.1:{port}/sign-in/"), 120, log)
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("GET", "/sign-in/")
        page = connection.getresponse()
        page.read()
        assert page.status == 200
        time.sleep(4)  # a person reading the page
        connection.request(
            "POST",
            "/sign-in/",
            body=b"username=nobody",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        answer = connection.getresponse()
        answer.read()
        assert answer.status == 403  # no CSRF token: refused, but answered on the same connection
        connection.close()
    finally:
        stop(web)
