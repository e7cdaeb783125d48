from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class ProgrammeConfig(AppConfig):
    name = "alliance.programme"
    label = "programme"
    verbose_name = "Improvement programme"
    sections = (
        Section(
            "Improvement programme",
            "programme:index",
            "Partners, supported councils, two-year engagements, plans, milestones, funding and impact.",
            area=Area.PROGRAMME,
            order=30,
        ),
    )
