"""The forecast from published figures: every council's children looked after 1-3 years ahead,
with the backtest that says how far to trust it. Published figures about councils only, so every
role with the forecast sees every council."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse

from alliance.access.policy import Action, Area, guard
from alliance.common.charts import PALETTE, Band, Series, line_chart
from alliance.common.exports import csv_response
from alliance.forecasts import published_figures, subjects
from alliance.organisations.models import Council
from forecast.precomputed import INTERVAL_COLUMNS, Figures, Spending

# The published history shown starts with LAIT (the older releases are chain-linked to it).
FIRST_SHOWN = 2016
METHOD_LABELS = {
    "naive persistence": "Naive persistence (no change from the last year)",
    "previous year's trend": "Previous year's trend continued",
    "model": "This forecast",
}
SPENDING_METHOD_LABELS = {
    "naive persistence": "Naive persistence (no change from the last year)",
    "typical council's rise": "This forecast: the typical council's recent yearly rise",
    "children x spending per child": "Children looked after forecast times spending per child",
}


def _councils() -> list[Council]:
    return list(Council.objects.order_by("name"))


@guard(Area.PUBLISHED_FORECAST)
def index(request: HttpRequest) -> HttpResponse:
    """What the forecast is, and whose forecasts the person may see."""
    figures = published_figures.current()
    return render(
        request,
        "forecasts/index.html",
        {
            "title": "Demand and cost forecast",
            "councils": _councils(),
            "figures": figures,
            "own": subjects.own_councils(request.user),
            "pooled": subjects.pooled_alliances(request.user),
        },
    )


@guard(Area.PUBLISHED_FORECAST)
def choose_council(request: HttpRequest) -> HttpResponse:
    """The council chooser's GET form: on to that council's page (back to the list if unknown)."""
    code = request.GET.get("council", "").strip()
    if Council.objects.filter(dfe_code=code).exists():
        return redirect("forecasts:published", dfe_code=code)
    return redirect(reverse("forecasts:index") + "?unknown=1#choose")


def forecast_chart(
    title: str,
    years: list[int],
    history: list[float | None],
    rows: list[dict[str, float]],
    *,
    unit: str = "",
    label: str = "children looked after at 31 March each year",
) -> Any:
    """History and forecast on one chart: the published figures as a line, the forecast as a
    dashed line from the last figure, with its 80% and 95% ranges shaded."""
    ahead = [int(r["year"]) for r in rows]
    categories = [*years, *ahead]
    last = history[-1] if history else None
    pad = [None] * (len(years) - 1)
    centre = [*pad, last, *(r["forecast"] for r in rows)]
    bands = [
        Band(
            "95% range",
            [*pad, last, *(r["lower95"] for r in rows)],
            [*pad, last, *(r["upper95"] for r in rows)],
            colour=PALETTE[0],
            opacity=0.15,
        ),
        Band(
            "80% range",
            [*pad, last, *(r["lower80"] for r in rows)],
            [*pad, last, *(r["upper80"] for r in rows)],
            colour=PALETTE[0],
            opacity=0.3,
        ),
    ]
    first, final = categories[0], categories[-1]
    return line_chart(
        title,
        f"Line chart of {label} from {first} to {years[-1]} as published, "
        f"and the forecast for {ahead[0]} to {final} with shaded 80% and 95% ranges. The same "
        "figures are in the table below.",
        [str(y) for y in categories],
        [
            Series("Published", [*history, *([None] * len(rows))], colour=PALETTE[2]),
            Series("Forecast", centre, colour=PALETTE[0]),
        ],
        bands=bands,
        unit=unit,
        whole_numbers=unit == "",
    )


def _shown_history(figures: Figures | Spending, code: str) -> tuple[list[int], list[float | None]]:
    years = figures.years()
    values = figures.history.get(code, [None] * len(years))
    keep = [i for i, y in enumerate(years) if y >= FIRST_SHOWN]
    return [years[i] for i in keep], [values[i] for i in keep]


@guard(Area.PUBLISHED_FORECAST)
def council(request: HttpRequest, dfe_code: str) -> HttpResponse:
    found = Council.objects.filter(dfe_code=dfe_code).first()
    if found is None:
        return render(
            request,
            "forecasts/no_such_council.html",
            {"title": "No council with that code", "code": dfe_code[:10]},
            status=404,
        )
    figures = published_figures.current()
    rows = figures.forecasts.get(found.dfe_code, [])
    years, history = _shown_history(figures, found.dfe_code)
    context: dict[str, Any] = {
        "title": f"Children looked after in {found.name}: forecast from published figures",
        "council": found,
        "figures": figures,
        "rows": rows,
        "history": list(zip(years, history, strict=True)),
        "latest": history[-1] if history else None,
    }
    if rows:
        context["chart"] = forecast_chart(
            f"Children looked after in {found.name} at 31 March: published and forecast",
            years,
            history,
            rows,
        )
    context.update(_spending(found, figures.spending))
    return render(request, "forecasts/published.html", context)


def _spending(found: Council, spending: Spending | None) -> dict[str, Any]:
    """The council's spending forecast, its published spending and how accurate the spending
    forecast has been (empty when the stored figures have no spending)."""
    if spending is None:
        return {}
    rows = spending.forecasts.get(found.dfe_code, [])
    years, history = _shown_history(spending, found.dfe_code)
    context: dict[str, Any] = {
        "spending": spending,
        "spending_rows": rows,
        "spending_history": list(zip(years, history, strict=True)),
        "spending_latest": history[-1] if history else None,
        "spending_accuracy": spending.accuracy(),
    }
    if rows:
        context["spending_chart"] = forecast_chart(
            f"Spending on children looked after by {found.name}: published and forecast",
            years,
            history,
            rows,
            unit="£",
            label="spending on children looked after in each financial year ending 31 March",
        )
    return context


@guard(Area.PUBLISHED_FORECAST, Action.EXPORT)
def council_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every council's forecast as the command `alliance forecast published` writes it, with
    the council's name and the 95% range."""
    figures = published_figures.current()
    names = dict(Council.objects.values_list("dfe_code", "name"))
    rows = [
        [
            code,
            names.get(code, ""),
            int(row["year"]),
            round(row["forecast"], 1),
            round(row["lower80"], 1),
            round(row["upper80"], 1),
            round(row["lower95"], 1),
            round(row["upper95"], 1),
        ]
        for code in sorted(figures.forecasts)
        for row in figures.forecasts[code]
    ]
    return csv_response(
        f"children-looked-after-forecast-from-{figures.origin}.csv",
        ["la_number", "council", "year", "forecast", "lower80", "upper80", "lower95", "upper95"],
        rows,
    )


