from django.apps import AppConfig

from alliance.common.navigation import Section


class NationalPictureConfig(AppConfig):
    name = "alliance.nationalpicture"
    label = "nationalpicture"
    verbose_name = "National picture"
    # Each module named here is fingerprinted by `load-reference --if-changed`: name the modules
    # holding the code, not the `loaders` module that only gathers them.
    reference_loaders = (
        "alliance.nationalpicture.judgement_loader.load",
        "alliance.nationalpicture.indicator_loader.load_indicators",
    )
    reference_order = 20
    sections = (
        Section(
            "National picture",
            "national-picture:index",
            "Every English council's Ofsted judgements and published figures, beside its statistical neighbours, region and England.",
            order=10,
        ),
    )
