"""The periodic jobs the service runs, declared by each app beside its other parts.

An app lists its jobs in its AppConfig, as it lists its navigation sections:

    scheduled_jobs = (
        Job("Programme reminders", "alliance.programme.tasks.send_programme_reminders",
            daily_at=dt.time(7, 0), description="Emails about overdue milestones and reviews."),
    )

A job names a task (`django.tasks`) by its import path, so declaring one imports nothing; the
scheduler queues the task on the database task queue and the task worker runs it. A job runs
either every so often (`every`) or once a day at a local time (`daily_at`), never both.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.apps import apps
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.text import slugify


@dataclass(frozen=True)
class Job:
    title: str
    task: str  # import path of a `django.tasks` task taking no arguments
    description: str = ""
    every: dt.timedelta | None = None
    daily_at: dt.time | None = None

    def __post_init__(self) -> None:
        if (self.every is None) == (self.daily_at is None):
            raise ValueError(f"{self.title}: give either `every` or `daily_at`")
        if self.every is not None and self.every < dt.timedelta(minutes=1):
            raise ValueError(f"{self.title}: `every` must be at least a minute")

    @property
    def name(self) -> str:
        return slugify(self.title)

    def slot(self, now: dt.datetime) -> str:
        """The run this moment belongs to: a job runs once per slot. For `every`, slots are
        equal spans counted from the Unix epoch (so they do not drift with restarts); for
        `daily_at`, a slot is the local day once its time has come (before it, the day before)."""
        if self.every is not None:
            seconds = int(now.timestamp()) // int(self.every.total_seconds())
            return f"every-{int(self.every.total_seconds())}s-{seconds}"
        assert self.daily_at is not None
        local = timezone.localtime(now)
        day = local.date() if local.time() >= self.daily_at else local.date() - dt.timedelta(1)
        return f"daily-{self.daily_at:%H%M}-{day.isoformat()}"

    def when(self) -> str:
        if self.every is not None:
            minutes = int(self.every.total_seconds() // 60)
            if minutes % (60 * 24) == 0:
                days = minutes // (60 * 24)
                return "every day" if days == 1 else f"every {days} days"
            if minutes % 60 == 0:
                hours = minutes // 60
                return "every hour" if hours == 1 else f"every {hours} hours"
            return "every minute" if minutes == 1 else f"every {minutes} minutes"
        assert self.daily_at is not None
        return f"every day at {self.daily_at:%H:%M}"

    def load(self) -> object:
        """The task itself; an import error here is a mistake in the declaration."""
        return import_string(self.task)


def registered() -> list[Job]:
    """Every job the installed apps declare, in app order."""
    found: list[Job] = []
    for config in apps.get_app_configs():
        found.extend(getattr(config, "scheduled_jobs", ()))
    names = [job.name for job in found]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ValueError(f"scheduled jobs with the same name: {', '.join(duplicates)}")
    return found
