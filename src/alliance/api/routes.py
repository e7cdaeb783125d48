"""The API's addresses, each with its access decision declared as every page's is
(tests/alliance/test_every_view_is_guarded.py): the description and its documentation page are
public; every call needs an API token (`alliance.api.authentication`)."""

from __future__ import annotations

from typing import Any

from django.urls import URLPattern

from alliance.api.endpoints import api

THROUGH_API = "api-token"
PUBLIC_NAMES = {"openapi-json", "openapi-view"}


def api_urls() -> tuple[list[Any], str, str]:
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        if isinstance(pattern, URLPattern):
            pattern.callback._alliance_access = (  # type: ignore[attr-defined]
                "public" if pattern.name in PUBLIC_NAMES else THROUGH_API
            )
    return patterns, app_name, namespace
