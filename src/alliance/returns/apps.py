from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


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
