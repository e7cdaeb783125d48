"""The forecast from a council's own returns (its analysts and leaders) and an alliance's pooled
forecast (its lead): children by kind of placement and age, spending from the unit costs, and a
scenario beside the baseline (typed, or saved under a name and opened again), with an Excel
download of the same figures. Each view is audited:
the figures come from children's records, though no child can be seen in them."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

import polars as pl
from django.contrib import messages as django_messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from alliance.access.policy import Action, Area, can, get_visible_or_404, guard
from alliance.audit import services as audit
from alliance.common.charts import PALETTE, Band, Series, line_chart
from alliance.common.exports import xlsx_response
from alliance.common.numbers import signed, with_minus
from alliance.edgeofcare import interface as edge_of_care
from alliance.forecasts import forms, from_returns, saved_scenarios, states, subjects
from alliance.forecasts.models import SavedScenario
from forecast.bottom_up.scenarios import compare
from statutory.engine.cells import write_row

SUPPRESS_BELOW = 5  # a forecast count under 5 is shown as "fewer than 5", as the returns pages do


def _count(value: float) -> str:
    rounded = round(value)
    return "fewer than 5" if 0 < rounded < SUPPRESS_BELOW else f"{rounded:,}"


def _pounds(value: float) -> str:
    """£12,345 or £1.2 million; a fall with a minus sign before the pound sign (−£12,345)."""
    size = abs(value)
    text = f"£{size / 1_000_000:,.1f} million" if size >= 1_000_000 else f"£{round(size):,}"
    return with_minus("-" + text) if value < 0 and text not in ("£0", "£0.0 million") else text


_ORDER = {state: i for i, state in enumerate([*states.STATES, states.ALL])}


def _rows(frame: pl.DataFrame, fmt: Any) -> list[dict[str, Any]]:
    """A projection's rows, year by year, the placements in their usual order, then the total."""
    frame = frame.with_columns(
        pl.col("state").replace_strict(_ORDER, default=len(_ORDER)).alias("order")
    ).sort("year", "order")
    return [
        {
            "year": r["year"],
            "state": states.label(r["state"]),
            **{k: fmt(r[k]) for k in ("mean", "lower80", "upper80", "lower95", "upper95")},
        }
        for r in frame.iter_rows(named=True)
    ]


def _chart(name: str, totals: pl.DataFrame, other: pl.DataFrame | None) -> Any:
    all_ = totals.filter(pl.col("state") == states.ALL).sort("year")
    years = [str(y) for y in all_["year"]]
    series = [Series("Baseline", all_["mean"].to_list(), colour=PALETTE[0])]
    bands = [
        Band("Baseline 80% range", all_["lower80"].to_list(), all_["upper80"].to_list(),
             colour=PALETTE[0], opacity=0.25),
    ]  # fmt: skip
    if other is not None:
        alt = other.filter(pl.col("state") == states.ALL).sort("year")
        series.append(Series("Scenario", alt["mean"].to_list(), colour=PALETTE[1]))
        bands.append(
            Band("Scenario 80% range", alt["lower80"].to_list(), alt["upper80"].to_list(),
                 colour=PALETTE[1], opacity=0.25)
        )  # fmt: skip
    return line_chart(
        f"Children looked after in {name} at 31 March: forecast",
        "Line chart of the forecast number of children looked after at 31 March each year"
        + (", baseline and scenario," if other is not None else "")
        + " with shaded 80% ranges. The same figures are in the tables below.",
        years,
        series,
        bands=bands,
        whole_numbers=True,
    )


def edge_of_care_change(organisation: Any, model: Any) -> dict[str, Any] | None:
    """The council's Edge of Care evaluation as a change in adolescents starting care: the
    children a year it says were kept out of care, against the adolescents (10-17) the returns
    show starting care a year. None when there is no estimate."""
    estimate = edge_of_care.kept_out_of_care(organisation)
    if estimate is None:
        return None
    recent = model.starters[-3:, 3:].sum() / max(len(model.starters[-3:]), 1)
    if recent <= 0:
        return None
    percent = max(-100.0, min(500.0, -100 * estimate.children_kept_out / recent))
    return {"estimate": estimate, "starters": recent, "percent": round(percent, 1)}


def _read_scenario(
    data: Mapping[str, Any] | None, edge: dict[str, Any] | None = None
) -> tuple[forms.ScenarioForm, Any, int]:
    initial = {"entry_10_15": edge["percent"], "entry_16_17": edge["percent"]} if edge else None
    form = forms.ScenarioForm(data or None, initial=initial)
    if not data or not form.is_valid():
        return form, None, from_returns.DEFAULT_HORIZON
    horizon = form.cleaned_data.get("horizon") or from_returns.DEFAULT_HORIZON
    return form, (form.scenario() if form.changes_anything() else None), horizon


