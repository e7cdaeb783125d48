"""Browser journeys: Playwright drives Debian's Chromium (/usr/bin/chromium, never a downloaded
browser) against the real service, started here as a user would start it: its own SQLite
database, migrated, with the reference data and demo people loaded, served by gunicorn with the
task worker beside it."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import quopri
import re
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.service import alliance, free_port, service_env

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("ALLIANCE_CHROMIUM", "/usr/bin/chromium")
DEMO_PASSWORD = "demo-password-2026"


@pytest.fixture(scope="session")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The running service's base URL."""
    var = tmp_path_factory.mktemp("service")
    env = service_env(var)
    for args in (["manage", "migrate", "--no-input", "-v0"], ["load-reference"], ["demo"]):
        alliance(env, *args)
    port = free_port()
    log = (var / "service.log").open("w")
    # Its own process group, so the web server and task worker it starts stop with it.
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "alliance",
            "serve",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            "2",
        ],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180  # a loaded 2-core machine can be slow to start it
    while True:
        try:
            with urllib.request.urlopen(url + "/health/", timeout=10) as response:  # noqa: S310 - our own loopback service
                if response.status == 200:
                    break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                _stop(process)
                raise RuntimeError(
                    "the service did not start:\n" + (var / "service.log").read_text()
                ) from None
            time.sleep(0.3)
    yield url
    _stop(process)
    log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """Stop the service's whole process group: the wrapper, gunicorn and the task worker."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, Any]) -> dict[str, Any]:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Debian's Chromium is needed at {CHROMIUM}: run scripts/ensure-chromium.sh")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ],
    }


@pytest.fixture(scope="session")
def base_url(service: str) -> str:
    return service


def sign_in(page: Any, base_url: str, username: str, password: str = DEMO_PASSWORD) -> None:
    page.goto(base_url + "/sign-in/")
    page.get_by_label("Email address").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def emailed_link(tmp_path_factory: pytest.TempPathFactory, email: str, path_pattern: str) -> str:
    """The last link matching `path_pattern` emailed to `email`, which the service's console
    email backend writes to its log (quoted-printable, as an email would carry it)."""
    deadline = time.monotonic() + 30
    while True:
        for log in tmp_path_factory.getbasetemp().glob("service*/service.log"):
            text = quopri.decodestring(log.read_bytes()).decode("utf-8", "replace")
            sent = [chunk for chunk in text.split("Subject: ") if f"To: {email}" in chunk]
            found = [re.search(rf"https?://\S+{path_pattern}", c) for c in sent]
            if found and found[-1]:
                return found[-1].group(0)
        if time.monotonic() > deadline:
            raise AssertionError(f"no email with a link to {email} in the service log")
        time.sleep(0.5)


AXE_SOURCE = ROOT / "static" / "dist" / "axe.min.js"


def axe_violations(page: Any) -> list[dict[str, Any]]:
    """Runs axe-core in the page (evaluated through the browser's debugging protocol, so the
    page's content security policy stays as strict as in real use)."""
    page.evaluate(AXE_SOURCE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        {
            "id": v["id"],
            "impact": v["impact"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in result["violations"]
    ]


@pytest.fixture
def axe_check() -> Any:
    def check(page: Any) -> None:
        violations = axe_violations(page)
        assert not violations, "accessibility problems:\n" + json.dumps(violations, indent=2)

    return check


# Two-step verification in the browser journeys: the people and organisations pages need it. The
# first sign-in of a demo person sets up an authenticator (reading the key the page shows, as a
# person's app would); later ones enter the code. Keys and the last time step used, by person.
_AUTHENTICATORS: dict[str, tuple[bytes, int]] = {}


def _security_code(username: str) -> str:
    from django_otp.oath import TOTP

    key, last = _AUTHENTICATORS[username]
    now = int(time.time() // 30)
    if last + 1 > now + 1:  # this step and the next are both used: wait for a fresh one
        time.sleep(30 - time.time() % 30 + 0.5)
        now = int(time.time() // 30)
    step = max(now, last + 1)
    _AUTHENTICATORS[username] = (key, step)
    generator = TOTP(key, 30, 0, 6, 0)
    generator.time = step * 30
    return f"{generator.token():06d}"


def sign_in_with_two_step(
    page: Any, base_url: str, username: str, password: str = DEMO_PASSWORD
) -> None:
    """Sign in with a password and a security code, setting up the authenticator first if the
    person has none."""
    sign_in(page, base_url, username, password)
    if "/sign-in/security-code/" in page.url:
        page.get_by_label("Security code").fill(_security_code(username))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()
        return
    page.goto(base_url + "/account/two-step-verification/")
    key = page.locator("p:has-text('Key:') code").inner_text().strip()
    _AUTHENTICATORS[username] = (base64.b32decode(key), -1)
    page.get_by_label("Security code").fill(_security_code(username))
    page.get_by_role("button", name="Turn on two-step verification").click()
    page.wait_for_load_state()


@pytest.fixture(scope="session")
def oidc_provider() -> Iterator[Any]:
    """A real OpenID Connect provider (the `oidc-provider-mock` package) on a free local port, for
    the journeys that sign in with an organisation's account."""
    from tests.oidc_provider import running_provider

    with running_provider() as provider:
        yield provider


def totp_now(key: str) -> str:
    """The code an authenticator app set up with this key (as the page shows it) shows now."""
    from django_otp.oath import TOTP

    return f"{TOTP(base64.b32decode(key), 30, 0, 6, 0).token():06d}"
