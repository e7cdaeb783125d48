import datetime as dt

from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section
from alliance.schedule.jobs import Job


class ProgrammeConfig(AppConfig):
    name = "alliance.programme"
    label = "programme"
    verbose_name = "Improvement programme"
    sections = (
        Section(
            "Improvement programme",
            "programme:index",
            "Engagements with supported councils: plans, milestones, reviews, spend and impact.",
            area=Area.PROGRAMME,
            order=30,
        ),
        Section(
            "Programme set-up",
            "programme:setup",
            "Programmes, partners in practice and their grant shares; who needs support and why; matching.",
            area=Area.PROGRAMME_SETUP,
            order=31,
        ),
        Section(
            "Programme at a glance",
            "programme:dfe-view",
            "Every alliance's engagements, spend against grant by quarter, milestones by RAG, "
            "risks and spend reports awaiting the DfE, on one page.",
            area=Area.PROGRAMME_SETUP,
            order=32,
        ),
    )
    # After the reference data and the demo people (accounts.demo.ensure_core_organisations).
    demo_loaders = ("alliance.programme.demo.load",)
    scheduled_jobs = (
        Job(
            "Programme reminders",
            "alliance.programme.tasks.send_programme_reminders",
            description="Emails alliance leads and milestone owners about overdue milestones "
            "and quarterly reviews due within 14 days.",
            daily_at=dt.time(7, 0),
        ),
    )
