from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "alliance.organisations"
    label = "organisations"
    verbose_name = "Organisations"
    reference_loaders = ("alliance.organisations.loaders.load",)
    reference_order = 10
