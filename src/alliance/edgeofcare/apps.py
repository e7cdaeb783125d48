from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class EdgeofcareConfig(AppConfig):
    name = "alliance.edgeofcare"
    label = "edgeofcare"
    verbose_name = "Edge of Care"
    sections = (
        Section(
            "Edge of Care",
            "edgeofcare:index",
            "Rapid support for families in crisis: referrals, response times, services, case work and outcomes.",
            area=Area.EDGE_OF_CARE,
            order=50,
        ),
    )
