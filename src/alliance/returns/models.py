"""Statutory returns uploaded by councils, the checks run on them, and data-sharing agreements.

An `Upload` is one attempt to send a year's return (SSDA903 or CIN census). Its validation runs
as a background task; an upload the service can read is *accepted* and its records are stored,
pseudonymised, as a new version under `settings.VAR_DIR` (never overwriting an earlier one). An
upload that cannot be read (wrong file, another council's census, a zip bomb) is *rejected* and
the last accepted version stays the council's current data.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class ReturnKind(models.TextChoices):
    SSDA903 = "ssda903", "SSDA903 (children looked after and care leavers)"
    CIN = "cin", "Children in need census"


class UploadQuerySet(models.QuerySet["Upload"]):
    def accepted(self) -> UploadQuerySet:
        return self.filter(status=Upload.Status.ACCEPTED)

    def running(self) -> UploadQuerySet:
        return self.filter(status__in=Upload.RUNNING)


class Upload(models.Model):
    """One upload of a council's return for a collection year, and what checking it found."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to be checked"
        CHECKING = "checking", "Being checked"
        ACCEPTED = "accepted", "Checked and stored"
        REJECTED = "rejected", "Not accepted"
        FAILED = "failed", "Could not be checked"

    RUNNING = (Status.QUEUED, Status.CHECKING)
    FINISHED = (Status.ACCEPTED, Status.REJECTED, Status.FAILED)

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="return_uploads"
    )
    kind = models.CharField(max_length=10, choices=ReturnKind.choices)
    year = models.PositiveSmallIntegerField(
        help_text="The year the collection ends (2025 = 2024/25)"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    file_names = models.JSONField(default=list, help_text="The names of the files as uploaded")
    size_bytes = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    has_previous_year = models.BooleanField(default=False)
    provider_file_names = models.JSONField(
        default=list,
        blank=True,
        help_text="Ofsted's provider lists given with an SSDA903 return, as uploaded (public data, "
        "used by the checks, never stored with the records)",
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    # Live progress, written by the task as it works (the page polls it).
    stage = models.CharField(max_length=100, blank=True)
    checks_done = models.PositiveIntegerField(default=0)
    checks_total = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_by = models.CharField(max_length=64, blank=True, help_text="The task run working on it")
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    seconds = models.FloatField(null=True, blank=True)
    problem = models.TextField(
        blank=True, help_text="Why the upload was not accepted, in plain words"
    )
    summary = models.JSONField(default=dict, blank=True)
    indicators = models.JSONField(default=list, blank=True)
    stored_version = models.CharField(max_length=300, blank=True)
    compared_with = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = UploadQuerySet.as_manager()

    class Meta:
        ordering = ["-uploaded_at", "-id"]
        indexes = [models.Index(fields=["organisation", "kind", "year", "status"])]
        constraints = [
            # Two uploads of the same return at once: the second is refused, never run beside it.
            models.UniqueConstraint(
                fields=["organisation", "kind", "year"],
                condition=Q(status__in=["queued", "checking"]),
                name="one_running_upload_per_return",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.year_label} upload {self.pk}"

    @property
    def year_label(self) -> str:
        return f"{self.year - 1} to {self.year}"

    @property
    def short_kind(self) -> str:
        return "SSDA903" if self.kind == ReturnKind.SSDA903 else "CIN census"

    @property
    def is_running(self) -> bool:
        return self.status in self.RUNNING

    @property
    def percent_done(self) -> int:
        if self.status in self.FINISHED:
            return 100
        if not self.checks_total:
            return 0
        return min(99, round(100 * self.checks_done / self.checks_total))


class DataSharingAgreement(models.Model):
    """A council's agreement to share its pseudonymised returns with an alliance: who, what, when.

    Owned by the council (`organisation`); the alliance's lead sees the pooled records of councils
    with an agreement in force on the day."""

    class Scope(models.TextChoices):
        ALL = "all", "SSDA903 and CIN census"
        SSDA903 = "ssda903", "SSDA903 only"
        CIN = "cin", "CIN census only"

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="sharing_agreements"
    )
    alliance = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    scope = models.CharField(max_length=10, choices=Scope.choices, default=Scope.ALL)
    starts_on = models.DateField()
    ends_on = models.DateField()
    purpose = models.TextField()
    signed_by = models.CharField(max_length=200, help_text="Who signed for the council")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    ended_early_on = models.DateField(
        null=True,
        blank=True,
        help_text="The day sharing was ended: the agreement is not in force from this day on",
    )

    class Meta:
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="agreement_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} shares with {self.alliance} ({self.get_scope_display()})"

    def covers(self, kind: str) -> bool:
        return self.scope in (self.Scope.ALL, kind)

    def in_force(self, on: dt.date | None = None) -> bool:
        """In force on the day: between its start and end dates (both included) and not ended.
        "End sharing today" takes effect at once: an agreement ended on a day is not in force
        on that day."""
        day = on or timezone.localdate()
        if self.ended_early_on is not None and day >= self.ended_early_on:
            return False
        return self.starts_on <= day <= self.ends_on


class CouncilKey(models.Model):
    """A council's pseudonymisation key, encrypted with ALLIANCE_KEYS_SECRET (which is never in the
    database): read and made only through `alliance.returns.council_keys`."""

    organisation = models.OneToOneField(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    wrapped = models.BinaryField(help_text="The key, encrypted (AES-256-GCM: nonce, then sealed)")
    made_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Pseudonymisation key of organisation {self.organisation_id}"
