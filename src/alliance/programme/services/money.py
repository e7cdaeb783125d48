"""Money: budget lines, spend and its corrections, spend profiles, forecasts and burn-down, and the spend workbook."""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum

from alliance.programme import forecast
from alliance.programme.history import record_change, snapshot
from alliance.programme.models import (
    BudgetLine,
    Partner,
    PlannedSpend,
    Programme,
    SpendEntry,
    SpendReport,
)
from alliance.programme.money import pounds_and_pence
from alliance.programme.quarters import Quarter, quarters
from alliance.programme.services.records import BUDGET_FIELDS, SPEND_FIELDS, _money, _save
from statutory.engine.cells import neutralise, new_workbook, write_row

# ---------------------------------------------------------------------------------------------
# Money


def _lock_partner(partner_id: int) -> Partner:
    """Spend, budget lines, profiles and spend reports of one partner are checked and saved one at
    a time: the partner's row is locked for the transaction (PostgreSQL; SQLite writes one at a
    time anyway)."""
    return Partner.objects.select_for_update().select_related("programme").get(pk=partner_id)


def reported_to(partner_id: int) -> SpendReport | None:
    """The partner's latest submitted spend report: spend dated up to its end is fixed."""
    return SpendReport.objects.filter(partner_id=partner_id).order_by("-quarter").first()


def spend_fixed(entry: SpendEntry) -> str:
    """Why a spend entry can no longer be changed or removed, or "" when it can."""
    if entry.reported_in_id:
        ends = SpendReport.objects.get(pk=entry.reported_in_id).period_ends
        return (
            f"This spend was reported in the spend report to {ends.day} {ends:%B %Y}, so it cannot "
            "be changed or removed. Record a correcting entry that reverses it instead"
        )
    return ""


@transaction.atomic
def save_budget_line(line: BudgetLine, *, user: Any) -> BudgetLine:
    partner = _lock_partner(line.partner_id)

    def check() -> None:
        check_budget_line(line, partner)
        if line.pk:
            old = BudgetLine.objects.get(pk=line.pk).amount_pence
            planned = PlannedSpend.objects.filter(budget_line=line).aggregate(
                t=Sum("amount_pence")
            )["t"]
            if planned is not None and old != line.amount_pence:
                raise ValidationError(
                    {
                        "amount": f"This line has a spend profile adding up to {_money(planned)}: "
                        "change the budget on the spend profile page, where the quarters change "
                        "with it"
                    }
                )

    result: BudgetLine = _save(line, user=user, check=check)
    return result


def check_budget_line(line: BudgetLine, partner: Partner) -> None:
    """A budget is £0 or more, the partner's lines add up to no more than its grant share, and a
    line's budget is never less than what has been spent from it."""
    if line.amount_pence < 0:
        raise ValidationError({"amount": "Budget must be £0 or more"})
    others = (
        BudgetLine.objects.filter(partner=partner)
        .exclude(pk=line.pk)
        .aggregate(t=Sum("amount_pence"))["t"]
        or 0
    )
    if others + line.amount_pence > partner.grant_share_pence:
        raise ValidationError(
            {
                "amount": f"Budget lines must add up to no more than the partner's grant share of "
                f"{_money(partner.grant_share_pence)}: {_money(partner.grant_share_pence - others)} is left"
            }
        )
    spent = (
        (SpendEntry.objects.filter(budget_line=line).aggregate(t=Sum("amount_pence"))["t"] or 0)
        if line.pk
        else 0
    )
    if line.amount_pence < spent:
        raise ValidationError(
            {"amount": f"Budget cannot be less than the {_money(spent)} already spent"}
        )


def _check_spend_date(entry: SpendEntry, programme: Programme, partner_id: int) -> None:
    if not (programme.starts <= entry.spent_on <= programme.ends):
        raise ValidationError(
            {
                "spent_on": f"Date spent must be within the programme, between "
                f"{programme.starts.day} {programme.starts:%B %Y} and {programme.ends.day} {programme.ends:%B %Y}"
            }
        )
    last = reported_to(partner_id)
    if last is not None and entry.spent_on <= last.period_ends:
        raise ValidationError(
            {
                "spent_on": f"Date spent must be after {last.period_ends.day} "
                f"{last.period_ends:%B %Y}: the spend report to then has been submitted, so "
                "spend up to then is fixed"
            }
        )


