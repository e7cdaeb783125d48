"""Ofsted's provider lists given with an SSDA903 upload: the seven Ofsted-provider rules then run
and their findings reach the report; a list the library cannot use refuses the upload with its
message and stores nothing."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from alliance.audit.models import AuditEvent
from alliance.returns import storage
from alliance.returns.models import Upload
from alliance.returns.services import checking, findings, uploading
from tests.alliance.returns.factories import YEAR, cin_file, csv_files, ssda903_folders

pytestmark = pytest.mark.django_db

PROVIDER_RULES = {"219", "221", "224", "227", "228", "229", "1008"}


def _ofsted_rows(current: Path) -> tuple[list[dict[str, str]], str, str]:
    """Ofsted's combined-list rows for the URNs the return's episodes use, as Ofsted would list
    them, except that one provider is registered for another placement type (rule 219 should
    find its episodes) and one is left out (rule 1008: a URN Ofsted does not list).
    -> (rows, URN with the wrong type, URN left out)."""
    episodes = pl.read_csv(current / "episodes.csv", infer_schema=False)
    by_urn = (
        episodes.filter(pl.col("URN").is_not_null() & (pl.col("URN") != "XXXXXXX"))
        .group_by("URN")
        .agg(pl.col("PLACE").unique(), pl.col("PLACE_PROVIDER").unique(), pl.col("PL_POST").first())
        .sort("URN")
    )
    assert by_urn.height >= 3, "the generated return should place children with Ofsted providers"
    wrong_type, left_out = by_urn["URN"][0], by_urn["URN"][1]
    rows = [
        {
            "URN": row["URN"],
            "Provider type": "Children's home",
            "Local authority": "Northumberland",
            "Placement code": "Z1" if row["URN"] == wrong_type else ", ".join(row["PLACE"]),
            "Placement provider code": "/".join(p for p in row["PLACE_PROVIDER"] if p),
            "Deregistration date": "",
            "Setting address postcode": row["PL_POST"] or "",
        }
        for row in by_urn.iter_rows(named=True)
        if row["URN"] != left_out
    ]
    return rows, wrong_type, left_out


def _csv(rows: list[dict[str, str]], name: str = "ofsted-providers.csv") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    pl.DataFrame(rows).write_csv(buffer)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="text/csv")


def _xlsx(rows: list[dict[str, str]], name: str = "childrens-homes.xlsx") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    pl.DataFrame(rows).write_excel(buffer, worksheet="Providers")
    return SimpleUploadedFile(name, buffer.getvalue())


def test_with_ofsted_lists_the_provider_rules_run_and_their_findings_are_reported(
    client, analyst, north, generated
):
    current, _ = ssda903_folders(generated)
    rows, wrong_type, left_out = _ofsted_rows(current)
    client.force_login(analyst)
    # two lists, as Ofsted publishes them: a workbook and a CSV saved from the other
    half = len(rows) // 2
    response = client.post(
        reverse("returns:new-upload"),
        {
            "kind": "ssda903",
            "year": YEAR,
            "current": csv_files(current),
            "providers": [_xlsx(rows[:half]), _csv(rows[half:])],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    upload = Upload.objects.get()
    assert upload.provider_file_names == ["childrens-homes.xlsx", "ofsted-providers.csv"]
    assert upload.file_names == [f.name for f in csv_files(current)]
    kept = sorted(p.name for p in uploading.provider_lists(upload))
    assert kept == ["childrens-homes.xlsx", "ofsted-providers.csv"]
    event = AuditEvent.objects.get(action="upload", object_id=str(upload.pk))
    assert event.detail["provider_lists"] == upload.provider_file_names

    assert checking.check(upload.pk, "t") == "accepted"
    upload.refresh_from_db()
    not_run = {item["rule_code"] for item in upload.summary["not_run"]}
    assert not (PROVIDER_RULES & not_run)
    found = findings.findings_frame(upload)

    def urns_found(code: str) -> str:
        return " ".join(found.filter(pl.col("rule_code") == code)["values"].fill_null(""))

    assert f"URN: {wrong_type}" in urns_found("219")
    assert f"URN: {left_out}" in urns_found("1008")
    assert f"URN: {wrong_type}" not in urns_found("1008")

    report = client.get(reverse("returns:upload", args=[upload.pk])).content.decode()
    assert "childrens-homes.xlsx, ofsted-providers.csv" in report
    assert reverse("returns:rule", args=[upload.pk, "219"]) in report
    assert "needs Ofsted provider information" not in report
    # public data, used for the check only: not among the stored records, files gone
    stored = storage.version_dir(upload.stored_version)
    assert not any("provider" in p.name.lower() for p in stored.iterdir())
    assert uploading.provider_lists(upload) == []


def test_without_lists_the_report_says_they_can_be_added_on_the_upload_form(
    client, analyst, north, generated
):
    current, _ = ssda903_folders(generated)
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=csv_files(current),
    )
    checking.check(upload.pk, "t")
    client.force_login(analyst)
    report = client.get(reverse("returns:upload", args=[upload.pk])).content.decode()
    assert "add Ofsted&#39;s provider lists" in report or "add Ofsted's provider lists" in report
    assert "on the upload form" in report
    assert "alliance 903 validate" not in report
    assert "None given" in report
    # the form to upload again offers the lists
    index = client.get(reverse("returns:index")).content.decode()
    assert 'name="providers"' in index


def _refused(client, current: Path, providers: list[SimpleUploadedFile]) -> str:  # type: ignore[no-untyped-def]
    response = client.post(
        reverse("returns:new-upload"),
        {"kind": "ssda903", "year": YEAR, "current": csv_files(current), "providers": providers},
    )
    assert response.status_code == 400
    return response.content.decode()


def test_a_broken_provider_list_refuses_the_upload_and_stores_nothing(
    client, analyst, north, generated
):
    current, _ = ssda903_folders(generated)
    # an earlier accepted return stays the council's data
    earlier = uploading.start_upload(
        organisation=north, user=analyst, kind="ssda903", year=YEAR, current=csv_files(current)
    )
    assert checking.check(earlier.pk, "t") == "accepted"
    client.force_login(analyst)
    rows, _, _ = _ofsted_rows(current)
    rows[2]["Deregistration date"] = "the thirty-first of never"
    page = _refused(client, current, [_csv(rows, "ofsted.csv")])
    assert "There is a problem" in page
    assert "The Ofsted provider list could not be used" in page
    assert "ofsted.csv, row 3, column Deregistration date" in page
    assert 'href="#id_providers"' in page
    assert "staging-" not in page
    assert str(storage.root()) not in page

    # no columns Ofsted uses: named, with the headings wanted
    page = _refused(client, current, [_csv([{"URN": "SC1", "Name": "x"}], "not-ofsted.csv")])
    assert "not-ofsted.csv" in page
    assert "not Ofsted provider information" in page
    # a PDF, three lists, a zip that is not a workbook
    page = _refused(client, current, [SimpleUploadedFile("list.csv", b"%PDF-1.4 ...")])
    assert "must be Ofsted&#39;s .xlsx workbook or a CSV" in page
    three = [_csv(rows, f"list-{n}.csv") for n in range(3)]
    assert "at most 2 Ofsted provider lists" in _refused(client, current, three)
    fake = io.BytesIO()
    with zipfile.ZipFile(fake, "w") as archive:
        archive.writestr("a.csv", "URN\n1\n")
    page = _refused(client, current, [SimpleUploadedFile("list.xlsx", fake.getvalue())])
    assert "is a zip, not an Excel workbook" in page

    assert list(Upload.objects.all()) == [earlier]
    assert not any(p.name.startswith("staging-") for p in (storage.root() / "incoming").iterdir())
    refused = AuditEvent.objects.filter(action="upload", detail__has_key="refused")
    # each refused by the service is audited (three lists is the form's own error, before it)
    assert refused.count() == 4


def test_provider_lists_are_for_the_ssda903_return_only(client, analyst, generated, tmp_path):
    client.force_login(analyst)
    rows, _, _ = _ofsted_rows(ssda903_folders(generated)[0])
    response = client.post(
        reverse("returns:new-upload"),
        {
            "kind": "cin",
            "year": 2025,
            "current": [cin_file(tmp_path, "392")],
            "providers": [_csv(rows)],
        },
    )
    assert response.status_code == 400
    assert "for the SSDA903 return only" in response.content.decode()
    assert not Upload.objects.exists()


def test_a_list_unreadable_in_the_background_check_rejects_the_upload(north, analyst, generated):
    """The check reads the lists again: one damaged on disk after the upload (or by a reader
    stricter than the upload's) rejects the upload with the list's message and stores nothing."""
    current, _ = ssda903_folders(generated)
    rows, _, _ = _ofsted_rows(current)
    upload = uploading.start_upload(
        organisation=north,
        user=analyst,
        kind="ssda903",
        year=YEAR,
        current=csv_files(current),
        providers=[_csv(rows, "ofsted.csv")],
    )
    (kept,) = uploading.provider_lists(upload)
    kept.write_text("URN,Placement code\nSC1,K2\n")
    assert checking.check(upload.pk, "t") == "rejected"
    upload.refresh_from_db()
    assert upload.problem.startswith("The Ofsted provider list could not be used: ofsted.csv")
    assert "incoming" not in upload.problem
    assert not storage.store_dir(north.pk, "ssda903", YEAR, upload.pk).exists()
    assert not storage.incoming_dir(upload.pk).exists()
