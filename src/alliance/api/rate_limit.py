"""Requests per token per minute, counted in the database (so every web process on every machine
shares one count), with windows older than an hour removed as new ones start."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from alliance.api.models import ApiToken, RateWindow


def per_minute() -> int:
    return int(settings.API_REQUESTS_PER_MINUTE)


def allow(token: ApiToken) -> tuple[bool, int]:
    """Count this request; (allowed, seconds until the next window)."""
    now = timezone.now()
    minute = now.replace(second=0, microsecond=0)
    with transaction.atomic():
        window, created = RateWindow.objects.get_or_create(token=token, minute=minute)
        RateWindow.objects.filter(pk=window.pk).update(count=F("count") + 1)
        if created:
            RateWindow.objects.filter(
                token=token, minute__lt=minute - dt.timedelta(hours=1)
            ).delete()
        count = RateWindow.objects.values_list("count", flat=True).get(pk=window.pk)
    retry_after = 60 - now.second
    return count <= per_minute(), retry_after
