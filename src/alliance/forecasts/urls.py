from django.urls import path

from alliance.forecasts.views import published

app_name = "forecasts"

urlpatterns = [
    path("", published.index, name="index"),
    path("published/", published.choose_council, name="choose"),
    path("published/forecast.csv", published.council_csv, name="published-csv"),
    path("published/<str:dfe_code>/", published.council, name="published"),
    path("backtest/", published.backtest, name="backtest"),
]
