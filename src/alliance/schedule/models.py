"""What the scheduler remembers: the last slot each job was queued for, so that a job is queued
once per slot however many schedulers run and however often they wake."""

from __future__ import annotations

from django.db import models


class ScheduledRun(models.Model):
    name = models.SlugField(max_length=100, unique=True, help_text="The job's name")
    slot = models.CharField(max_length=80, help_text="The last slot the job was queued for")
    queued_at = models.DateTimeField(help_text="When it was last queued")
    task_result_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return f"{self.name} ({self.slot})"


class ProcessBeat(models.Model):
    """A task worker's or scheduler's last sign of life: written every few seconds while it runs,
    read by /health/ and by the workers, which take over the work of one that stopped beating."""

    class Kind(models.TextChoices):
        WORKER = "worker", "Task worker"
        SCHEDULER = "scheduler", "Scheduler"

    name = models.CharField(max_length=64, unique=True, help_text="host, process id and a nonce")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ("-seen_at",)

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"
