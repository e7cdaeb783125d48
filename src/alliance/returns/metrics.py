"""The returns app's Prometheus metric (alliance.common.metrics collects it at each scrape): how
long upload checks took, as a histogram over every check decided so far, from the database."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Count, Q, Sum
from prometheus_client.core import HistogramMetricFamily
from prometheus_client.registry import Collector

from alliance.returns.models import Upload

BUCKETS = (5, 10, 30, 60, 120, 300, 600, 1800)


class ChecksCollector(Collector):
    def collect(self) -> Iterator[Any]:
        decided = Upload.objects.filter(status__in=Upload.FINISHED, seconds__isnull=False)
        found = decided.aggregate(
            total=Sum("seconds"),
            n=Count("id"),
            **{f"le_{b}": Count("id", filter=Q(seconds__lte=b)) for b in BUCKETS},
        )
        buckets = [(str(b), found[f"le_{b}"]) for b in BUCKETS]
        buckets.append(("+Inf", found["n"]))
        yield HistogramMetricFamily(
            "alliance_upload_check_seconds",
            "How long upload checks took",
            buckets=buckets,
            sum_value=found["total"] or 0.0,
        )
