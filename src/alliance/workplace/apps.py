from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class WorkplaceConfig(AppConfig):
    name = "alliance.workplace"
    label = "workplace"
    verbose_name = "WorkPlace"
    sections = (
        Section(
            "WorkPlace",
            "workplace:index",
            "Care leavers into education, employment and training: young people's records, careers advice, employers and opportunities.",
            area=Area.WORKPLACE,
            order=40,
        ),
    )
