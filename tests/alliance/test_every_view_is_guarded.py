"""Every URL's view is either guarded by the access policy or deliberately public, and every
guarded page sends a signed-out visitor to sign in."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

EXCLUDED_PREFIXES = ("django-admin/",)  # the admin site has its own staff-only permission checks


def _walk(patterns: list, prefix: str = "") -> list[tuple[str, object]]:
    found = []
    for p in patterns:
        if isinstance(p, URLResolver):
            found += _walk(p.url_patterns, prefix + str(p.pattern))
        elif isinstance(p, URLPattern):
            found.append((prefix + str(p.pattern), p.callback))
    return found


ROUTES = [
    (route, view)
    for route, view in _walk(get_resolver().url_patterns)
    if not route.startswith(EXCLUDED_PREFIXES)
]


def test_routes_were_found():
    assert len(ROUTES) > 5


@pytest.mark.parametrize(("route", "view"), ROUTES, ids=[r for r, _ in ROUTES])
def test_view_declares_its_access(route, view):
    access = getattr(view, "_alliance_access", None)
    assert access is not None, (
        f"/{route} has no access decision: wrap its view in guard(...), signed_in or public"
    )


GUARDED = [
    (r, v)
    for r, v in ROUTES
    if getattr(v, "_alliance_access", None) not in ("public", "api-token") and "<" not in r
]
# The API's calls answer a caller without a token with a JSON 401, not a sign-in page.
THROUGH_API = [(r, v) for r, v in ROUTES if getattr(v, "_alliance_access", None) == "api-token"]


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "view"), GUARDED, ids=[r for r, _ in GUARDED])
def test_signed_out_visitor_is_sent_to_sign_in(client, route, view):
    response = client.get("/" + route)
    assert response.status_code == 302
    assert response["Location"].startswith("/sign-in/")


@pytest.mark.django_db
@pytest.mark.parametrize(("route", "view"), THROUGH_API, ids=[r for r, _ in THROUGH_API])
def test_api_calls_without_a_token_are_refused(client, route, view):
    path = "/" + route.replace("<upload_id>", "1")
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code in (401, 404, 405), (path, response.status_code)
    if route.endswith(("returns", "indicators", "findings")) or "<" in route:
        assert client.get(path).status_code in (401, 405)
