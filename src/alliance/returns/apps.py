import datetime as dt

from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section
from alliance.schedule.jobs import Job


class ReturnsConfig(AppConfig):
    name = "alliance.returns"
    label = "returns"
    verbose_name = "Statutory returns"
    demo_loaders = ("alliance.returns.demo.load",)
    sections = (
        Section(
            "Statutory returns",
            "returns:index",
            "Upload your SSDA903 and CIN census returns, see what the DfE's validation rules find, and your indicators beside your neighbours.",
            area=Area.RETURNS,
            order=20,
        ),
        Section(
            "Pooled returns",
            "returns:pooled",
            "The pseudonymised records your alliance's councils have agreed to share, and their indicators side by side.",
            area=Area.POOLED_RETURNS,
            order=21,
        ),
        Section(
            "Aggregate figures",
            "returns:aggregates",
            "Counts from councils' returns with small numbers suppressed, as official statistics publish them.",
            area=Area.AGGREGATES,
            order=22,
        ),
    )
    # a task worker runs these at start and every few seconds (alliance.schedule.liveness)
    worker_housekeeping = ("alliance.returns.recovery.requeue_stalled_checks",)
    # collected at each scrape of /metrics/ (alliance.common.metrics)
    metrics_collectors = ("alliance.returns.metrics.ChecksCollector",)
    scheduled_jobs = (
        Job(
            "Returns findings retention clean-up",
            "alliance.returns.tasks.remove_expired_findings",
            description="Deletes the findings of uploads checked longer ago than the retention "
            "period (ALLIANCE_FINDINGS_RETENTION_DAYS); the counts stay. With object storage, "
            "also deletes files there that no upload should still have.",
            daily_at=dt.time(2, 30),
        ),
    )
