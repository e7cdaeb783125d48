"""The DfE's side of a spend report: it acknowledges the report, or raises a query that the
alliance's lead answers in the service. The thread of queries and answers is kept with who wrote
each and when, never changed or removed; each step is in the programme's history and the audit log.

A report goes submitted → acknowledged, or submitted → queried → answered → (queried again →
answered …) → acknowledged. Only someone with the DfE analyst role acknowledges or queries; only a
lead of the alliance whose report it is answers. The leads get an email when their report is
queried; the DfE analyst who raised the query gets one when it is answered (every active DfE
analyst, if that person's account is no longer active). Neither email carries the answer, only
which report and where to read it.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from alliance.access.policy import roles_of
from alliance.access.roles import Role
from alliance.accounts.models import Membership
from alliance.programme.history import record_change
from alliance.programme.models import SpendReport, SpendReportMessage, SpendReportStatus
from alliance.programme.services.reminders import _leads_of

Status = SpendReportStatus

MAX_MESSAGE = 5_000


class SpendReportRefused(ValidationError):
    """A step on a spend report that its state or the person's role does not allow."""


def is_dfe(user: Any) -> bool:
    return Role.DFE_ANALYST in roles_of(user)


def is_lead_of(user: Any, spend_report: SpendReport) -> bool:
    """Whether the person is a lead of the alliance whose report it is."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return bool(
        user.memberships.filter(
            organisation_id=spend_report.partner.alliance_id, role=Role.ALLIANCE_LEAD
        ).exists()
    )


def may_acknowledge(user: Any, spend_report: SpendReport) -> bool:
    return is_dfe(user) and spend_report.status in (Status.SUBMITTED, Status.ANSWERED)


def may_query(user: Any, spend_report: SpendReport) -> bool:
    return is_dfe(user) and spend_report.status in (Status.SUBMITTED, Status.ANSWERED)


def may_answer(user: Any, spend_report: SpendReport) -> bool:
    return spend_report.status == Status.QUERIED and is_lead_of(user, spend_report)


def _locked(spend_report: SpendReport) -> SpendReport:
    return (
        SpendReport.objects.select_for_update()
        .select_related("partner__programme", "partner__alliance")
        .get(pk=spend_report.pk)
    )


def _clean(text: str, what: str) -> str:
    text = (text or "").strip()
    if not text:
        raise SpendReportRefused({"text": f"Enter your {what}"})
    if len(text) > MAX_MESSAGE:
        raise SpendReportRefused(
            {"text": f"Your {what} must be {MAX_MESSAGE:,} characters or fewer"}
        )
    return text


def _history(
    spend_report: SpendReport, before: str, *, user: Any, message: SpendReportMessage | None = None
) -> None:
    after = {"status": spend_report.get_status_display()}
    if message is not None:
        after[message.get_kind_display()] = message.text
    record_change(
        user=user,
        obj=spend_report,
        programme=spend_report.partner.programme,
        organisation_id=spend_report.partner.alliance_id,
        before={"status": before},
        after=after,
    )


def _message(spend_report: SpendReport, kind: str, text: str, user: Any) -> SpendReportMessage:
    return SpendReportMessage.objects.create(
        spend_report=spend_report,
        kind=kind,
        text=text,
        written_by=user,
        written_by_name=user.get_full_name() or user.get_username(),
    )


@transaction.atomic
def acknowledge(spend_report: SpendReport, *, user: Any) -> SpendReport:
    """The DfE accepts the report: nothing more is asked of the alliance about it."""
    report = _locked(spend_report)
    if not is_dfe(user):
        raise SpendReportRefused("Only the DfE can acknowledge a spend report")
    if report.status == Status.ACKNOWLEDGED:
        raise SpendReportRefused("This spend report has already been acknowledged")
    if report.status == Status.QUERIED:
        raise SpendReportRefused(
            "This spend report has a query the alliance has not answered yet: wait for their "
            "answer before you acknowledge it"
        )
    before = report.get_status_display()
    report.status = Status.ACKNOWLEDGED
    report.acknowledged_by = user
    report.acknowledged_at = timezone.now()
    report.save(update_fields=["status", "acknowledged_by", "acknowledged_at"])
    _history(report, before, user=user)
    return report


@transaction.atomic
def raise_query(spend_report: SpendReport, text: str, *, user: Any) -> SpendReportMessage:
    """The DfE asks the alliance about the report; the alliance's leads are emailed."""
    report = _locked(spend_report)
    if not is_dfe(user):
        raise SpendReportRefused("Only the DfE can query a spend report")
    if report.status == Status.ACKNOWLEDGED:
        raise SpendReportRefused("This spend report has been acknowledged: it cannot be queried")
    if report.status == Status.QUERIED:
        raise SpendReportRefused(
            "This spend report already has a query the alliance has not answered yet"
        )
    text = _clean(text, "query")
    before = report.get_status_display()
    report.status = Status.QUERIED
    report.save(update_fields=["status"])
    message = _message(report, SpendReportMessage.Kind.QUERY, text, user)
    _history(report, before, user=user, message=message)
    transaction.on_commit(lambda: _email_leads(report, text))
    return message


