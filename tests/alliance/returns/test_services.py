"""The returns pipeline end to end in one process: upload, check, store, the interface."""

from __future__ import annotations

import re

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from alliance.returns import storage
from alliance.returns.models import Upload
from alliance.returns.performance import Line, note
from alliance.returns.services import (
    checking,
    findings,
    findings_workbook,
    stored_returns,
    uploading,
)
from alliance.returns.services.checking import _without_paths
from alliance.returns.storage import UploadProblem
from statutory.cin.generator import generate
from tests.alliance.returns.factories import (
    YEAR,
    cin_file,
    csv_files,
    ssda903_folders,
    upload_903,
    zip_of,
)

pytestmark = pytest.mark.django_db


def test_an_accepted_upload_is_stored_pseudonymised_and_feeds_the_interface(
    north, analyst, generated
):
    assert stored_returns.latest_tables(north, "ssda903") == {}
    assert stored_returns.indicator_history(north, "ssda903") == []
    upload = upload_903(north, analyst, generated)
    assert upload.status == Upload.Status.QUEUED
    assert checking.check(upload.pk, "t1") == "accepted"
    upload.refresh_from_db()
    assert upload.status == Upload.Status.ACCEPTED
    assert upload.summary["rules_run"] > 100
    assert upload.summary["findings"] == sum(c["findings"] for c in upload.summary["counts"])
    # the uploaded files (real ids) are gone; the stored version holds only pseudonyms
    assert not storage.incoming_dir(upload.pk).exists()
    current, _ = ssda903_folders(generated)
    real_ids = set(pl.read_csv(current / "header.csv", infer_schema=False)["CHILD"].to_list())
    tables = stored_returns.latest_tables(north, "ssda903", YEAR)
    assert "Header" in tables
    assert "Episodes" in tables
    stored_ids = set(tables["Header"]["CHILD"].to_list())
    assert len(stored_ids) == len(real_ids)
    assert not stored_ids & real_ids
    some_id = sorted(real_ids)[0]
    assert stored_returns.pseudonymise_id(north, some_id) in stored_ids
    stacked = stored_returns.latest_tables(north, "ssda903")
    assert stacked["Header"]["YEAR"].unique().to_list() == [YEAR]
    history = stored_returns.indicator_history(north, "ssda903")
    looked_after = [r for r in history if r["code"] == "cla_at_31_march"]
    assert looked_after
    assert looked_after[0]["year"] == YEAR
    assert looked_after[0]["value"] > 0
    assert set(history[0]) >= {"year", "indicator", "label", "value", "numerator", "denominator"}


def test_a_bad_upload_leaves_the_last_good_version(north, analyst, generated):
    good = upload_903(north, analyst, generated)
    checking.check(good.pk, "t1")
    before = stored_returns.latest_tables(north, "ssda903", YEAR)["Header"]
    bad = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=[csv_files(ssda903_folders(generated)[0])[0]],  # one table only: not a return
    )
    assert checking.check(bad.pk, "t2") == "rejected"
    bad.refresh_from_db()
    assert bad.status == Upload.Status.REJECTED
    assert "could not be read" in bad.problem
    assert not storage.store_dir(north.pk, "ssda903", YEAR, bad.pk).exists()
    after = stored_returns.latest_tables(north, "ssda903", YEAR)["Header"]
    assert after.equals(before)


def test_a_zip_is_read_with_its_previous_folder(north, analyst, generated):
    current, _ = ssda903_folders(generated)
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=[zip_of(current.parent)],
    )
    assert checking.check(upload.pk, "t1") == "accepted", Upload.objects.get(pk=upload.pk).problem
    upload.refresh_from_db()
    assert upload.summary["previous_rows"]


