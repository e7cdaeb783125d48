from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from alliance.audit.admin_changes import AuditedModelAdmin
from alliance.audit.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(AuditedModelAdmin):
    """Read-only: the audit log can be looked at here, never changed."""

    list_display = ("at", "username", "action", "object_type", "object_repr", "ip_address")
    list_filter = ("action",)
    search_fields = ("username", "object_repr", "object_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
