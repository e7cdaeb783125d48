"""Money and spend reports: budget lines, spend and its corrections, spend profiles, the money export and submitting a spend report."""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Exists, OuterRef
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from alliance.access.policy import Action, Area, can, get_visible_or_404, guard, visible_to
from alliance.audit import services as audit
from alliance.common import charts
from alliance.common.exports import xlsx_response
from alliance.common.jinja import money as as_money
from alliance.common.query_values import whole_number
from alliance.programme import forecast, forms
from alliance.programme.models import (
    BudgetLine,
    Partner,
    Programme,
    SpendEntry,
)
from alliance.programme.quarters import quarters
from alliance.programme.services.money import (
    add_spend,
    burn_down,
    money_summary,
    reverse_spend,
    save_budget_line,
    save_profile,
    write_spend_workbook,
)
from alliance.programme.services.spend_reports import report_due, submit_spend_report
from alliance.programme.views.corrections import _record, _record_caption, _record_refused
from alliance.programme.views.shared import _form_page, _refuse, _saved, _today


@guard(Area.PROGRAMME)
def money(request: HttpRequest) -> HttpResponse:
    today = _today()
    partners = visible_to(
        request.user, Partner.objects.all(), Area.PROGRAMME, via="alliance"
    ).select_related("alliance", "programme")
    programme_id = whole_number(request.GET.get("programme", ""))
    programmes = Programme.objects.filter(pk__in=partners.values("programme_id"))
    programme = (
        programmes.filter(pk=programme_id).first()
        if programme_id is not None
        else programmes.first()
    )
    partners = partners.filter(programme=programme)
    lines = BudgetLine.objects.filter(partner__in=partners)
    summary = money_summary(lines, today)
    burn = None
    # Spend per day, read once for the quarters and the burn-down.
    by_day = forecast.actual_by_day([i.line for i in summary]) if summary else []
    if programme is not None and summary:
        labels, actual, planned = burn_down(programme, lines, today, by_day=by_day)
        burn = {
            "labels": labels,
            "actual": actual,
            "planned": planned,
            "chart": _burn_chart(labels, actual, planned),
        }
    reports = {
        p.pk: list(p.spend_reports.all())
        for p in partners.prefetch_related("spend_reports__submitted_by")
    }
    return render(
        request,
        "programme/money.html",
        {
            "title": "Funding and spend",
            "programme": programme,
            "programmes": programmes,
            "partners": [
                (
                    p,
                    can(request.user, Area.PROGRAMME, Action.CHANGE, p.alliance_id),
                    reports.get(p.pk, []),
                    report_due(p, today, reports.get(p.pk, [])),
                )
                for p in partners
            ],
            "quarters": forecast.quarter_table(programme, [i.line for i in summary], by_day)
            if programme is not None
            else [],
            "burn": burn,
            "any_profile": any(i.profiled for i in summary),
            "summary": summary,
            "totals": {
                k: sum(getattr(i, k) for i in summary)
                for k in ("spent", "forecast_to_date", "variance", "left")
            }
            | {"budget": sum(i.line.amount_pence for i in summary)},
            "may_export": can(request.user, Area.PROGRAMME, Action.EXPORT),
            "recent": SpendEntry.objects.filter(budget_line__in=lines).select_related(
                "budget_line__partner__alliance", "engagement__supported_council"
            )[:25],
        },
    )


