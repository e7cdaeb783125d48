from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class OrganisationsConfig(AppConfig):
    name = "alliance.organisations"
    label = "organisations"
    verbose_name = "Organisations"
    reference_loaders = ("alliance.organisations.loaders.load",)
    reference_order = 10
    sections = (
        Section(
            "Organisations",
            "organisations:list",
            "Councils, alliances, the DfE and employers, their people, and each alliance's councils.",
            area=Area.PEOPLE,
            order=86,
        ),
    )