def _context(name: str, result: from_returns.Forecast, scenario_result: Any) -> dict[str, Any]:
    projection = result.projection
    context: dict[str, Any] = {
        "name": name,
        "result": result,
        "totals": _rows(projection.totals, _count),
        "chart": _chart(
            name, projection.totals, scenario_result.projection.totals if scenario_result else None
        ),
        "spend": _rows(projection.spend, _pounds) if projection.spend is not None else [],
    }
    if scenario_result is not None:
        difference = compare(projection, scenario_result.projection)
        context["difference"] = [
            {
                "year": r["year"],
                "measure": r["measure"],
                **{
                    k: (_pounds if r["measure"] == "spend" else _signed)(r[k])
                    for k in (
                        "baseline",
                        "scenario",
                        "difference",
                        "lower80",
                        "upper80",
                        "lower95",
                        "upper95",
                    )
                },
            }
            for r in difference.iter_rows(named=True)
        ]
    return context


def _signed(value: float) -> str:
    return signed(value, 0)


def _forecast(subject: subjects.Subject, horizon: int, scenario: Any = None) -> Any:
    if subject.pooled:
        return from_returns.pooled_forecast(
            subject.organisation, horizon=horizon, scenario=scenario
        )
    return from_returns.council_forecast(subject.organisation, horizon=horizon, scenario=scenario)


def _refusal(
    request: HttpRequest, subject: subjects.Subject, refusal: Any, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "forecasts/not_enough.html",
        {"title": f"No forecast from returns for {subject.name} yet", "name": subject.name,
         "reasons": refusal.messages, "council": subject.council},
        status=status,
    )  # fmt: skip


def _edge(subject: subjects.Subject) -> dict[str, Any] | None:
    """A council's Edge of Care estimate as a change in adolescents starting care (none for an
    alliance's pooled forecast, nor when there are too few returns: the page then says why)."""
    if subject.pooled:
        return None
    with contextlib.suppress(from_returns.NotEnoughReturns):
        model = from_returns.council_model(subject.organisation)[0]
        return edge_of_care_change(subject.organisation, model)
    return None


def _saved_or_404(
    request: HttpRequest, subject: subjects.Subject, pk: Any, action: Action = Action.VIEW
) -> SavedScenario:
    """A scenario saved for this subject's forecast that the person may see (or change), else
    404; one of another organisation's is refused and the attempt audited by the access policy."""
    try:
        number = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such saved scenario") from None
    found = get_visible_or_404(
        request,
        SavedScenario.objects.select_related("organisation"),
        subject.area,
        action,
        pk=number,
    )
    if found.organisation_id != subject.organisation.pk:
        raise Http404("No such saved scenario")
    return found


def _scenario_data(
    request: HttpRequest, subject: subjects.Subject
) -> tuple[Mapping[str, Any] | None, SavedScenario | None]:
    """What the scenario form shows: a saved scenario (`?saved=<number>`), or what was typed."""
    if "saved" in request.GET:
        scenario = _saved_or_404(request, subject, request.GET["saved"])
        return saved_scenarios.opened(request, scenario), scenario
    return (request.GET or None), None


def _query(form: forms.ScenarioForm) -> str:
    """The scenario as the page's query string (for the Excel link)."""
    return urlencode({k: form.data[k] for k in form.fields if form.data.get(k) not in (None, "")})


def _page(
    request: HttpRequest,
    subject: subjects.Subject,
    data: Mapping[str, Any] | None = None,
    save_error: str = "",
) -> HttpResponse:
    """A council's or an alliance's forecast page: the baseline, the scenario asked for (or
    opened, or being saved: `data`), and the scenarios saved for it."""
    edge = _edge(subject)
    opened = None
    if data is None:
        data, opened = _scenario_data(request, subject)
    form, scenario, horizon = _read_scenario(data, edge)
    audit.record(request, audit.Action.VIEW, subject.organisation, object_repr=subject.described)
    try:
        result = _forecast(subject, horizon)
    except from_returns.NotEnoughReturns as refusal:
        return _refusal(request, subject, refusal)
    changed = _forecast(subject, horizon, scenario) if scenario else None
    return render(
        request,
        "forecasts/from_returns.html",
        {
            "title": subject.title,
            "subject": subject,
            "council": subject.council,
            "edge": edge,
            "form": form,
            "excel": _query(form),
            "saved": saved_scenarios.saved(subject.organisation),
            "opened": opened,
            "may_save": can(request.user, subject.area, Action.CHANGE, subject.organisation),
            "save_error": save_error,
            "name_typed": (data or {}).get("name", opened.name if opened else ""),
            **_context(subject.name, result, changed),
        },
        status=400 if save_error else 200,
    )


@guard(Area.FORECAST)
def council(request: HttpRequest, dfe_code: str) -> HttpResponse:
    return _page(request, subjects.council_subject(request, dfe_code))


@guard(Area.POOLED_FORECAST)
def alliance(request: HttpRequest, slug: str) -> HttpResponse:
    return _page(request, subjects.pooled_subject(request, slug))


