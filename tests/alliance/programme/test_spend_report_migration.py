"""Renaming grant returns to spend reports keeps every submitted report, the spend it fixed and
its history (PostgreSQL only: its schema changes run inside the test's transaction)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from alliance.accounts.models import Role
from alliance.programme.models import ChangeRecord, SpendEntry, SpendReport
from alliance.programme.services.money import add_spend
from alliance.programme.services.spend_reports import submit_spend_report
from tests import factories
from tests.alliance.programme import factories as pf

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="SQLite cannot change a schema inside the test's transaction",
    ),
]

BEFORE = ("programme", "0005_practice_changed_withdrawn")
AFTER = ("programme", "0006_spend_report")


def _migrate(target: tuple[str, str]) -> MigrationExecutor:
    with connection.cursor() as cursor:  # check the rows written so far before changing tables
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor


def test_a_submitted_report_its_spend_and_its_history_survive_the_rename(reference_data):
    programme = pf.programme()
    partner = pf.partner(programme, "392", "393", name="Test Tyneside", share=100_000_00)
    line = pf.budget_line(partner, amount=8_000_00)
    lead = factories.user(Role.ALLIANCE_LEAD, partner.alliance)
    entry = add_spend(
        SpendEntry(
            budget_line=line,
            spent_on=dt.date(2018, 5, 1),
            amount_pence=500_00,
            description="Facilitation",
            evidence="INV-1",
        ),
        user=lead,
    )
    report = submit_spend_report(partner, 1, today=dt.date(2018, 7, 5), user=lead)

    # As the table was before the rename: a grant return, with history saying so.
    old = _migrate(BEFORE).loader.project_state([BEFORE]).apps
    grant_return = old.get_model("programme", "GrantReturn").objects.get()
    assert (grant_return.pk, grant_return.total_pence) == (report.pk, 500_00)
    old_history = old.get_model("programme", "ChangeRecord").objects.get(object_type="grant return")
    assert old_history.object_id == str(report.pk)
    assert old_history.object_repr.startswith("Grant return to 30 June 2018")

    # Forwards, through the rename to the latest migration (so the models below match the
    # tables): the same row, the spend still fixed by it, the history in the new words.
    [latest] = MigrationExecutor(connection).loader.graph.leaf_nodes("programme")
    assert AFTER in MigrationExecutor(connection).loader.graph.forwards_plan(latest)
    _migrate(latest)
    kept = SpendReport.objects.get()
    assert (kept.pk, kept.quarter, kept.total_pence, kept.entries_count) == (
        report.pk,
        1,
        500_00,
        1,
    )
    assert list(kept.entries.all()) == [entry]
    assert kept.status == "submitted"  # reports from before the DfE's queries await the DfE
    assert list(partner.spend_reports.all()) == [kept]
    history = ChangeRecord.objects.get(object_type="spend report")
    assert history.object_id == str(report.pk)
    assert not ChangeRecord.objects.filter(object_type="grant return").exists()
    assert history.object_repr.startswith("Spend report to 30 June 2018")
