from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest, HttpResponse

from alliance.accounts.models import Membership, User
from alliance.audit import services as audit
from alliance.audit.admin_changes import AuditedModelAdmin


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


@admin.register(User)
class PersonAdmin(AuditedModelAdmin, UserAdmin):
    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Alliance", {"fields": ("full_name",)}))

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django saves this form itself (not through save_model): audit it here."""
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            person: Any = self.get_object(request, id)
            audit.record(
                request,
                audit.Action.CHANGE,
                person,
                detail={"via": "admin site", "changes": {"password": "set by an administrator"}},
            )
        return response
