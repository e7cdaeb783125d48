from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import RequestFactory
from django.utils import timezone

from alliance.accounts.models import Role
from alliance.api import tokens
from alliance.api.models import Scope
from tests import factories

# The generated returns the returns tests share.
from tests.alliance.returns.conftest import generated  # noqa: F401


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
