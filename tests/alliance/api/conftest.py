from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.api import tokens
from alliance.api.models import Scope
from tests import factories


@pytest.fixture(autouse=True)
def returns_dirs(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.VAR_DIR = tmp_path / "var"
    settings.KEYS_DIR = tmp_path / "keys"
    settings.VAR_DIR.mkdir()
    return settings


@pytest.fixture(scope="session")
def generated() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="alliance-api-") as folder:
        yield Path(folder)


@pytest.fixture
def north(reference_data):  # type: ignore[no-untyped-def]
    return factories.council("392").organisation


@pytest.fixture
def south(reference_data):  # type: ignore[no-untyped-def]
    return factories.council("393").organisation


@pytest.fixture
def north_admin(north):  # type: ignore[no-untyped-def]
    return factories.member_of(north, Role.ORGANISATION_ADMINISTRATOR)


def issue_token(
    organisation: Any,
    admin: Any,
    *,
    role: str = Role.COUNCIL_ANALYST,
    scopes: list[str] | None = None,
    expires_on: dt.date | None = None,
) -> tuple[Any, str]:
    request = RequestFactory().post("/api-tokens/new/")
    request.user = admin
    return tokens.issue(
        request,
        organisation=organisation,
        name="Case system export",
        role=role,
        scopes=scopes if scopes is not None else list(Scope.values),
        expires_on=expires_on or timezone.localdate() + dt.timedelta(days=30),
    )


@pytest.fixture
def north_token(north, north_admin):  # type: ignore[no-untyped-def]
    return issue_token(north, north_admin)


def bearer(raw: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
