from django.urls import path

from alliance.forecasts.views import from_returns, published, unit_costs

app_name = "forecasts"

urlpatterns = [
    path("", published.index, name="index"),
    path("published/", published.choose_council, name="choose"),
    path("published/forecast.csv", published.council_csv, name="published-csv"),
    path("published/spending.csv", published.spending_csv, name="published-spending-csv"),
    path("published/<str:dfe_code>/", published.council, name="published"),
    path("backtest/", published.backtest, name="backtest"),
    path("council/<str:dfe_code>/", from_returns.council, name="returns"),
    path("council/<str:dfe_code>/forecast.xlsx", from_returns.council_excel, name="returns-excel"),
    path("council/<str:dfe_code>/unit-costs/", unit_costs.view_costs, name="unit-costs"),
    path(
        "council/<str:dfe_code>/unit-costs/change/",
        unit_costs.change_costs,
        name="change-unit-costs",
    ),
    path(
        "council/<str:dfe_code>/scenarios/save/",
        from_returns.council_save_scenario,
        name="returns-save-scenario",
    ),
    path(
        "council/<str:dfe_code>/scenarios/<int:pk>/delete/",
        from_returns.council_delete_scenario,
        name="returns-delete-scenario",
    ),
    path("alliance/<slug:slug>/", from_returns.alliance, name="pooled"),
    path(
        "alliance/<slug:slug>/scenarios/save/",
        from_returns.alliance_save_scenario,
        name="pooled-save-scenario",
    ),
    path(
        "alliance/<slug:slug>/scenarios/<int:pk>/delete/",
        from_returns.alliance_delete_scenario,
        name="pooled-delete-scenario",
    ),
    path("alliance/<slug:slug>/forecast.xlsx", from_returns.alliance_excel, name="pooled-excel"),
]