@transaction.atomic
def save_spend(entry: SpendEntry, *, user: Any) -> SpendEntry:
    """Record or correct spend against a budget line: positive, dated within the programme and after
    the last spend report, and never more than the line has left. The partner is locked while
    checking, so two people cannot overspend a line. Spend included in a spend report is fixed."""
    line = BudgetLine.objects.select_related("partner__programme").get(pk=entry.budget_line_id)
    partner = _lock_partner(line.partner_id)
    programme = partner.programme
    if entry.pk:
        original = SpendEntry.objects.select_related("budget_line").get(pk=entry.pk)
        refusal = spend_fixed(original) or (
            "A correcting entry cannot be changed: remove it, with the reason, if it is wrong"
            if original.reverses_id
            else ""
        )
        if refusal:
            raise ValidationError(refusal)
        if original.budget_line.partner_id != partner.pk:
            raise ValidationError({"budget_line": "Choose one of this partner's budget lines"})

    def check() -> None:
        if entry.amount_pence <= 0:
            raise ValidationError({"amount": "Amount must be more than £0"})
        _check_spend_date(entry, programme, partner.pk)
        if entry.engagement_id and entry.engagement.partner_id != partner.pk:  # type: ignore[union-attr]
            raise ValidationError({"engagement": "Choose an engagement this partner runs"})
        spent = (
            SpendEntry.objects.filter(budget_line=line)
            .exclude(pk=entry.pk)
            .aggregate(t=Sum("amount_pence"))["t"]
            or 0
        )
        left = line.amount_pence - spent
        if entry.amount_pence > left:
            raise ValidationError(
                {
                    "amount": f"Amount must be no more than the {_money(left)} left on "
                    f"{line.name} (budget {_money(line.amount_pence)}, spent {_money(spent)})"
                }
            )

    result: SpendEntry = _save(entry, user=user, check=check)
    return result


add_spend = save_spend


@transaction.atomic
def reverse_spend(entry: SpendEntry, *, spent_on: dt.date, reason: str, user: Any) -> SpendEntry:
    """Put right spend already included in a spend report: a correcting entry of the same amount,
    negative, dated in the current (unreported) period, linked to the one it reverses. The reported
    entry itself stays as it was reported."""
    partner = _lock_partner(entry.budget_line.partner_id)
    entry = SpendEntry.objects.select_related("budget_line").get(pk=entry.pk)
    reason = (reason or "").strip()
    if not entry.reported_in_id:
        raise ValidationError(
            "This spend has not been included in a spend report yet: change or remove it instead"
        )
    if entry.reverses_id:
        raise ValidationError("A correcting entry is not itself reversed")
    if SpendEntry.objects.filter(reverses=entry).exists():
        raise ValidationError("This spend has already been reversed by a correcting entry")
    if not reason:
        raise ValidationError({"reason": "Enter why the spend is being corrected"})
    correction = SpendEntry(
        budget_line=entry.budget_line,
        engagement=entry.engagement,
        spent_on=spent_on,
        amount_pence=-entry.amount_pence,
        description=f"Correction of {entry.evidence}: {entry.description}"[:300],
        evidence=reason[:300],
        entered_by=user if getattr(user, "is_authenticated", False) else None,
        reverses=entry,
    )
    _check_spend_date(correction, partner.programme, partner.pk)
    correction.save()
    record_change(
        user=user,
        obj=correction,
        programme=partner.programme,
        organisation_id=partner.alliance_id,
        before=None,
        after=snapshot(correction, SPEND_FIELDS),
        engagement=correction.engagement,
        action="reversed",
        reason=reason,
    )
    return correction


@dataclass
class LineSummary:
    line: BudgetLine
    spent: int
    forecast_to_date: int
    profiled: bool = False  # the forecast comes from the line's spend profile, not even spend

    @property
    def left(self) -> int:
        return self.line.amount_pence - self.spent

    @property
    def variance(self) -> int:
        """Actual minus forecast to date: positive means spending ahead of plan."""
        return self.spent - self.forecast_to_date


def forecast_to(line_amount: int, programme: Programme, day: dt.date) -> int:
    """The budget spread evenly over the programme's days: the forecast of a line without a spend
    profile (`forecast.planned_to` uses the profile where there is one)."""
    return forecast.even_to(line_amount, programme, day)


def money_summary(lines: QuerySet[BudgetLine], today: dt.date) -> list[LineSummary]:
    found = list(
        lines.select_related("partner__alliance", "partner__programme").annotate(
            spent_total=Sum("spend__amount_pence")
        )
    )
    by_line = forecast.profiles(found)
    return [
        LineSummary(
            line,
            line.spent_total or 0,
            forecast.planned_to(
                line.amount_pence, by_line.get(line.pk), line.partner.programme, today
            ),
            line.pk in by_line,
        )
        for line in found
    ]


