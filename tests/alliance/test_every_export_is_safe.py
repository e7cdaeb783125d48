"""Spreadsheet formula injection (issue #12 item 6): every CSV and Excel file the service sends
carries no cell a spreadsheet would run.

The test walks every URL in the URL conf (as test_every_view_is_guarded.py does), each GET with
and without `?format=csv`, as someone who may see it, after a formula has been planted at the
start of every free-text value and every stored text column (world.plant_hostile). Every
response that is a CSV or an Excel workbook is read cell by cell: none may begin with `=`, `+`,
`-`, `@`, a tab or a carriage return, unless it is a plain number. The exports the service is
known to have must all be found, and each must show a planted value (neutralised), so the test
cannot pass by reaching nothing."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook

from statutory.engine.cells import DANGEROUS
from tests import factories
from tests.alliance import world

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# the routes known to send a file: a new one is found by the walk anyway (and checked)
KNOWN_EXPORTS = {
    "audit/",
    "national-picture/councils.csv",
    "returns/uploads/<int:pk>/findings.xlsx",
    "returns/pooled/<int:alliance_id>/<str:kind>/<int:year>/<str:table>.csv",
    "returns/aggregates.csv",
    "programme/dashboard.csv",
    "programme/money/export.xlsx",
    "workplace/outcomes.csv",
    "edge-of-care/dashboard/",
}
# files people uploaded, sent back as they were (not made by the service)
UPLOADED_FILES = {"programme/practice/<int:pk>/attachment/"}
# The API signs in by token, not by session: tests/alliance/api attack it the same ways.
SKIPPED_PREFIXES = ("django-admin/", "api/v1/")  # Django's admin site makes no exports


def _dangerous(cell: Any) -> bool:
    if not isinstance(cell, str) or not cell.startswith(DANGEROUS):
        return False
    try:
        float(cell)
    except ValueError:
        return True
    return False


def _neutralised(cell: Any) -> bool:
    return isinstance(cell, str) and cell.startswith("'") and cell[1:].startswith(DANGEROUS)


def _cells(response: Any) -> list[Any] | None:
    """Every cell of a CSV or workbook response (None when it is neither)."""
    kind = response.get("Content-Type", "")
    if not kind.startswith(("text/csv", XLSX)):
        return None
    body = factories.body_of(response)
    if kind.startswith("text/csv"):
        rows = csv.reader(io.StringIO(body.decode("utf-8-sig"), newline=""))
        return [cell for row in rows for cell in row]
    book = load_workbook(io.BytesIO(body))
    return [c for sheet in book for row in sheet.iter_rows(values_only=True) for c in row]


def test_no_export_carries_a_formula(client, reference_data, settings, tmp_path):
    world.build(settings, tmp_path)
    assert world.plant_hostile() > 20
    world.prepare_workbooks()
    found: dict[str, int] = {}
    problems: list[str] = []
    for route, view in world.routes():
        if route.startswith(SKIPPED_PREFIXES) or route in UPLOADED_FILES:
            continue
        for query in ("", "?format=csv"):
            try:
                people = list(world.answers(client, route, view, query))
            except KeyError:  # a parameter the demo records cannot fill
                problems.append(f"/{route}: no value for its parameters")
                break
            # each person who may gets the file they may see: every one is read
            reached = False
            for response, who in people:
                cells = _cells(response) if response.status_code == 200 else None
                if cells is None:
                    continue
                found[route] = found.get(route, 0) + len(cells)
                bad = [c for c in cells if _dangerous(c)]
                if bad:
                    problems.append(f"/{route}{query} as {who}: {len(bad)} cells, eg {bad[0]!r}")
                reached = reached or any(_neutralised(c) for c in cells)
            if route in found and not reached:
                problems.append(f"/{route}{query}: no planted value reached it")
    assert not problems, "\n".join(problems)
    assert set(found) >= KNOWN_EXPORTS, f"exports not reached: {KNOWN_EXPORTS - set(found)}"
