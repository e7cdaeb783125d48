"""The DfE acknowledges or queries a spend report; the alliance's lead answers its query."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail

from alliance.access.roles import Role
from alliance.audit.models import AuditEvent
from alliance.programme.models import ChangeRecord, SpendEntry, SpendReportMessage
from alliance.programme.services import spend_report_queries as queries
from alliance.programme.services.spend_reports import submit_spend_report
from tests import factories
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(world):  # noqa: F811
    SpendEntry.objects.create(
        budget_line=world["line"],
        spent_on=dt.date(2018, 5, 1),
        amount_pence=2_500_00,
        description="Peer review",
        evidence="INV-1",
    )
    return submit_spend_report(world["tyneside"], 1, today=dt.date(2018, 7, 15), user=world["lead"])


def test_the_dfe_queries_the_lead_answers_and_the_dfe_acknowledges(
    client,
    world,  # noqa: F811
    report,
    django_capture_on_commit_callbacks,
):
    world["lead"].email = "lead@tyneside.example"
    world["lead"].save()
    dfe = _as(client, world["dfe"])
    page = dfe.get(f"/programme/spend-reports/{report.pk}/").content.decode()
    assert "£2,500" in page
    assert "Send a query to the alliance" in page
    with django_capture_on_commit_callbacks(execute=True):  # the email goes once it is saved
        with_query = dfe.post(
            f"/programme/spend-reports/{report.pk}/query/",
            {"text": "What did the peer review cost per day?"},
        )
    assert with_query.status_code == 302
    report.refresh_from_db()
    assert report.status == "queried"
    # a query waiting for the alliance cannot be acknowledged
    refused = dfe.post(f"/programme/spend-reports/{report.pk}/acknowledge/")
    assert refused.status_code == 400
    assert "has a query the alliance has not answered yet" in refused.content.decode()
    [email] = mail.outbox
    assert email.to == ["lead@tyneside.example"]
    assert "What did the peer review cost per day?" in email.body
    assert "1 April to 30 June 2018" not in email.subject  # the subject says the date plainly
    assert "30 June 2018" in email.subject

    lead = _as(client, world["lead"])
    page = lead.get(f"/programme/spend-reports/{report.pk}/").content.decode()
    assert "What did the peer review cost per day?" in page
    assert "Answer the DfE&#39;s query" in page
    assert "Acknowledge" not in page.split("Queries and answers")[1]
    lead.post(f"/programme/spend-reports/{report.pk}/answer/", {"text": "£500 a day for 5 days"})
    report.refresh_from_db()
    assert report.status == "answered"

    _as(client, world["dfe"]).post(f"/programme/spend-reports/{report.pk}/acknowledge/")
    report.refresh_from_db()
    assert report.status == "acknowledged"
    assert report.acknowledged_by == world["dfe"]
    assert report.acknowledged_at is not None
    thread = list(report.messages.values_list("kind", "text", "written_by_id"))
    assert thread == [
        ("query", "What did the peer review cost per day?", world["dfe"].pk),
        ("answer", "£500 a day for 5 days", world["lead"].pk),
    ]
    # each step in the programme's history and the audit log
    history = ChangeRecord.objects.filter(object_type="spend report", object_id=str(report.pk))
    assert history.filter(action="changed").count() == 3
    assert (
        AuditEvent.objects.filter(
            object_type="programme.SpendReport", object_id=str(report.pk), action="change"
        ).count()
        == 3
    )
    assert AuditEvent.objects.filter(
        object_type="programme.SpendReport", action="view", user_id=world["lead"].pk
    ).exists()
    # once acknowledged, nobody queries it
    page = _as(client, world["dfe"]).get(f"/programme/spend-reports/{report.pk}/").content.decode()
    assert "Send a query" not in page
    with pytest.raises(queries.SpendReportRefused, match="acknowledged"):
        queries.raise_query(report, "One more thing", user=world["dfe"])


def test_only_the_dfe_acknowledges_or_queries(client, world, report):  # noqa: F811
    for who in ("lead", "supported_leader"):
        c = _as(client, world[who])
        assert c.post(f"/programme/spend-reports/{report.pk}/acknowledge/").status_code in (
            403,
            404,
        )
        assert c.post(
            f"/programme/spend-reports/{report.pk}/query/", {"text": "Sneaky"}
        ).status_code in (403, 404)
    # an administrator sees no spend reports at all (no programme area)
    assert _as(client, world["admin"]).get("/programme/spend-reports/").status_code == 403
    report.refresh_from_db()
    assert report.status == "submitted"
    assert not SpendReportMessage.objects.exists()
    assert AuditEvent.objects.filter(action="access-denied", user_id=world["lead"].pk).exists()


def test_only_the_alliances_own_lead_answers(client, world, report):  # noqa: F811
    queries.raise_query(report, "Why so much?", user=world["dfe"])
    # another alliance's lead cannot even see the report
    other = _as(client, world["other_lead"])
    assert other.get(f"/programme/spend-reports/{report.pk}/").status_code == 404
    assert (
        other.post(
            f"/programme/spend-reports/{report.pk}/answer/", {"text": "Not mine"}
        ).status_code
        == 404
    )
    # the DfE cannot answer its own query; a supported council's leader cannot either
    assert (
        _as(client, world["dfe"])
        .post(f"/programme/spend-reports/{report.pk}/answer/", {"text": "Answering myself"})
        .status_code
        == 403
    )
    analyst = factories.user(Role.COUNCIL_LEADER, world["tyneside"].alliance)
    with pytest.raises(queries.SpendReportRefused, match="Only a lead"):
        queries.answer_query(report, "I lead nothing", user=analyst)
    report.refresh_from_db()
    assert report.status == "queried"
    assert report.messages.count() == 1


def test_an_empty_query_or_answer_is_refused_with_a_message(client, world, report):  # noqa: F811
    response = _as(client, world["dfe"]).post(
        f"/programme/spend-reports/{report.pk}/query/", {"text": "   "}
    )
    assert response.status_code == 400
    assert "Enter your query" in response.content.decode()
    report.refresh_from_db()
    assert report.status == "submitted"
    queries.raise_query(report, "Why?", user=world["dfe"])
    response = _as(client, world["lead"]).post(
        f"/programme/spend-reports/{report.pk}/answer/", {"text": ""}
    )
    assert "Enter your answer" in response.content.decode()
    with pytest.raises(queries.SpendReportRefused, match="already has a query"):
        queries.raise_query(report, "And another?", user=world["dfe"])


def test_the_list_shows_what_awaits_the_dfe_and_each_lead_sees_their_own(client, world, report):  # noqa: F811
    page = _as(client, world["dfe"]).get("/programme/spend-reports/?status=awaiting")
    body = page.content.decode()
    assert "Test Tyneside" in body
    assert "1 awaiting the DfE" in body
    queries.raise_query(report, "Why?", user=world["dfe"])
    body = _as(client, world["dfe"]).get("/programme/spend-reports/?status=awaiting").content
    assert b"Test Tyneside" not in body
    assert "Test Tyneside" not in (
        _as(client, world["other_lead"]).get("/programme/spend-reports/").content.decode()
    )
    assert "Queried" in _as(client, world["lead"]).get("/programme/spend-reports/").content.decode()


def test_the_money_page_says_where_each_report_is_with_the_dfe(client, world, report):  # noqa: F811
    queries.raise_query(report, "Why?", user=world["dfe"])
    page = _as(client, world["lead"]).get(f"/programme/money/?programme={world['prog'].pk}")
    reports = page.content.decode().split("data-spend-reports")[1].split("</table>")[0]
    assert f"/programme/spend-reports/{report.pk}/" in reports
    assert "Queried: awaiting the alliance" in reports


def test_the_dfe_analyst_who_asked_is_emailed_when_the_lead_answers(
    world,  # noqa: F811
    report,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        queries.raise_query(report, "Why so much?", user=world["dfe"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queries.answer_query(report, "A secret about a named social worker", user=world["lead"])
    [email] = mail.outbox
    assert email.to == [world["dfe"].email]
    assert "Test Tyneside has answered" in email.subject
    assert "quarter 1 (to 30 June 2018)" in email.body
    # only which report and where to read it: not the answer, nor who wrote it
    assert "secret" not in email.body
    assert world["lead"].email not in email.body


def test_when_the_analyst_who_asked_has_left_every_dfe_analyst_is_emailed(
    world,  # noqa: F811
    report,
    django_capture_on_commit_callbacks,
):
    colleague = factories.user(Role.DFE_ANALYST, world["dfe"].memberships.first().organisation)
    queries.raise_query(report, "Why so much?", user=world["dfe"])
    world["dfe"].is_active = False
    world["dfe"].save()
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        queries.answer_query(report, "Because", user=world["lead"])
    [email] = mail.outbox
    assert email.to == [colleague.email]


def test_a_refused_answer_emails_nobody(world, report, django_capture_on_commit_callbacks):  # noqa: F811
    queries.raise_query(report, "Why so much?", user=world["dfe"])
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(queries.SpendReportRefused):
            queries.answer_query(report, "Because", user=world["other_lead"])
        with pytest.raises(queries.SpendReportRefused):
            queries.answer_query(report, "   ", user=world["lead"])
    assert mail.outbox == []
