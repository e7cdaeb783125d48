from django.apps import AppConfig

from alliance.common.navigation import Section


class NationalPictureConfig(AppConfig):
    name = "alliance.nationalpicture"
    label = "nationalpicture"
    verbose_name = "National picture"
    reference_loaders = ("alliance.nationalpicture.loaders.load",)
    reference_order = 20
    sections = (
        Section(
            "National picture",
            "national-picture:index",
            "Every English council's Ofsted judgements and published figures, beside its statistical neighbours, region and England.",
            order=10,
        ),
    )