def test_a_second_upload_while_one_runs_is_refused_and_leaves_nothing(north, analyst, generated):
    upload_903(north, analyst, generated)
    with pytest.raises(UploadProblem, match="already being checked"):
        upload_903(north, analyst, generated)
    assert Upload.objects.count() == 1
    assert [p.name for p in (storage.root() / "incoming").iterdir()] == [
        str(Upload.objects.get().pk)
    ]


def test_a_task_run_twice_checks_once(north, analyst, generated):
    upload = upload_903(north, analyst, generated)
    assert checking.check(upload.pk, "first") == "accepted"
    assert checking.check(upload.pk, "second") == "skipped"
    upload.refresh_from_db()
    assert upload.attempts == 1


def test_a_run_in_progress_is_not_taken_over(north, analyst, generated):
    upload = upload_903(north, analyst, generated)
    assert checking.claim(upload.pk, "first") is not None
    assert checking.claim(upload.pk, "second") is None


def test_cin_census_naming_another_council_is_refused(north, analyst, generated):
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="cin",
        year=2025,
        current=[cin_file(generated, la="393")],
    )
    assert checking.check(upload.pk, "t") == "rejected"
    upload.refresh_from_db()
    assert "393" in upload.problem
    assert "South Tyneside" in upload.problem


def test_cin_census_of_the_council_is_accepted(north, analyst, generated):
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="cin",
        year=2025,
        current=[cin_file(generated, la="392")],
    )
    assert checking.check(upload.pk, "t") == "accepted"
    tables = stored_returns.latest_tables(north, "cin", 2025)
    stored = set(tables["ChildIdentifiers"]["LAchildID"].to_list())
    assert "C0000001" not in stored
    assert stored_returns.pseudonymise_id(north, "C0000001", kind="cin") in stored
    assert stored_returns.indicator_history(north, "cin")


def test_a_child_has_one_pseudonym_in_both_returns(north, analyst, generated, tmp_path):
    """The Edge of Care evaluation looks a child in need up in SSDA903: the same LA child id
    must be stored under the same pseudonym in both returns, whatever `kind` is asked for."""
    upload = upload_903(north, analyst, generated)
    assert checking.check(upload.pk, "a") == "accepted"
    current, _ = ssda903_folders(generated)
    looked_after = pl.read_csv(current / "header.csv", infer_schema=False)["CHILD"].to_list()
    census = generate(tmp_path / "c.xml", len(looked_after) + 20, year=2025, la="392")
    ids = iter(looked_after)
    text = re.sub(
        r"<LAchildID>([^<]*)</LAchildID>",
        lambda m: f"<LAchildID>{next(ids, m.group(1))}</LAchildID>",
        census.read_text(),
    )
    cin = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="cin",
        year=2025,
        current=[SimpleUploadedFile("census.xml", text.encode(), content_type="application/xml")],
    )
    assert checking.check(cin.pk, "b") == "accepted"
    in_903 = set(stored_returns.latest_tables(north, "ssda903", YEAR)["Header"]["CHILD"].to_list())
    in_cin = set(stored_returns.latest_tables(north, "cin", 2025)["ChildIdentifiers"]["LAchildID"])
    assert in_903 & in_cin == in_903
    assert len(in_cin - in_903) == 20
    child = looked_after[0]
    assert stored_returns.pseudonymise_id(north, child) == stored_returns.pseudonymise_id(
        north, child, kind="cin"
    )
    assert stored_returns.pseudonymise_id(north, child.lower()) in in_903 & in_cin
    with pytest.raises(ValueError, match="kind must be one of"):
        stored_returns.pseudonymise_id(north, child, kind="903")


def test_changes_since_the_last_run(north, analyst, generated):
    first = upload_903(north, analyst, generated)
    checking.check(first.pk, "a")
    second = upload_903(north, analyst, generated, seed=4)
    checking.check(second.pk, "b")
    second.refresh_from_db()
    assert second.compared_with_id == first.pk
    found = findings.changes(second)
    assert found
    assert any(c.change != 0 for c in found)


