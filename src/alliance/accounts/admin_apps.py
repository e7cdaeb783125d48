"""The admin app, with the service's own admin site (alliance.accounts.admin_site) in place of
Django's. Kept apart from the site so that it can load before the models are ready."""

from django.contrib.admin.apps import AdminConfig


class AllianceAdminConfig(AdminConfig):
    default_site = "alliance.accounts.admin_site.AllianceAdminSite"
