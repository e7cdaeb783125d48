from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class ApiConfig(AppConfig):
    name = "alliance.api"
    label = "api"
    verbose_name = "API for councils' systems"
    sections = (
        Section(
            "API tokens",
            "api-tokens:list",
            "Issue and revoke the tokens councils' systems and analysts' scripts use to reach the API.",
            area=Area.PEOPLE,
            order=86,
        ),
    )
