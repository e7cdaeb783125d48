from django.contrib import admin

from alliance.audit.admin_changes import AuditedModelAdmin
from alliance.organisations.models import AllianceMember, Council, Organisation, ReferenceLoad


class AllianceMemberInline(admin.TabularInline):
    model = AllianceMember
    fk_name = "alliance"
    extra = 1
    autocomplete_fields = ["council"]


@admin.register(Organisation)
class OrganisationAdmin(AuditedModelAdmin):
    list_display = ("name", "kind", "slug")
    list_filter = ("kind",)
    search_fields = ("name", "slug")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [AllianceMemberInline]


@admin.register(Council)
class CouncilAdmin(AuditedModelAdmin):
    """Councils come from the public reference data: read-only here."""

    list_display = ("name", "dfe_code", "ons_code", "region", "council_type", "children_0_17")
    list_filter = ("region", "council_type")
    search_fields = ("name", "dfe_code", "ons_code")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceLoad)
class ReferenceLoadAdmin(AuditedModelAdmin):
    list_display = ("loaded_at", "fingerprint")
    readonly_fields = ("loaded_at", "fingerprint", "summary")
