"""Pages that belong to no one capability: home and errors."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from alliance.access.policy import public, roles_of
from alliance.access.roles import Role
from alliance.common.navigation import sections_for


@public
def home(request: HttpRequest) -> HttpResponse:
    """Signed in: the sections this person can use, by role (a young person, whose only
    section is their own plan, goes straight to it). Signed out: what Alliance is."""
    user = request.user
    if roles_of(user) == {Role.YOUNG_PERSON}:
        return redirect("workplace:me")
    context = {
        "sections": [s for s in sections_for(user) if s.url_name != "home"],
        "roles": sorted(role.label for role in roles_of(user)),
        "memberships": (
            list(user.memberships.select_related("organisation")) if user.is_authenticated else []
        ),
    }
    return render(request, "common/home.html", context)


@public
def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "common/accessibility.html")


def forbidden(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """The 403 page ("handler403"): shown whenever a view raises PermissionDenied, as the access
    policy's `guard` does (which has audited the refusal already)."""
    return render(request, "common/403.html", status=403)


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "common/404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return render(request, "common/500.html", status=500)
