from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class ReturnsConfig(AppConfig):
    name = "alliance.returns"
    label = "returns"
    verbose_name = "Statutory returns"
    sections = (
        Section(
            "Statutory returns",
            "returns:index",
            "Upload your SSDA903 and CIN census returns, see what the DfE's validation rules find, and your indicators beside your neighbours.",
            area=Area.RETURNS,
            order=20,
        ),
    )
