"""Security headers Django does not set itself, the service's own page for a refused method, and
addresses with a NUL character refused before any view reads them."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault(
            "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
        )
        response.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        if getattr(request, "user", None) is not None and request.user.is_authenticated:
            # Pages for signed-in people may hold personal data: never keep them in shared caches
            # or the browser's history cache.
            response["Cache-Control"] = "no-store"
        return response


class MethodNotAllowedPageMiddleware:
    """Django answers a method a view does not take (a GET to a form's POST-only address) with an
    empty 405, which browsers show as a blank "HTTP ERROR 405". Give it the service's own page,
    keeping the status and the Allow header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if response.status_code != 405 or response.get("Content-Length") not in (None, "0"):
            return response
        if getattr(response, "streaming", False) or response.content:
            return response
        page = render(request, "common/405.html", status=405)
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page


class NoNulInAddressMiddleware:
    """A NUL character in the query string (`?q=%00`) reached the views' searches and filters,
    and PostgreSQL stores no NUL, so the page failed with a server error. No address of the
    service needs one: it gets a 400 page saying the address cannot be read."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if "\x00" in request.META.get("QUERY_STRING", "") or any(
            "\x00" in key or any("\x00" in value for value in values)
            for key, values in request.GET.lists()
        ):
            return render(request, "common/400.html", status=400)
        return self.get_response(request)
