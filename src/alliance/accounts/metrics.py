"""The accounts app's Prometheus metric (alliance.common.metrics collects it at each scrape):
failed sign-ins in the last 15 minutes, from the sign-in record."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.utils import timezone
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from alliance.accounts.models import SignInAttempt


class SignInFailuresCollector(Collector):
    def collect(self) -> Iterator[Any]:
        failures = SignInAttempt.objects.filter(
            succeeded=False, at__gte=timezone.now() - dt.timedelta(minutes=15)
        ).count()
        yield GaugeMetricFamily(
            "alliance_sign_in_failures_last_15_minutes", "Failed sign-ins", value=failures
        )