def burn_down(
    programme: Programme,
    lines: QuerySet[BudgetLine],
    today: dt.date | None = None,
    by_day: list[tuple[dt.date, int]] | None = None,
) -> tuple[list[str], list[float | None], list[float]]:
    """Budget left at the end of each month of the programme, actual (to today) and planned, in
    pounds, for the burn-down chart. Planned follows each line's spend profile (even spend for a
    line without one)."""
    today = today or dt.date.today()
    chosen = list(lines.only("pk", "amount_pence"))
    budget = sum(line.amount_pence for line in chosen)
    by_line = forecast.profiles(chosen)
    all_quarters = quarters(programme.starts, programme.ends)
    by_month: dict[tuple[int, int], int] = defaultdict(int)
    for day, amount in forecast.actual_by_day(chosen) if by_day is None else by_day:
        by_month[(day.year, day.month)] += amount
    labels: list[str] = []
    actual: list[float | None] = []
    planned: list[float] = []
    year, month = programme.starts.year, programme.starts.month
    running = budget
    while (year, month) <= (programme.ends.year, programme.ends.month):
        month_end = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        running -= by_month.get((year, month), 0)
        labels.append(f"{month_end:%b %Y}")
        actual.append(running / 100 if dt.date(year, month, 1) <= today else None)
        day = min(month_end, programme.ends)
        planned_spend = sum(
            forecast.planned_to(
                line.amount_pence, by_line.get(line.pk), programme, day, all_quarters
            )
            for line in chosen
        )
        planned.append((budget - planned_spend) / 100)
        month += 1
        if month > 12:
            year, month = year + 1, 1
    return labels, actual, planned


@transaction.atomic
def save_profile(
    line: BudgetLine,
    planned: dict[int, int],
    *,
    budget: int | None = None,
    user: Any,
) -> BudgetLine:
    """Set a budget line's spend profile: an amount for every quarter of the programme, each £0 or
    more, adding up to the line's budget to the penny. The budget may change in the same save
    (checked as any budget change is), so the two never disagree."""
    partner = _lock_partner(line.partner_id)
    line = BudgetLine.objects.select_for_update().get(pk=line.pk)
    all_quarters = quarters(partner.programme.starts, partner.programme.ends)
    errors: dict[str, str] = {}
    for quarter in all_quarters:
        amount = planned.get(quarter.number)
        if amount is None:
            errors[f"q{quarter.number}"] = f"Enter the amount planned for {quarter.label.lower()}"
        elif amount < 0:
            errors[f"q{quarter.number}"] = f"{quarter.label} must be £0 or more"
    if set(planned) - {q.number for q in all_quarters}:
        errors["__all__"] = "The programme has no such quarter"
    if errors:
        raise ValidationError(errors)
    before_budget = snapshot(line, BUDGET_FIELDS)
    if budget is not None and budget != line.amount_pence:
        line.amount_pence = budget
        check_budget_line(line, partner)
    total = sum(planned.values())
    if total != line.amount_pence:
        gap = line.amount_pence - total
        raise ValidationError(
            f"The quarters add up to {_money(total)}: they must add up to the budget of "
            f"{_money(line.amount_pence)} ({_money(abs(gap))} {'more' if gap > 0 else 'less'})"
        )

    def key(quarter: Quarter) -> str:
        return f"Planned for {quarter.label.lower()} ({quarter.period})"

    old = dict(PlannedSpend.objects.filter(budget_line=line).values_list("quarter", "amount_pence"))
    before = {
        key(q): pounds_and_pence(old[q.number]) if q.number in old else "" for q in all_quarters
    }
    after = {key(q): pounds_and_pence(planned[q.number]) for q in all_quarters}
    line.save()
    PlannedSpend.objects.filter(budget_line=line).delete()
    PlannedSpend.objects.bulk_create(
        PlannedSpend(budget_line=line, quarter=q.number, amount_pence=planned[q.number])
        for q in all_quarters
    )
    record_change(
        user=user,
        obj=line,
        programme=partner.programme,
        organisation_id=partner.alliance_id,
        before=before_budget | before,
        after=snapshot(line, BUDGET_FIELDS) | after,
    )
    return line


# ---------------------------------------------------------------------------------------------
# Export


EXCEL_EPOCH = dt.date(1899, 12, 30)


def excel_day(day: dt.date) -> int:
    """A date as Excel's serial day number (1 January 1900 is day 1, after Excel's leap-year
    quirk), shown as a date by the cell's number format."""
    return (day - EXCEL_EPOCH).days


def spend_workbook(programme: Programme, lines: QuerySet[BudgetLine], today: dt.date) -> bytes:
    """The spend workbook (see `write_spend_workbook`) as bytes."""
    buffer = io.BytesIO()
    book = new_workbook(buffer, {"in_memory": True})
    write_spend_workbook(book, programme, lines, today)
    book.close()
    return buffer.getvalue()


