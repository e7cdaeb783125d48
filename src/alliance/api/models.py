"""API tokens: how a council's case-management system or an analyst's script signs in to the API.

A token belongs to one organisation and acts with one role there, through an account of its own
(`principal`) that holds that role and nothing else, so the API is decided by the same access
policy and written to the same audit log as the pages. Only a hash of the token is stored: the
token itself is shown once, when it is issued.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.access.roles import Role
from alliance.organisations.models import Organisation


class Scope(models.TextChoices):
    """What a token may be used for, on top of what its role allows."""

    UPLOAD_RETURNS = "returns:upload", "Upload returns"
    READ_RETURNS = "returns:read", "Read uploads' progress and findings"
    READ_INDICATORS = "indicators:read", "Read the council's indicators"
    READ_AGGREGATES = "aggregates:read", "Read aggregate figures (small numbers suppressed)"


# The roles a token can act with: the ones whose work a system or a script does.
TOKEN_ROLES = (Role.COUNCIL_ANALYST, Role.ALLIANCE_LEAD, Role.DFE_ANALYST)


class ApiToken(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What uses it, for example 'Mosaic export'")
    role = models.CharField(max_length=30, choices=Role.choices)
    scopes = models.JSONField(default=list)
    # The first characters of the token, to tell tokens apart in lists and logs; not a secret.
    prefix = models.CharField(max_length=24, unique=True)
    # SHA-256 of the whole token: tokens are 256 random bits, so no salt or slow hash is needed.
    digest = models.CharField(max_length=64, unique=True)
    principal = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="api_token"
    )
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    issued_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["organisation__name", "name"]

    def __str__(self) -> str:
        return f"API token {self.name} ({self.prefix}…) for {self.organisation}"

    @property
    def scope_labels(self) -> list[str]:
        return [Scope(s).label for s in self.scopes if s in Scope.values]


class RateWindow(models.Model):
    """Requests a token made in one minute, counted in the database so that every web process on
    every machine shares the count."""

    token = models.ForeignKey(ApiToken, on_delete=models.CASCADE, related_name="+")
    minute = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["token", "minute"], name="one_window_per_minute")
        ]