def _workbook(name: str, context: dict[str, Any]) -> Any:
    def build(book: Any) -> None:
        bold = book.add_format({"bold": True})
        header = [
            "Year",
            "Placement",
            "Forecast",
            "80% range from",
            "80% range to",
            "95% range from",
            "95% range to",
        ]
        for title, rows in (("Children", context["totals"]), ("Spending", context["spend"])):
            if not rows:
                continue
            sheet = book.add_worksheet(title)
            write_row(
                sheet, 0, 0, [f"{name}: {title.lower()} forecast from its SSDA903 returns"], bold
            )
            write_row(sheet, 1, 0, header, bold)
            for i, r in enumerate(rows, start=2):
                write_row(
                    sheet,
                    i,
                    0,
                    [
                        r["year"],
                        r["state"],
                        r["mean"],
                        r["lower80"],
                        r["upper80"],
                        r["lower95"],
                        r["upper95"],
                    ],
                )
            sheet.set_column(1, 1, 48)
            sheet.set_column(2, 6, 16)
        if context.get("difference"):
            sheet = book.add_worksheet("Scenario")
            write_row(sheet, 0, 0, [f"{name}: scenario against baseline"], bold)
            write_row(sheet, 1, 0, ["Year", "Measure", "Baseline", "Scenario", "Difference",
                                    "80% range from", "80% range to", "95% range from", "95% range to"], bold)  # fmt: skip
            for i, r in enumerate(context["difference"], start=2):
                write_row(sheet, i, 0, [r["year"], r["measure"], r["baseline"], r["scenario"], r["difference"],
                                        r["lower80"], r["upper80"], r["lower95"], r["upper95"]])  # fmt: skip
            sheet.set_column(1, 8, 18)

    return build


def _excel(request: HttpRequest, subject: subjects.Subject) -> HttpResponse:
    """The page's figures, baseline and scenario, as an Excel workbook."""
    _form, scenario, horizon = _read_scenario(_scenario_data(request, subject)[0])
    try:
        result = _forecast(subject, horizon)
    except from_returns.NotEnoughReturns as refusal:
        return _refusal(request, subject, refusal, status=404)
    changed = _forecast(subject, horizon, scenario) if scenario else None
    context = _context(subject.name, result, changed)
    audit.record(
        request,
        audit.Action.DOWNLOAD,
        subject.organisation,
        object_repr=f"{subject.described} (Excel)",
    )
    return xlsx_response(f"{subject.file_name}.xlsx", _workbook(subject.name, context))  # type: ignore[return-value]


@guard(Area.FORECAST, Action.EXPORT)
def council_excel(request: HttpRequest, dfe_code: str) -> HttpResponse:
    return _excel(request, subjects.council_subject(request, dfe_code, Action.EXPORT))


@guard(Area.POOLED_FORECAST, Action.EXPORT)
def alliance_excel(request: HttpRequest, slug: str) -> HttpResponse:
    return _excel(request, subjects.pooled_subject(request, slug, Action.EXPORT))


def _save(request: HttpRequest, subject: subjects.Subject) -> HttpResponse:
    """Save the scenario shown under the name typed, then show it opened; or the page again
    with the reason it was not saved."""
    form = forms.ScenarioForm(request.POST)
    if not form.is_valid():
        return _page(request, subject, request.POST)
    if not form.changes_anything():
        error = "Change at least one thing from the baseline before saving a scenario"
        return _page(request, subject, request.POST, error)
    try:
        found, replaced = saved_scenarios.save(
            request,
            subject.organisation,
            request.POST.get("name", ""),
            saved_scenarios.values_of(form),
        )
    except ValidationError as exc:
        return _page(request, subject, request.POST, exc.messages[0])
    django_messages.success(
        request,
        f"Scenario '{found.name}' saved"
        + (", in place of the one saved before under that name" if replaced else ""),
    )
    return redirect(f"{subject.url()}?saved={found.pk}")


def _delete(request: HttpRequest, subject: subjects.Subject, pk: int) -> HttpResponse:
    found = _saved_or_404(request, subject, pk, Action.CHANGE)
    name = found.name
    saved_scenarios.delete(request, found)
    django_messages.success(request, f"Scenario '{name}' deleted")
    return redirect(f"{subject.url()}#saved-scenarios")


@require_POST
@guard(Area.FORECAST, Action.CHANGE)
def council_save_scenario(request: HttpRequest, dfe_code: str) -> HttpResponse:
    return _save(request, subjects.council_subject(request, dfe_code, Action.CHANGE))


@require_POST
@guard(Area.POOLED_FORECAST, Action.CHANGE)
def alliance_save_scenario(request: HttpRequest, slug: str) -> HttpResponse:
    return _save(request, subjects.pooled_subject(request, slug, Action.CHANGE))


@require_POST
@guard(Area.FORECAST, Action.CHANGE)
def council_delete_scenario(request: HttpRequest, dfe_code: str, pk: int) -> HttpResponse:
    return _delete(request, subjects.council_subject(request, dfe_code, Action.CHANGE), pk)


@require_POST
@guard(Area.POOLED_FORECAST, Action.CHANGE)
def alliance_delete_scenario(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    return _delete(request, subjects.pooled_subject(request, slug, Action.CHANGE), pk)
