"""A real OpenID Connect provider for tests: the `oidc-provider-mock` package (a Flask and authlib
OpenID Provider) served over HTTP on a free local port. Tests set the person's claims at the
provider and choose them on its authorisation page, as a person would."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests
from oidc_provider_mock import run_server_in_thread


@dataclass
class Provider:
    issuer: str

    def person(self, subject: str, **claims: Any) -> None:
        """Set what the provider says about the person with this subject."""
        response = requests.put(f"{self.issuer}/users/{subject}", json=claims, timeout=10)
        response.raise_for_status()

    def authorise(self, authorize_url: str, subject: str) -> str:
        """Choose `subject` on the provider's authorisation page; the provider's answer, the URL it
        sends the browser back to (with the code and state)."""
        response = requests.post(
            authorize_url, data={"sub": subject}, allow_redirects=False, timeout=10
        )
        assert response.status_code == 302, response.text[:2000]
        return response.headers["Location"]


@contextmanager
def running_provider() -> Iterator[Provider]:
    with run_server_in_thread(require_nonce=True) as server:
        yield Provider(issuer=f"http://localhost:{server.server_port}")


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}


def path_and_query(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"