@transaction.atomic
def answer_query(spend_report: SpendReport, text: str, *, user: Any) -> SpendReportMessage:
    """The alliance's lead answers the DfE's open query."""
    report = _locked(spend_report)
    if not is_lead_of(user, report):
        raise SpendReportRefused("Only a lead of the alliance can answer a query on its report")
    if report.status != Status.QUERIED:
        raise SpendReportRefused("There is no open query on this spend report to answer")
    text = _clean(text, "answer")
    before = report.get_status_display()
    report.status = Status.ANSWERED
    report.save(update_fields=["status"])
    message = _message(report, SpendReportMessage.Kind.ANSWER, text, user)
    _history(report, before, user=user, message=message)
    transaction.on_commit(lambda: _email_dfe(report))
    return message


def _dfe_to_tell(report: SpendReport) -> list[str]:
    """The address of the DfE analyst who raised the latest query, if still active and a DfE
    analyst; else every active DfE analyst's."""
    query = (
        report.messages.filter(kind=SpendReportMessage.Kind.QUERY)
        .select_related("written_by")
        .order_by("-written_at", "-id")
        .first()
    )
    raiser = query.written_by if query is not None else None
    if raiser is not None and raiser.is_active and raiser.email and is_dfe(raiser):
        return [raiser.email]
    return sorted(
        set(
            Membership.objects.filter(role=Role.DFE_ANALYST, user__is_active=True)
            .exclude(user__email="")
            .values_list("user__email", flat=True)
        )
    )


def _email_dfe(report: SpendReport) -> None:
    to = _dfe_to_tell(report)
    if not to:
        return
    ends = report.period_ends
    send_mail(
        f"{report.partner.alliance.name} has answered your query about a spend report",
        f"{report.partner.alliance.name} has answered the DfE's query about its spend report for "
        f"quarter {report.quarter} (to {ends.day} {ends:%B %Y}) in {report.partner.programme.name}."
        "\n\nRead the answer, and acknowledge the report or query it again, on the spend "
        "report's page in the improvement programme.",
        settings.DEFAULT_FROM_EMAIL,
        to,
    )


def _email_leads(report: SpendReport, text: str) -> None:
    to = sorted(_leads_of([report.partner.alliance_id]).get(report.partner.alliance_id, []))
    if not to:
        return
    ends = report.period_ends
    send_mail(
        f"The DfE has a query about your spend report to {ends.day} {ends:%B %Y}",
        f"The DfE has a query about {report.partner.alliance.name}'s spend report for quarter "
        f"{report.quarter} (to {ends.day} {ends:%B %Y}):\n\n{text}\n\n"
        "Answer it on the spend report's page in the improvement programme.",
        settings.DEFAULT_FROM_EMAIL,
        to,
    )