def write_spend_workbook(
    book: Any, programme: Programme, lines: QuerySet[BudgetLine], today: dt.date
) -> None:
    """An Excel workbook for spend reports: a summary per budget line (budget, forecast to date,
    actual, variance, left) and every spend entry, amounts in pounds with a currency format (the
    figures come from whole pence, so they are exact to the penny). Every text cell goes through
    `statutory.engine.cells`, so a budget line named "=..." is shown, never run."""
    bold = book.add_format({"bold": True})
    pounds = book.add_format({"num_format": "£#,##0.00"})
    date_format = book.add_format({"num_format": "d mmm yyyy"})
    summary = book.add_worksheet("Summary")
    write_row(summary, 0, 0, [programme.name], bold)
    write_row(
        summary,
        1,
        0,
        [
            f"As at {today.day} {today:%B %Y}"
            + (" — Demo data: fictional" if programme.is_demo else "")
        ],
    )
    headers = [
        "Partner",
        "Budget line",
        "Kind",
        "Budget",
        "Forecast to date",
        "Actual",
        "Variance",
        "Left",
    ]
    write_row(summary, 3, 0, headers, bold)
    row = 4
    for item in money_summary(lines, today):
        write_row(
            summary,
            row,
            0,
            [str(item.line.partner.alliance), item.line.name, item.line.get_kind_display()],
        )
        for col, pence in enumerate(
            (item.line.amount_pence, item.forecast_to_date, item.spent, item.variance, item.left),
            start=3,
        ):
            summary.write_number(row, col, pence / 100, pounds)
        row += 1
    summary.set_column(0, 2, 28)
    summary.set_column(3, 7, 16)
    profile_sheet = book.add_worksheet("Forecast by quarter")
    write_row(
        profile_sheet,
        0,
        0,
        [
            "Partner",
            "Budget line",
            "Forecast from",
            "Quarter",
            "From",
            "To",
            "Forecast",
            "Actual",
            "Variance",
        ],
        bold,
    )
    row = 1
    chosen = list(lines.select_related("partner__alliance"))
    by_line = forecast.profiles(chosen)
    for line in chosen:
        for q in forecast.quarter_table(programme, [line]):
            write_row(
                profile_sheet,
                row,
                0,
                [
                    str(line.partner.alliance),
                    line.name,
                    "Spend profile" if line.pk in by_line else "Even spend (no profile)",
                    q.quarter.number,
                ],
            )
            profile_sheet.write_datetime(
                row, 4, dt.datetime.combine(q.quarter.starts, dt.time()), date_format
            )
            profile_sheet.write_datetime(
                row, 5, dt.datetime.combine(q.quarter.ends, dt.time()), date_format
            )
            for col, pence in enumerate((q.planned, q.actual, q.variance), start=6):
                profile_sheet.write_number(row, col, pence / 100, pounds)
            row += 1
    profile_sheet.set_column(0, 2, 26)
    profile_sheet.set_column(3, 3, 9)
    profile_sheet.set_column(4, 8, 14)
    entries = book.add_worksheet("Spend entries")
    write_row(
        entries,
        0,
        0,
        [
            "Date",
            "Partner",
            "Budget line",
            "Engagement",
            "Description",
            "Evidence",
            "Amount",
            "Reported in the return to",
        ],
        bold,
    )
    # Plain values, not model instances, and each cell written by its own type (a date as Excel's
    # day number under a date format, which is what Excel stores): the export writes every entry
    # of the programme, and xlsxwriter's per-cell work is most of its time.
    write_number, write_string = entries.write_number, entries.write_string
    row = 1
    for spent_on, alliance, line_name, council, description, evidence, amount, reported in (
        SpendEntry.objects.filter(budget_line__in=lines)
        .order_by("spent_on", "id")
        .values_list(
            "spent_on",
            "budget_line__partner__alliance__name",
            "budget_line__name",
            "engagement__supported_council__name",
            "description",
            "evidence",
            "amount_pence",
            "reported_in__period_ends",
        )
        .iterator(chunk_size=2000)
    ):
        write_number(row, 0, excel_day(spent_on), date_format)
        write_string(row, 1, neutralise(alliance))
        write_string(row, 2, neutralise(line_name))
        write_string(row, 3, neutralise(council or ""))
        write_string(row, 4, neutralise(description))
        write_string(row, 5, neutralise(evidence))
        write_number(row, 6, amount / 100, pounds)
        if reported is not None:
            write_number(row, 7, excel_day(reported), date_format)
        row += 1
    entries.set_column(0, 0, 12)
    entries.set_column(1, 5, 26)
    entries.set_column(6, 7, 14)
