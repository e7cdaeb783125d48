"""When the service's file storage (a bucket on object storage, docs/deploy.md) cannot be reached:
one exception for every app to raise, and a page (or, for the API, a JSON answer) that says so in
plain words with 503 Service Unavailable, rather than the error page."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render

UNAVAILABLE = (
    "The service could not reach the storage that holds its files. Nothing has been lost. Try "
    "again in a few minutes; if it happens again, tell the service team."
)
RETRY_AFTER_SECONDS = 60


class FileStorageUnavailable(Exception):
    """The file storage could not be reached (or refused)."""


class FileStorageUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, FileStorageUnavailable):
            return None
        response: HttpResponse
        if request.path.startswith("/api/"):
            response = JsonResponse({"detail": UNAVAILABLE}, status=503)
        else:
            response = render(request, "common/503.html", {"message": UNAVAILABLE}, status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
