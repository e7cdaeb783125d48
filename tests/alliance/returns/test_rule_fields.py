"""A finding shows every field its rule reads, with its value, and which of them it fails on
(issue #16: rule 186's rows listed SDQ_SCORE values, not the blank SDQ_REASON that fails with
it; SW12STG2's rows showed only the words 'SW_DECOM')."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.returns.services import checking, findings_workbook, uploading
from alliance.returns.services.findings import pseudonymised_findings, with_values
from statutory.cin.generator import generate
from statutory.engine.run import run
from tests import factories
from tests.statutory.builders import make_return, registry

LONG = [
    {"CHILD": c, "DECOM": "01/01/2020", "RNE": "S", "LS": "C2", "CIN": "N1", "PLACE": "U1"}
    for c in ("1", "2")
]


def findings_of(code: str, **tables: Any) -> list[dict[str, Any]]:
    return_ = make_return(**tables)
    found = run(registry(), return_, codes=[code], raise_errors=True).frame
    return with_values(found, return_.tables).to_dicts()


def test_186_shows_the_score_and_the_reason_both_failing_and_the_birth_date_it_reads():
    rows = findings_of(
        "186",
        Episodes=LONG,
        OC2=[
            {"CHILD": "1", "DOB": "01/01/2012"},
            {"CHILD": "2", "DOB": "01/01/2012", "SDQ_SCORE": "10"},
        ],
    )
    assert len(rows) == 1
    (row,) = rows
    assert row["fields"] == "SDQ_SCORE;SDQ_REASON"
    assert row["values"] == "SDQ_SCORE: (blank); SDQ_REASON: (blank)"
    assert "DOB: 01/01/2012" in row["read_values"]
    assert "CHILD" not in row["reads"].split(";")  # shown in its own column


def test_sw12stg2_shows_the_episode_dates_and_the_childs_social_worker_episodes():
    rows = findings_of(
        "SW12STG2",
        Episodes=[
            {"CHILD": "1", "DECOM": "01/01/2024", "RNE": "S", "LS": "C1"},  # no SW episode
            {"CHILD": "2", "DECOM": "01/04/2024", "RNE": "S", "LS": "C1"},  # SW episode before
        ],
        SWEpisodes=[
            {"CHILD": "2", "SW_ID": "SW1", "SW_DECOM": "01/02/2024", "SW_REASON": "MANAGE"},
            {"CHILD": "2", "SW_ID": "SW2", "SW_DECOM": "01/03/2024", "SW_REASON": "MANAGE"},
        ],
    )
    by_child = {r["child_id"]: r for r in rows}
    assert set(by_child) == {"1", "2"}
    assert by_child["1"]["values"] == "DECOM: 01/01/2024; DEC: (blank)"
    assert "RNE: S" in by_child["1"]["read_values"]
    assert "SW_DECOM (SWEpisodes): (none for this child)" in by_child["1"]["read_values"]
    assert "SW_DECOM (SWEpisodes): 01/02/2024, 01/03/2024" in by_child["2"]["read_values"]


def test_a_rule_on_a_worked_out_field_shows_the_postcode_it_comes_from():
    rows = findings_of(
        "169",
        Episodes=[{**LONG[0], "PL_POST": "ZZ99 9ZZ"}],
    )
    assert rows
    assert rows[0]["fields"] == "PL_LA"
    assert rows[0]["values"] == "PL_POST: ZZ99 9ZZ"


def test_stored_findings_mask_identifiers_among_the_fields_read_too():
    return_ = make_return(
        Episodes=LONG,
        OC2=[{"CHILD": "1", "DOB": "17/01/2012"}, {"CHILD": "2", "DOB": "01/01/2012"}],
    )
    found = run(registry(), return_, codes=["186"], raise_errors=True).frame
    stored = pseudonymised_findings(found, return_.tables, b"k" * 32).to_dicts()
    assert "DOB: 01/01/2012" in stored[0]["read_values"]  # the month, never the day
    assert "17/01/2012" not in str(stored)
    assert stored[0]["child_id"] != "1"


@pytest.mark.django_db
def test_cin_rule_page_and_workbook_show_the_fields_read_with_their_values(
    client, reference_data, generated
):
    """Several CIN rules through the service: the rule page and the Excel workbook."""
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    out = generate(generated / "cin-392-mistakes.xml", 150, year=2025, la="392", error_rate=0.05)
    census = SimpleUploadedFile("census.xml", out.read_bytes(), content_type="application/xml")
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="cin",
        year=2025,
        current=[census],
        previous=[],
    )
    checking.check(upload.pk, "t")
    upload.refresh_from_db()
    assert upload.status == "accepted", upload.problem
    counts = upload.summary["counts"]
    assert counts, "the generated census has mistakes planted"
    client.force_login(analyst)
    checked = 0
    for count in counts:
        page = client.get(reverse("returns:rule", args=[upload.pk, count["rule_code"]]))
        body = page.content.decode()
        assert "Fails on" in body
        assert "Other fields the rule reads" in body
        cells = body.split("data-fails>")[1:]
        assert cells, count["rule_code"]
        for cell in cells:
            text = cell.split("</td>")[0]
            # every field it fails on is shown with a value, never as a bare name
            assert ":" in text, (count["rule_code"], text)
        checked += 1
    assert checked >= 5

    path = findings_workbook.excel_report(upload)
    book = openpyxl.load_workbook(io.BytesIO(path.read_bytes()), read_only=True)
    sheet = book[book.sheetnames[1]]
    rows = list(sheet.iter_rows(values_only=True))
    header = list(rows[0])
    assert {"fields", "values", "reads", "read_values"} <= set(header)
    values = [dict(zip(header, r, strict=False)) for r in rows[1:]]
    assert all(":" in (v["values"] or "") for v in values)
    assert any(v["read_values"] for v in values)
    frame = pl.DataFrame(values)
    assert frame.height == upload.summary["findings"]


def test_a_field_in_none_of_the_returns_tables_is_said_not_left_out():
    findings = pl.DataFrame(
        {
            "rule_code": ["X"],
            "severity": ["error"],
            "table": ["Header"],
            "row_number": [1],
            "child_id": ["1"],
            "fields": ["ETHNIC;NO_SUCH_FIELD"],
            "reads": [""],
            "message": ["m"],
        }
    )
    return_ = make_return(Header=[{"CHILD": "1", "ETHNIC": "WBRI"}])
    (row,) = with_values(findings, return_.tables).to_dicts()
    assert row["values"] == "ETHNIC: WBRI; NO_SUCH_FIELD: (not in the return)"
    assert row["read_values"] is None
