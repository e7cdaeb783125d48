from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class ScheduleConfig(AppConfig):
    name = "alliance.schedule"
    label = "schedule"
    verbose_name = "Scheduled jobs"
    sections = (
        Section(
            "Scheduled jobs",
            "schedule:jobs",
            "The reminders, escalations and clean-ups the service runs by itself, and when "
            "each last ran.",
            area=Area.AUDIT,
            order=91,
        ),
    )