@guard(Area.PUBLISHED_FORECAST, Action.EXPORT)
def spending_csv(request: HttpRequest) -> StreamingHttpResponse:
    """Every council's spending forecast as `alliance forecast published --measure spending`
    writes it (whole pounds), with the council's name and the 95% range."""
    spending = published_figures.current().spending
    names = dict(Council.objects.values_list("dfe_code", "name"))
    forecasts = {} if spending is None else spending.forecasts
    rows = [
        [code, names.get(code, ""), int(row["year"])]
        + [round(row[column]) for column in INTERVAL_COLUMNS]
        for code in sorted(forecasts)
        for row in forecasts[code]
    ]
    origin = published_figures.current().origin if spending is None else spending.origin
    return csv_response(
        f"spending-on-children-looked-after-forecast-from-{origin}.csv",
        ["la_number", "council", "year", *INTERVAL_COLUMNS],
        rows,
    )


@guard(Area.PUBLISHED_FORECAST)
def backtest(request: HttpRequest) -> HttpResponse:
    """How good the forecast was in past years, beside two simple methods."""
    figures = published_figures.current()
    horizons = sorted({int(r["horizon"]) for r in figures.backtest})
    by_method: dict[str, dict[int, dict[str, Any]]] = {}
    for row in figures.backtest:
        by_method.setdefault(row["method"], {})[int(row["horizon"])] = row
    chart = None
    if horizons:
        chart = line_chart(
            "Average error by years ahead",
            "Line chart of the mean absolute percentage error of each method one, two and three "
            "years ahead, over every council and origin year. The same figures are in the table "
            "below.",
            [f"{h} year{'s' if h > 1 else ''} ahead" for h in horizons],
            [
                Series(
                    METHOD_LABELS.get(m, m),
                    [rows[h]["mape"] if h in rows else None for h in horizons],
                )
                for m, rows in by_method.items()
            ],
            unit="%",
            whole_numbers=False,
        )
    return render(
        request,
        "forecasts/backtest.html",
        {
            "title": "How accurate the forecast from published figures is",
            "figures": figures,
            "rows": figures.backtest,
            "labels": METHOD_LABELS,
            "improvements": [(h, figures.improvement(h)) for h in horizons],
            "meets_goal": all((figures.improvement(h) or 0) >= 10 for h in (2, 3)),
            "ranges_hold": bool(by_method.get("model"))
            and all(75 <= row["coverage80"] <= 85 for row in by_method["model"].values()),
            "chart": chart,
            "spending": figures.spending,
            "spending_labels": SPENDING_METHOD_LABELS,
        },
    )
