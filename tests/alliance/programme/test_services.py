"""Domain rules: money exact and never over budget, dates inside the engagement, capacity, no
overlapping engagements, nothing half-saved, history with before/after, reminders, the export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.programme.models import (
    ChangeRecord,
    Engagement,
    Match,
    Milestone,
    QuarterlyReview,
    SpendEntry,
)
from alliance.programme.services.engagements import (
    close_engagement,
    save_milestone,
    start_engagement,
)
from alliance.programme.services.money import add_spend, save_budget_line, spend_workbook
from alliance.programme.services.reminders import send_reminders
from tests import factories
from tests.alliance.programme import factories as pf

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(reference_data):
    prog = pf.programme()
    partner = pf.partner(prog, "392", "393", capacity=2, name="Test Tyneside")
    lead = factories.user(Role.ALLIANCE_LEAD, partner.alliance)
    return prog, partner, lead


def _spend(line, amount, day=dt.date(2018, 7, 1), engagement=None):
    return SpendEntry(
        budget_line=line,
        engagement=engagement,
        spent_on=day,
        amount_pence=amount,
        description="Coaching",
        evidence="INV-1",
    )


def test_spend_is_refused_over_budget_and_nothing_is_saved(setup):
    _prog, partner, lead = setup
    line = pf.budget_line(partner, amount=1_000_00)
    add_spend(_spend(line, 600_00), user=lead)
    with pytest.raises(ValidationError) as error:
        add_spend(_spend(line, 400_01), user=lead)
    assert "£400 left" in str(error.value)
    assert SpendEntry.objects.filter(budget_line=line).count() == 1
    add_spend(_spend(line, 400_00), user=lead)  # exactly what is left is fine
    assert (
        sum(SpendEntry.objects.filter(budget_line=line).values_list("amount_pence", flat=True))
        == 1_000_00
    )


@pytest.mark.parametrize("amount", [0, -1, -500_00])
def test_spend_must_be_positive(setup, amount):
    _prog, partner, lead = setup
    line = pf.budget_line(partner)
    with pytest.raises(ValidationError, match="more than £0"):
        add_spend(_spend(line, amount), user=lead)
    assert not SpendEntry.objects.exists()


def test_spend_must_be_dated_within_the_programme(setup):
    _prog, partner, lead = setup
    line = pf.budget_line(partner)
    with pytest.raises(ValidationError, match="within the programme"):
        add_spend(_spend(line, 10_00, day=dt.date(2020, 4, 1)), user=lead)


def test_budget_lines_cannot_exceed_the_grant_share(setup):
    _prog, partner, lead = setup
    pf.budget_line(partner, amount=partner.grant_share_pence - 100)
    from alliance.programme.models import BudgetLine

    with pytest.raises(ValidationError, match="grant share"):
        save_budget_line(
            BudgetLine(partner=partner, kind="innovation", name="Innovation", amount_pence=101),
            user=lead,
        )
    save_budget_line(
        BudgetLine(partner=partner, kind="innovation", name="Innovation", amount_pence=100),
        user=lead,
    )


def test_a_match_beyond_capacity_is_refused(setup):
    _prog, partner, _lead = setup
    pf.match(partner, "394")
    pf.match(partner, "840")
    with pytest.raises(ValidationError, match="no places left"):
        pf.match(partner, "805")
    assert Match.objects.filter(partner=partner).count() == 2


def test_a_council_is_matched_once_per_programme(setup):
    prog, partner, _lead = setup
    other = pf.partner(prog, "881", name="Test Essex")
    pf.match(partner, "394")
    with pytest.raises(ValidationError, match="already matched"):
        pf.match(other, "394")


def test_overlapping_engagements_for_the_same_council_are_refused(setup):
    _prog, partner, lead = setup
    pf.engagement(partner, "394", starts=dt.date(2018, 6, 1), ends=dt.date(2019, 5, 31))
    later = pf.programme(
        name="Second programme", starts=dt.date(2019, 1, 1), ends=dt.date(2021, 3, 31)
    )
    other = pf.partner(later, "881", name="Test Essex")
    match = pf.match(other, "394")
    with pytest.raises(ValidationError, match="must not overlap"):
        start_engagement(
            match=match, starts=dt.date(2019, 5, 1), ends=dt.date(2020, 12, 31), user=lead
        )
    assert Engagement.objects.filter(supported_council__dfe_code="394").count() == 1
    # The day after the first one ends is fine.
    start_engagement(match=match, starts=dt.date(2019, 6, 1), ends=dt.date(2020, 12, 31), user=lead)


def test_engagement_dates_are_checked(setup):
    _prog, partner, lead = setup
    match = pf.match(partner, "394")
    with pytest.raises(ValidationError, match="after the start"):
        start_engagement(
            match=match, starts=dt.date(2019, 1, 1), ends=dt.date(2018, 12, 1), user=lead
        )
    with pytest.raises(ValidationError, match="two years"):
        start_engagement(
            match=match, starts=dt.date(2018, 4, 1), ends=dt.date(2021, 4, 1), user=lead
        )
    with pytest.raises(ValidationError, match="programme, which ends"):
        start_engagement(
            match=match, starts=dt.date(2018, 6, 1), ends=dt.date(2020, 4, 30), user=lead
        )
    assert not Engagement.objects.exists()


def test_an_engagement_starts_with_a_real_baseline_and_quarterly_reviews(setup):
    _prog, partner, _lead = setup
    engagement = pf.engagement(
        partner, "394", starts=dt.date(2018, 6, 1), ends=dt.date(2020, 3, 31)
    )
    baseline = engagement.diagnostic
    assert baseline.judgement["published"] < "2018-06-01"
    assert baseline.judgement["overall"] in {
        "inadequate",
        "requires-improvement",
        "good",
        "outstanding",
    }
    assert baseline.indicators, "key indicators at the start"
    assert all(int(row["period"][:4]) < 2018 for row in baseline.indicators)
    assert (
        QuarterlyReview.objects.filter(engagement=engagement).count() == 7
    )  # Sep 2018 to Mar 2020
    assert engagement.plan is not None


def test_milestones_must_fall_within_the_engagement(setup):
    _prog, partner, lead = setup
    engagement = pf.engagement(partner, "394")
    with pytest.raises(ValidationError, match="within the engagement"):
        save_milestone(
            Milestone(engagement=engagement, title="Audit", owner="Jo", due=dt.date(2020, 4, 1)),
            user=lead,
        )
    with pytest.raises(ValidationError, match="within the engagement"):
        save_milestone(
            Milestone(engagement=engagement, title="Audit", owner="Jo", due=dt.date(2018, 5, 31)),
            user=lead,
        )
    assert not Milestone.objects.exists()


def test_history_keeps_who_when_and_before_after(setup):
    _prog, partner, lead = setup
    engagement = pf.engagement(partner, "394")
    milestone = save_milestone(
        Milestone(
            engagement=engagement, title="Audit", owner="Jo", due=dt.date(2019, 1, 31), rag="green"
        ),
        user=lead,
    )
    milestone.rag = "red"
    milestone.due = dt.date(2019, 2, 28)
    save_milestone(milestone, user=lead)
    change = ChangeRecord.objects.filter(object_id=str(milestone.pk), action="changed").get()
    assert change.username == lead.username
    assert change.changes == {"RAG status": ["Green", "Red"], "due": ["2019-01-31", "2019-02-28"]}
    assert change.organisation_id == partner.alliance_id
    assert AuditEvent.objects.filter(
        object_type="programme.Milestone", action="change", user_id=lead.pk
    ).exists()
    # Saving with no change records nothing.
    save_milestone(milestone, user=lead)
    assert ChangeRecord.objects.filter(object_id=str(milestone.pk), action="changed").count() == 1


def test_money_history_shows_pounds_before_and_after(setup):
    _prog, partner, lead = setup
    line = pf.budget_line(partner, amount=1_000_00)
    line.amount_pence = 1_234_56
    save_budget_line(line, user=lead)
    change = ChangeRecord.objects.get(object_id=str(line.pk), object_type="budget line")
    assert change.changes == {"budget": ["£1,000.00", "£1,234.56"]}


def test_closure_compares_baseline_with_latest_and_finds_the_next_judgement(setup):
    _prog, partner, lead = setup
    engagement = pf.engagement(partner, "394")
    closure = close_engagement(
        engagement, closed_on=dt.date(2020, 3, 31), impact_summary="Done", user=lead
    )
    assert closure.indicators
    assert all(
        row["latest_period"] >= row["baseline_period"]
        for row in closure.indicators
        if row["latest_period"]
    )
    if closure.next_judgement:
        assert closure.next_judgement["published"] > "2018-06-01"
    engagement.refresh_from_db()
    assert engagement.status == "closed"
    with pytest.raises(ValidationError, match="already closed"):
        close_engagement(
            engagement, closed_on=dt.date(2020, 3, 31), impact_summary="Again", user=lead
        )


def test_reminders_go_to_the_alliance_lead_and_owner_once_a_day(setup, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    _prog, partner, lead = setup
    engagement = pf.engagement(partner, "394")
    Milestone.objects.create(
        engagement=engagement,
        title="Late audit",
        owner="Jo",
        owner_email="jo@example.test",
        due=dt.date(2018, 9, 1),
    )
    Milestone.objects.create(
        engagement=engagement,
        title="Done audit",
        owner="Jo",
        due=dt.date(2018, 9, 1),
        completed_on=dt.date(2018, 9, 1),
    )
    Milestone.objects.create(
        engagement=engagement, title="Future audit", owner="Jo", due=dt.date(2019, 9, 1)
    )
    today = dt.date(2018, 9, 10)  # first review is due 1 September: overdue; the next is 1 December
    mail.outbox.clear()
    sent = send_reminders(today)
    subjects = sorted(m.subject for m in mail.outbox)
    assert sent == len(mail.outbox) == 2
    assert subjects[0].startswith("Milestone overdue: Late audit")
    assert subjects[1].startswith("Quarterly review overdue")
    milestone_mail = next(m for m in mail.outbox if "Late audit" in m.subject)
    assert set(milestone_mail.to) == {lead.email, "jo@example.test"}
    assert "9 days ago" in milestone_mail.body
    assert send_reminders(today) == 0  # not again the same day
    engagement.status = "closed"
    engagement.save()
    assert send_reminders(today + dt.timedelta(days=1)) == 0


def test_reminder_task_runs_from_the_management_command(setup, settings):
    from django.core.management import call_command

    out = io.StringIO()
    call_command("send_programme_reminders", "--now", "--date", "2018-09-10", stdout=out)
    assert "Sent 0 reminder emails" in out.getvalue()
    with pytest.raises(Exception, match="--date"):
        call_command("send_programme_reminders", "--date", "10/09/2018", stdout=out)


def test_spend_workbook_is_exact_to_the_penny(setup):
    import openpyxl

    prog, partner, lead = setup
    line = pf.budget_line(partner, amount=1_000_00)
    for amount in (1, 10, 33_33, 66_67):
        add_spend(_spend(line, amount), user=lead)
    book = openpyxl.load_workbook(
        io.BytesIO(
            spend_workbook(prog, prog.partners.first().budget_lines.all(), dt.date(2019, 1, 1))
        )
    )
    entries = book["Spend entries"]
    amounts = [row[6] for row in entries.iter_rows(min_row=2, values_only=True)]
    assert sorted(amounts) == [0.01, 0.1, 33.33, 66.67]
    summary = list(book["Summary"].iter_rows(min_row=5, values_only=True))
    assert summary[0][1] == "Support to councils"
    assert summary[0][3] == 1000
    assert summary[0][5] == pytest.approx(100.11)
