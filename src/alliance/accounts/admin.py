from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from alliance.accounts.models import Membership, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["organisation"]


@admin.register(User)
class PersonAdmin(UserAdmin):
    list_display = ("username", "full_name", "is_active", "last_login")
    search_fields = ("username", "full_name", "email")
    inlines = [MembershipInline]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Alliance", {"fields": ("full_name",)}))
