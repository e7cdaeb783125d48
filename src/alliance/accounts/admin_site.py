"""The admin site, closed to everyone but a verified administrator and entered only through the
service's own sign-in.

Django's admin login form takes a password with no lockout, no two-step code and no audit. Here
it is not used at all: the admin's login and password-change pages send people to the service's
sign-in (lockout, two-step code, audit) and "Change your password" page. Only a person who is
active, staff, holds the Administrator role and has signed in with a two-step code this session
may use the site; a staff member without a two-step code is told to turn it on. Every change made
on the site is written to the audit log (alliance.audit.admin_changes).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from alliance.access.policy import roles_of
from alliance.access.roles import Role
from alliance.audit import services as audit
from alliance.audit.admin_changes import AuditedModelAdmin


def is_staff_administrator(user: Any) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and user.is_active
        and user.is_staff
        and Role.ADMINISTRATOR in roles_of(user)
    )


class AllianceAdminSite(admin.AdminSite):
    site_header = "Alliance administration"
    site_title = "Alliance administration"
    index_title = "Records"
    site_url = "/"

    def register(self, model_or_iterable: Any, admin_class: Any = None, **options: Any) -> None:
        """Every model, whoever registers it, with its changes written to the audit log."""
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedModelAdmin):
            base = type(
                f"Audited{base.__name__}",
                (AuditedModelAdmin, base),
                {"__module__": base.__module__},
            )
        super().register(model_or_iterable, base, **options)

    def has_permission(self, request: HttpRequest) -> bool:
        user = request.user
        return is_staff_administrator(user) and user.is_verified()  # type: ignore[union-attr]

    def login(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        """Never a password form here: the service's sign-in, or why the site is closed."""
        target = request.GET.get("next") or reverse("admin:index")
        if not request.user.is_authenticated:
            return redirect_to_login(target, reverse("accounts:sign-in"))
        if self.has_permission(request):
            return redirect(reverse("admin:index"))
        audit.record(
            request,
            audit.Action.ACCESS_DENIED,
            object_type="admin site",
            detail={"needs_two_step": is_staff_administrator(request.user)},
        )
        return render(
            request,
            "accounts/admin_closed.html",
            {
                "title": "You cannot use the admin site",
                "needs_two_step": is_staff_administrator(request.user),
            },
            status=403,
        )

    def logout(  # type: ignore[override]  # a redirect, not Django's page
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("accounts:sign-out")

    def password_change(  # type: ignore[override]  # a redirect, not Django's page
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return redirect("accounts:password-change")
