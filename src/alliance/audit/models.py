"""The audit log: an append-only record of every view, change, export and deletion of personal or
sensitive data, and of every sign-in and refused access.

Rows are only ever inserted. The model refuses updates and deletes, its queryset refuses bulk
updates and deletes, and database triggers (see the migration) refuse them from anywhere else.
"""

from __future__ import annotations

from typing import Any, NoReturn

from django.db import models

from alliance.audit.descriptions import record_label


class AppendOnlyError(Exception):
    pass


class AuditQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only")

    def delete(self) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only")


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        CHANGE = "change", "Changed"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"
        DOWNLOAD = "download", "Downloaded"
        UPLOAD = "upload", "Uploaded"
        QUERY = "query", "Queried"
        SIGN_IN = "sign-in", "Signed in"
        SIGN_IN_FAILED = "sign-in-failed", "Sign-in failed"
        SIGN_OUT = "sign-out", "Signed out"
        ACCESS_DENIED = "access-denied", "Access refused"
        PURGE = "purge", "Purged under retention rules"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    # Who: kept as text too, so the row still says who after a person's account is removed.
    user_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    username = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=20, choices=Action.choices, db_index=True)
    # What: the kind of record, its id and a readable label.
    object_type = models.CharField(max_length=100, blank=True, db_index=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    organisation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    # From where.
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=500, blank=True)
    detail = models.JSONField(default=dict, blank=True)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%-d %B %Y %H:%M} {self.username or 'anonymous'} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnlyError("The audit log is append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AppendOnlyError("The audit log is append-only")

    @property
    def record(self) -> str:
        """The record as the log page names it ('Edge of Care referral 27')."""
        return record_label(self.object_type, self.object_id, self.object_repr)
