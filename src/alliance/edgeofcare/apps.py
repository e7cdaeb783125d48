import datetime as dt

from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section
from alliance.schedule.jobs import Job


class EdgeofcareConfig(AppConfig):
    name = "alliance.edgeofcare"
    label = "edgeofcare"
    verbose_name = "Edge of Care"
    demo_loaders = ("alliance.edgeofcare.demo.load",)
    # imported ahead of time by each web process (alliance.config.gunicorn): seconds otherwise
    slow_imports = ("sklearn.linear_model",)
    reference_order = 80  # after the people and councils the demo families belong to
    sections = (
        Section(
            "Edge of Care",
            "edgeofcare:index",
            "Rapid support for families in crisis: referrals, response times, services, case work and outcomes.",
            area=Area.EDGE_OF_CARE,
            order=50,
        ),
        Section(
            "Edge of Care figures",
            "edgeofcare:dashboard",
            "Referrals, response times, services in use, outcomes and whether Edge of Care keeps children out of care.",
            area=Area.EDGE_OF_CARE_FIGURES,
            order=55,
        ),
    )
    scheduled_jobs = (
        Job(
            "Edge of Care escalations",
            "alliance.edgeofcare.tasks.escalate_missed_targets",
            description="Flags referrals about to miss their first-contact target and emails "
            "the team lead.",
            every=dt.timedelta(minutes=5),
        ),
        Job(
            "Edge of Care retention clean-up",
            "alliance.edgeofcare.tasks.purge_expired_records",
            description="Deletes closed family records past their retention period; each "
            "deletion is audited.",
            daily_at=dt.time(2, 30),
        ),
        Job(
            "Edge of Care outcomes from the returns",
            "alliance.edgeofcare.tasks.match_outcomes_from_returns",
            description="Fills whether supported children entered care or were referred again "
            "from the council's latest SSDA903 and CIN uploads, for the evaluation.",
            daily_at=dt.time(3, 0),
        ),
    )