def _partner_for_change(
    request: HttpRequest, partner_pk: int
) -> tuple[Partner, HttpResponse | None]:
    partner = get_visible_or_404(
        request,
        Partner.objects.select_related("alliance", "programme"),
        Area.PROGRAMME,
        via="alliance",
        pk=partner_pk,
    )
    if not can(request.user, Area.PROGRAMME, Action.CHANGE, partner.alliance_id):
        return partner, _refuse(request, Area.PROGRAMME, Action.CHANGE, partner)
    return partner, None


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def budget_line_new(request: HttpRequest, partner_pk: int) -> HttpResponse:
    partner, refused = _partner_for_change(request, partner_pk)
    if refused:
        return refused
    form = forms.BudgetLineForm(request.POST or None, instance=BudgetLine(partner=partner))
    if _saved(
        request,
        form,
        lambda: save_budget_line(form.save(commit=False), user=request.user),
        lambda: f"Budget line {form.cleaned_data['name']} added",
    ):
        return redirect(reverse("programme:money") + f"?programme={partner.programme_id}")
    return _form_page(
        request,
        form,
        title="Add a budget line",
        caption=partner.alliance.name,
        back=reverse("programme:money"),
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def spend_new(request: HttpRequest, partner_pk: int) -> HttpResponse:
    partner, refused = _partner_for_change(request, partner_pk)
    if refused:
        return refused
    form = forms.SpendForm(
        request.POST or None,
        instance=SpendEntry(entered_by=cast(Any, request.user)),
        partner=partner,
    )
    if _saved(
        request,
        form,
        lambda: add_spend(form.save(commit=False), user=request.user),
        "Spend recorded",
    ):
        return redirect(reverse("programme:money") + f"?programme={partner.programme_id}")
    return _form_page(
        request,
        form,
        title="Record spend",
        caption=partner.alliance.name,
        back=reverse("programme:money"),
        button="Record spend",
    )


@guard(Area.PROGRAMME, Action.EXPORT)
def money_export(request: HttpRequest) -> HttpResponseBase:
    partners = visible_to(
        request.user, Partner.objects.all(), Area.PROGRAMME, Action.EXPORT, via="alliance"
    )
    programme_id = whole_number(request.GET.get("programme", ""))
    programmes = Programme.objects.filter(pk__in=partners.values("programme_id"))
    programme = (
        programmes.filter(pk=programme_id).first()
        if programme_id is not None
        else programmes.first()
    )
    if programme is None:
        raise Http404("No programme")
    lines = BudgetLine.objects.filter(partner__in=partners.filter(programme=programme))
    today = _today()
    audit.record(
        request,
        audit.Action.EXPORT,
        programme,
        organisation_id=programme.organisation_id,
        detail={"what": "spend workbook"},
    )
    return xlsx_response(
        f"spend-{programme.pk}-{today:%Y-%m-%d}.xlsx",
        lambda book: write_spend_workbook(book, programme, lines, today),
    )


# ---------------------------------------------------------------------------------------------
# A budget line: its spend profile, forecast against actual by quarter, burn-down, its spend


def _line(request: HttpRequest, pk: int) -> BudgetLine:
    return get_visible_or_404(
        request,
        BudgetLine.objects.select_related("partner__programme", "partner__alliance"),
        Area.PROGRAMME,
        via="partner__alliance",
        pk=pk,
    )


def _burn_chart(labels: list[str], actual: list[float | None], planned: list[float]) -> Any:
    return charts.line_chart(
        "Budget left, actual and planned",
        "Budget left in pounds at the end of each month: actual to date, and planned from the "
        "spend profiles (even spend for a line without one)",
        [label if label.startswith(("Mar", "Sep")) else "" for label in labels],
        [charts.Series("Actual", actual), charts.Series("Planned", planned)],
        unit="£",
    )


@guard(Area.PROGRAMME)
def budget_line(request: HttpRequest, pk: int) -> HttpResponse:
    today = _today()
    line = _line(request, pk)
    programme = line.partner.programme
    lines = BudgetLine.objects.filter(pk=line.pk)
    summary = money_summary(lines, today)[0]
    by_day = forecast.actual_by_day([line])
    labels, actual, planned = burn_down(programme, lines, today, by_day=by_day)
    may_change = can(request.user, Area.PROGRAMME, Action.CHANGE, line.partner.alliance_id)
    return render(
        request,
        "programme/budget_line.html",
        {
            "title": f"{line.name}: budget line",
            "line": line,
            "programme": programme,
            "summary": summary,
            "quarters": forecast.quarter_table(programme, [line], by_day),
            "burn": {
                "labels": labels,
                "actual": actual,
                "planned": planned,
                "chart": _burn_chart(labels, actual, planned),
            },
            "spend": line.spend.select_related(
                "engagement__supported_council", "reported_in", "reverses"
            ).annotate(
                reversed_by_exists=Exists(SpendEntry.objects.filter(reverses=OuterRef("pk")))
            )[:200],
            "spend_count": line.spend.count(),
            "may_change": may_change,
            "today": today,
        },
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def profile_edit(request: HttpRequest, pk: int) -> HttpResponse:
    line = _line(request, pk)
    if not can(request.user, Area.PROGRAMME, Action.CHANGE, line.partner.alliance_id):
        return _refuse(request, Area.PROGRAMME, Action.CHANGE, line)
    programme = line.partner.programme
    all_quarters = quarters(programme.starts, programme.ends)
    current = dict(line.profile.values_list("quarter", "amount_pence"))
    if not current:  # a starting point: the even spread the forecast uses until a profile is set
        rows = forecast.quarter_table(programme, [line])
        current = {row.quarter.number: row.planned for row in rows}
    initial: dict[str, Any] = {"budget": line.amount_pence} | {
        f"q{number}": amount for number, amount in current.items()
    }
    form = forms.ProfileForm(
        request.POST if request.method == "POST" else None, initial=initial, quarters=all_quarters
    )
    if _saved(
        request,
        form,
        lambda: save_profile(
            line, form.planned(), budget=form.cleaned_data["budget"], user=request.user
        ),
        "Spend profile saved",
    ):
        return redirect("programme:budget-line", line.pk)
    return _form_page(
        request,
        form,
        title="Spend profile",
        caption=f"{line.name}, {line.partner.alliance.name}",
        back=reverse("programme:budget-line", args=[line.pk]),
        demo=programme.is_demo,
        intro="Plan how much of the line's budget you expect to spend in each quarter of the "
        "programme. The quarters must add up to the budget exactly; the forecast, variance and "
        "burn-down follow this profile.",
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def spend_correct(request: HttpRequest, pk: int) -> HttpResponse:
    """A correcting entry that reverses spend already included in a spend report."""
    spec, entry = _record(request, "spend", pk)
    refused = _record_refused(request, spec, entry)
    if refused is not None:
        return refused
    back = spec.back(entry)
    form = forms.CorrectionForm(
        request.POST if request.method == "POST" else None,
        initial={"spent_on": min(_today(), entry.budget_line.partner.programme.ends)},
    )
    if _saved(
        request,
        form,
        lambda: reverse_spend(
            entry,
            spent_on=form.cleaned_data["spent_on"],
            reason=form.cleaned_data["reason"],
            user=request.user,
        ),
        "Correcting entry recorded. If the spend should have been different, record the right "
        "figures as new spend",
    ):
        return redirect(back)
    return _form_page(
        request,
        form,
        title="Correct reported spend",
        caption=_record_caption(entry),
        back=back,
        button="Record correcting entry",
        details=[("Reported spend", str(entry))],
        intro="Spend included in a spend report stays as it was reported. A correcting entry of "
        "the same amount, negative, cancels it in the current quarter; then record the right "
        "figures, if any, as new spend.",
        demo=entry.budget_line.partner.programme.is_demo,
    )


@guard(Area.PROGRAMME, Action.CHANGE)
@require_http_methods(["GET", "POST"])
def spend_report_new(request: HttpRequest, partner_pk: int) -> HttpResponse:
    partner, refused = _partner_for_change(request, partner_pk)
    if refused:
        return refused
    today = _today()
    due = report_due(partner, today)
    back = reverse("programme:money") + f"?programme={partner.programme_id}"
    if due is None:
        return _form_page(
            request,
            None,
            title="Submit a spend report",
            caption=partner.alliance.name,
            back=back,
            warning="No spend report is due: the current quarter has not ended yet, or every "
            "quarter has been reported.",
        )
    lines = BudgetLine.objects.filter(partner=partner)
    row = forecast.quarter_table(partner.programme, list(lines))[due.number - 1]
    form = forms.SpendReportForm(request.POST if request.method == "POST" else None)
    if _saved(
        request,
        form,
        lambda: submit_spend_report(partner, due.number, today=today, user=request.user),
        f"Spend report for {due.label.lower()} submitted",
    ):
        return redirect(back)
    return _form_page(
        request,
        form,
        title=f"Submit the spend report for {due.label.lower()}",
        caption=partner.alliance.name,
        back=back,
        button="Submit spend report",
        details=[
            ("Quarter", due.period),
            ("Planned in the quarter", as_money(row.planned)),
            ("Spent in the quarter", as_money(row.actual)),
            ("Spent to the quarter's end", as_money(row.actual_to_date)),
        ],
        intro="Once submitted, the spend it reports is fixed: it cannot be changed or removed, "
        "and a mistake is put right by a correcting entry.",
        demo=partner.programme.is_demo,
    )
