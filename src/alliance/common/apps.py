from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "alliance.common"
    label = "common"
    verbose_name = "Common"
