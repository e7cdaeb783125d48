"""Spend profiles, forecasts by quarter, spend reports and correcting entries: money to the penny."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError

from alliance.accounts.models import Role
from alliance.programme import forecast
from alliance.programme.models import BudgetLine, ChangeRecord, PlannedSpend, SpendEntry
from alliance.programme.quarters import quarters
from alliance.programme.services.money import (
    add_spend,
    burn_down,
    money_summary,
    reverse_spend,
    save_budget_line,
    save_profile,
    save_spend,
    spend_workbook,
)
from alliance.programme.services.removing import remove_record
from alliance.programme.services.spend_reports import submit_spend_report
from tests import factories
from tests.alliance.programme import factories as pf

pytestmark = pytest.mark.django_db


def test_quarters_run_from_the_programme_start_and_stop_at_its_end():
    found = quarters(dt.date(2018, 4, 1), dt.date(2020, 3, 31))
    assert len(found) == 8
    assert (found[0].starts, found[0].ends) == (dt.date(2018, 4, 1), dt.date(2018, 6, 30))
    assert found[0].period == "1 April to 30 June 2018"
    assert (found[7].starts, found[7].ends) == (dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    short = quarters(dt.date(2018, 1, 31), dt.date(2018, 8, 15))
    assert [(q.starts, q.ends) for q in short] == [
        (dt.date(2018, 1, 31), dt.date(2018, 4, 29)),
        (dt.date(2018, 4, 30), dt.date(2018, 7, 30)),
        (dt.date(2018, 7, 31), dt.date(2018, 8, 15)),
    ]
    # End of month: a quarter due to start on 30 February starts on the month's last day (28
    # February, or 29 in a leap year), and the next is back on the 30th.
    ends_of_month = quarters(dt.date(2018, 11, 30), dt.date(2019, 12, 31))
    assert [q.starts for q in ends_of_month] == [
        dt.date(2018, 11, 30),
        dt.date(2019, 2, 28),
        dt.date(2019, 5, 30),
        dt.date(2019, 8, 30),
        dt.date(2019, 11, 30),
    ]
    leap = quarters(dt.date(2019, 11, 30), dt.date(2020, 6, 30))
    assert [(q.starts, q.ends) for q in leap][:2] == [
        (dt.date(2019, 11, 30), dt.date(2020, 2, 28)),
        (dt.date(2020, 2, 29), dt.date(2020, 5, 29)),
    ]


@pytest.fixture
def money(reference_data):
    prog = pf.programme()  # 1 April 2018 to 31 March 2020: eight quarters
    partner = pf.partner(prog, "392", "393", name="Test Tyneside", share=100_000_00)
    line = pf.budget_line(partner, amount=8_000_00)
    lead = factories.user(Role.ALLIANCE_LEAD, partner.alliance)
    return prog, partner, line, lead


PROFILE = {
    1: 0,
    2: 1_000_00,
    3: 2_000_00,
    4: 2_000_00,
    5: 1_000_00,
    6: 1_000_00,
    7: 500_00,
    8: 500_00,
}


def _spend(line, amount, day):
    return SpendEntry(
        budget_line=line, spent_on=day, amount_pence=amount, description="Coaching", evidence="INV"
    )


def test_a_profile_must_add_up_to_the_budget_to_the_penny(money):
    _prog, _partner, line, lead = money
    with pytest.raises(ValidationError) as error:
        save_profile(line, PROFILE | {8: 499_99}, user=lead)
    assert "add up to £7,999.99" in str(error.value)
    assert "(£0.01 more)" in str(error.value)
    with pytest.raises(ValidationError) as error:
        save_profile(line, {k: v for k, v in PROFILE.items() if k != 3}, user=lead)
    assert "quarter 3" in str(error.value)
    with pytest.raises(ValidationError):
        save_profile(line, PROFILE | {1: -1, 2: 1_000_01}, user=lead)
    assert not PlannedSpend.objects.exists()
    save_profile(line, PROFILE, user=lead)
    assert sum(PlannedSpend.objects.values_list("amount_pence", flat=True)) == 8_000_00
    change = ChangeRecord.objects.get(object_type="budget line", action="changed")
    assert change.changes["Planned for quarter 3 (1 October to 31 December 2018)"] == [
        "",
        "£2,000.00",
    ]


def test_the_budget_changes_with_its_profile_never_apart(money):
    _prog, _partner, line, lead = money
    save_profile(line, PROFILE, user=lead)
    line.amount_pence = 9_000_00
    with pytest.raises(ValidationError) as error:
        save_budget_line(line, user=lead)
    assert "spend profile" in str(error.value)
    line = BudgetLine.objects.get(pk=line.pk)
    save_profile(line, PROFILE | {8: 1_500_00}, budget=9_000_00, user=lead)
    line.refresh_from_db()
    assert line.amount_pence == 9_000_00
    # Over the partner's grant share: refused, and neither budget nor profile changes.
    with pytest.raises(ValidationError) as error:
        save_profile(line, PROFILE | {8: 92_500_00}, budget=100_000_01, user=lead)
    assert "grant share" in str(error.value)
    line.refresh_from_db()
    assert line.amount_pence == 9_000_00
    assert line.profile.get(quarter=8).amount_pence == 1_500_00


def test_the_forecast_follows_the_profile_quarter_by_quarter(money):
    prog, _partner, line, lead = money
    save_profile(line, PROFILE, user=lead)
    add_spend(_spend(line, 1_200_00, dt.date(2018, 8, 1)), user=lead)
    add_spend(_spend(line, 300_00, dt.date(2018, 10, 2)), user=lead)
    # End of quarter 2: quarters 1 and 2 planned £1,000.
    summary = money_summary(BudgetLine.objects.filter(pk=line.pk), dt.date(2018, 9, 30))[0]
    assert summary.profiled
    assert summary.forecast_to_date == 1_000_00
    assert summary.variance == 1_500_00 - 1_000_00
    # Half-way (46 of 92 days) through quarter 3, planned at £2,000: £1,000 more.
    mid = money_summary(BudgetLine.objects.filter(pk=line.pk), dt.date(2018, 11, 15))[0]
    assert mid.forecast_to_date == 1_000_00 + 2_000_00 * 46 // 92
    rows = forecast.quarter_table(prog, [line])
    assert [r.planned for r in rows] == list(PROFILE.values())
    assert [r.actual for r in rows][:3] == [0, 1_200_00, 300_00]
    assert rows[1].variance == 200_00
    assert rows[-1].planned_to_date == 8_000_00
    labels, actual, planned = burn_down(
        prog, BudgetLine.objects.filter(pk=line.pk), dt.date(2018, 11, 15)
    )
    assert labels[0] == "Apr 2018"
    assert planned[2] == 8_000.0  # nothing planned in quarter 1
    assert planned[5] == 7_000.0  # quarter 2's £1,000 by the end of September
    assert planned[-1] == 0.0
    assert actual[4] == 6_800.0
    assert actual[8] is None


def test_a_line_without_a_profile_is_forecast_evenly_and_sums_exactly(money):
    prog, partner, _line, _lead = money
    odd = BudgetLine.objects.create(
        partner=partner, kind="support", name="Odd", amount_pence=1_000_01
    )
    rows = forecast.quarter_table(prog, [odd])
    assert not rows[0].profiled
    assert sum(r.planned for r in rows) == 1_000_01


def test_a_spend_report_fixes_its_spend_and_only_a_correcting_entry_puts_it_right(money):
    _prog, partner, line, lead = money
    first = add_spend(_spend(line, 500_00, dt.date(2018, 5, 1)), user=lead)
    later = add_spend(_spend(line, 250_00, dt.date(2018, 7, 3)), user=lead)
    with pytest.raises(ValidationError):  # quarter 1 has not ended on 30 June
        submit_spend_report(partner, 1, today=dt.date(2018, 6, 30), user=lead)
    with pytest.raises(ValidationError):  # in order: quarter 1 first
        submit_spend_report(partner, 2, today=dt.date(2018, 10, 1), user=lead)
    spend_report = submit_spend_report(partner, 1, today=dt.date(2018, 7, 5), user=lead)
    assert spend_report.total_pence == 500_00
    first.refresh_from_db()
    later.refresh_from_db()
    assert first.reported_in == spend_report
    assert later.reported_in is None
    # Reported spend is never changed or removed ...
    first.amount_pence = 400_00
    with pytest.raises(ValidationError) as error:
        save_spend(first, user=lead)
    assert "spend report to 30 June 2018" in str(error.value)
    with pytest.raises(ValidationError):
        remove_record(first, reason="wrong", user=lead)
    # ... and no new spend is dated into a reported quarter.
    with pytest.raises(ValidationError) as error:
        add_spend(_spend(line, 10_00, dt.date(2018, 6, 30)), user=lead)
    assert "after 30 June 2018" in str(error.value)
    # Unreported spend can still be changed.
    later.amount_pence = 260_00
    save_spend(later, user=lead)
    # The correcting entry reverses it in the current quarter.
    first = SpendEntry.objects.get(pk=first.pk)
    correction = reverse_spend(
        first, spent_on=dt.date(2018, 7, 10), reason="Invoice was for Essex", user=lead
    )
    assert correction.amount_pence == -500_00
    assert correction.reverses == first
    first.refresh_from_db()
    assert first.amount_pence == 500_00
    with pytest.raises(ValidationError):
        reverse_spend(first, spent_on=dt.date(2018, 7, 10), reason="again", user=lead)
    summary = money_summary(BudgetLine.objects.filter(pk=line.pk), dt.date(2018, 7, 10))[0]
    assert summary.spent == 260_00
    assert ChangeRecord.objects.filter(action="reversed").exists()
    # The next return reports the net figure.
    second = submit_spend_report(partner, 2, today=dt.date(2018, 10, 1), user=lead)
    assert second.total_pence == 260_00


def test_the_export_has_the_forecast_by_quarter_and_the_return_of_each_entry(money):
    import openpyxl

    prog, partner, line, lead = money
    save_profile(line, PROFILE, user=lead)
    add_spend(_spend(line, 1_234_56, dt.date(2018, 5, 1)), user=lead)
    submit_spend_report(partner, 1, today=dt.date(2018, 7, 5), user=lead)
    content = spend_workbook(prog, BudgetLine.objects.filter(pk=line.pk), dt.date(2018, 8, 1))
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book["Forecast by quarter"]
    rows = list(sheet.iter_rows(min_row=2, values_only=True))
    assert len(rows) == 8
    assert rows[0][2] == "Spend profile"
    assert rows[0][6:9] == (0, 1234.56, 1234.56)
    assert rows[2][6] == 2000
    entries = list(book["Spend entries"].iter_rows(min_row=2, values_only=True))
    assert entries[0][6] == 1234.56
    assert entries[0][7].date() == dt.date(2018, 6, 30)
    summary = list(book["Summary"].iter_rows(min_row=5, values_only=True))
    # Forecast to 1 August: quarter 1 planned nothing; quarter 2 (1 July to 30 September) £1,000,
    # 32 of its 92 days gone.
    assert summary[0][4] == 347.82


def test_the_pages_set_a_profile_submit_a_return_and_correct_reported_spend(client, money):
    _prog, partner, line, lead = money
    other = factories.user(Role.ALLIANCE_LEAD, pf.partner(_prog, "881", name="Test Essex").alliance)
    entry = add_spend(_spend(line, 500_00, dt.date(2018, 5, 1)), user=lead)
    client.force_login(lead)
    page = client.get(f"/programme/money/lines/{line.pk}/").content.decode()
    assert "Forecast and actual by quarter" in page
    assert "even spend" in page.lower()
    profile = f"/programme/money/lines/{line.pk}/profile/"
    form = client.get(profile).content.decode()
    assert 'value="8000.00"' in form
    assert 'value="995.89"' in form  # the even spread (91 of 731 days) as a starting point
    data = {"budget": "8,000"} | {f"q{k}": f"{v / 100:.2f}" for k, v in PROFILE.items()}
    response = client.post(profile, data | {"q8": "499.99"})
    assert "There is a problem" in response.content.decode()
    assert "(£0.01 more)" in response.content.decode()
    assert not PlannedSpend.objects.exists()
    assert client.post(profile, data).status_code == 302
    assert PlannedSpend.objects.count() == 8
    # Another alliance's lead cannot reach the line at all.
    client.force_login(other)
    assert client.get(f"/programme/money/lines/{line.pk}/").status_code == 404
    assert client.post(profile, data).status_code == 404
    client.force_login(lead)
    # A return is offered once a quarter has ended (the test client's today is after 2020).
    returns = f"/programme/money/{partner.pk}/spend-reports/new/"
    response = client.post(returns, {})
    assert "Confirm the spend is complete and correct" in response.content.decode()
    assert client.post(returns, {"confirm": "on"}).status_code == 302
    entry.refresh_from_db()
    assert entry.reported_in is not None
    change = client.get(f"/programme/records/spend/{entry.pk}/").content.decode()
    assert "cannot be changed or removed" in change
    assert "<form" not in change.split("main-content")[-1]
    correct = f"/programme/money/spend/{entry.pk}/correct/"
    response = client.post(correct, {"spent_on": "2018-05-02", "reason": "Wrong line"})
    assert "after 30 June 2018" in response.content.decode()
    assert (
        client.post(correct, {"spent_on": "2018-07-02", "reason": "Wrong line"}).status_code == 302
    )
    assert SpendEntry.objects.get(reverses=entry).amount_pence == -500_00
    money_page = client.get(f"/programme/money/?programme={_prog.pk}").content.decode()
    assert "Spend reports submitted" in money_page
    assert "£500" in money_page
