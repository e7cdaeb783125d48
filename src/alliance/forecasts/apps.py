"""Demand and cost forecast: the pages over the Django-free `forecast` library."""

from django.apps import AppConfig

from alliance.access.policy import Area
from alliance.common.navigation import Section


class ForecastsConfig(AppConfig):
    name = "alliance.forecasts"
    label = "forecasts"
    verbose_name = "Demand and cost forecast"
    # `alliance load-reference` computes and stores the published-figures forecast and its
    # backtest, so the pages never read the published files themselves.
    reference_loaders = ("alliance.forecasts.published_figures.store",)
    reference_order = 40
    # a saved scenario for North Tyneside's forecast from returns and one for the alliance's
    demo_loaders = ("alliance.forecasts.demo.load",)
    sections = (
        Section(
            "Demand and cost forecast",
            "forecasts:index",
            "How many children each council is likely to look after in the next years, where, and at what cost, with scenarios.",
            area=Area.PUBLISHED_FORECAST,
            order=17,
        ),
    )