def test_excel_report_lists_every_finding(north, analyst, generated):
    upload = upload_903(north, analyst, generated)
    checking.check(upload.pk, "a")
    upload.refresh_from_db()

    book = load_workbook(findings_workbook.excel_report(upload), read_only=True)
    assert book.sheetnames == ["Summary", "Findings"]
    assert book["Findings"].max_row == upload.summary["findings"] + 1
    book.close()


def test_the_note_says_what_moved_and_by_how_much():
    count = Line("x", "Children looked after", "count", [2024, 2025], [310.0, 342.0])
    assert note(count) == "Rose from 310 to 342 (up 32, 10.3%) between 2023 to 24 and 2024 to 25."
    rate = Line("r", "Rate", "per 10,000", [2024, 2025], [23.7, 22.2])
    assert note(rate).startswith("Fell from 23.7 to 22.2 (down 1.5, 6.3%)")
    share = Line("p", "Share (%)", "%", [2024, 2025], [13.0, 12.8])
    assert "down 0.2 percentage points" in note(share)
    single = Line("s", "One year", "count", [2025], [5.0])
    assert "upload another year" in note(single)


def _with_la_column(folder, target, value):  # type: ignore[no-untyped-def]
    """A copy of the return's files with an LA column added to the header table."""
    target.mkdir(parents=True, exist_ok=True)
    for file in sorted(folder.glob("*.csv")):
        frame = pl.read_csv(file, infer_schema=False)
        if file.name == "header.csv":
            frame = frame.with_columns(pl.lit(value).alias("LA"))
        frame.write_csv(target / file.name)
    return target


@pytest.mark.parametrize("named", ["393", "E08000023", "south tyneside"])
def test_an_ssda903_file_naming_another_council_is_refused(
    north, analyst, generated, tmp_path, named
):
    current, _ = ssda903_folders(generated)
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=csv_files(_with_la_column(current, tmp_path / "la", named)),
    )
    assert checking.check(upload.pk, "t") == "rejected"
    upload.refresh_from_db()
    assert "The LA column of header.csv names South Tyneside (393)" in upload.problem
    assert "not North Tyneside (392)" in upload.problem
    assert stored_returns.latest_tables(north, "ssda903") == {}


def test_an_ssda903_file_naming_its_own_council_or_nobody_is_accepted(
    north, analyst, generated, tmp_path
):
    current, _ = ssda903_folders(generated)
    for n, named in enumerate(["392", "not a council"]):
        upload = uploading.start_upload(
            organisation=north,
            user=analyst,
            kind="ssda903",
            year=YEAR,
            current=csv_files(_with_la_column(current, tmp_path / str(n), named)),
        )
        assert checking.check(upload.pk, "t") == "accepted", named


def test_a_file_of_the_other_return_is_refused_with_a_message(north, analyst, generated):
    census = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=[cin_file(generated, la="392")],
    )
    assert checking.check(census.pk, "a") == "rejected"
    census.refresh_from_db()
    assert "children in need census file, not an SSDA903 return" in census.problem
    current, _ = ssda903_folders(generated)
    looked_after = uploading.start_upload(
        organisation=north, user=analyst, kind="cin", year=2025, current=csv_files(current)
    )
    assert checking.check(looked_after.pk, "b") == "rejected"
    looked_after.refresh_from_db()
    assert "SSDA903" in looked_after.problem
    assert not Upload.objects.accepted().exists()


def test_messages_name_the_file_as_uploaded_not_where_the_service_keeps_it():
    kept = "/srv/alliance/var/returns/incoming/12"
    assert _without_paths(f"{kept}/unpacked/current/episodes.csv, row 3: bad") == (
        "episodes.csv, row 3: bad"
    )
    assert _without_paths(f"{kept}/previous/header.csv: bad") == "last year's header.csv: bad"
    assert _without_paths(f"{kept}/providers/ofsted.csv, row 3") == "ofsted.csv, row 3"
