import datetime as dt

from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section
from alliance.schedule.jobs import Job


class WorkplaceConfig(AppConfig):
    name = "alliance.workplace"
    label = "workplace"
    verbose_name = "WorkPlace"
    sections = (
        Section(
            "WorkPlace",
            "workplace:index",
            "Care leavers into education, employment and training: young people's records, "
            "leaving-care duties, careers advice, employers, opportunities and outcomes.",
            area=Area.WORKPLACE,
            order=40,
        ),
        Section(
            "WorkPlace figures",
            "workplace:outcomes",
            "Care leavers in education, employment or training beside the published figures, the "
            "opportunities pipeline and employers: the figures, not the young people's records.",
            area=Area.WORKPLACE_FIGURES,
            order=45,
        ),
        Section(
            "Your opportunities",
            "workplace:employer-home",
            "Post opportunities for care leavers and see who has applied.",
            area=Area.EMPLOYER_PORTAL,
            order=41,
        ),
        Section(
            "Your plan",
            "workplace:me",
            "Your plan, your next appointment and opportunities picked for you.",
            area=Area.MY_RECORD,
            order=42,
        ),
    )
    demo_loaders = ("alliance.workplace.demo.load",)
    scheduled_jobs = (
        Job(
            "WorkPlace duty reminders",
            "alliance.workplace.tasks.send_duty_reminders",
            description="Emails each personal adviser the leaving-care duties of their young "
            "people that are overdue or due within 14 days.",
            daily_at=dt.time(7, 15),
        ),
    )
