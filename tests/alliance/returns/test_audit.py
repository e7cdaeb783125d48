"""Every returns page that shows, sends or changes a council's data writes an audit row: the test
walks every URL of the app, so a new page must be put in one list or the other."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.returns.models import DataSharingAgreement, Upload
from alliance.returns.services import findings_workbook
from alliance.returns.urls import urlpatterns
from tests import factories
from tests.alliance.returns.factories import YEAR, accepted_903, csv_files, ssda903_folders

pytestmark = pytest.mark.django_db

# Pages that write no audit row, and why.
NOT_AUDITED = {
    "index": "lists the council's uploads (names, dates, counts): no child's data",
    "upload-status": "progress polled every 1.5 s (stage and counts): no child's data",
    "agreements": "the council's data-sharing agreements: no child's data",
}


@pytest.fixture
def world(reference_data, generated) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    north = factories.council("392").organisation
    analyst = factories.member_of(north, Role.COUNCIL_ANALYST)
    upload = accepted_903(north, analyst, generated)
    current, _ = ssda903_folders(generated)  # the same files, for the upload form's tests
    findings_workbook.prepare_excel_report(upload.pk)  # as the task worker does after the checks
    failed = Upload.objects.create(
        organisation=north, kind="cin", year=2025, status=Upload.Status.FAILED, uploaded_by=analyst
    )
    alliance = factories.alliance("392")
    agreement = DataSharingAgreement.objects.create(
        organisation=north,
        alliance=alliance,
        scope=DataSharingAgreement.Scope.ALL,
        starts_on=dt.date.today() - dt.timedelta(days=1),
        ends_on=dt.date.today() + dt.timedelta(days=300),
        purpose="Comparing placement stability",
        signed_by="Jo Director",
    )
    return {
        "north": north,
        "analyst": analyst,
        "upload": upload,
        "failed": failed,
        "alliance": alliance,
        "agreement": agreement,
        "lead": factories.member_of(alliance, Role.ALLIANCE_LEAD),
        "dfe": factories.member_of(factories.organisation("dfe"), Role.DFE_ANALYST),
        "current": current,
    }


def _requests(w: dict[str, Any]) -> dict[str, list[tuple[str, str, Callable[[Client], Any]]]]:
    """name -> [(who, expected audit action, request)]."""
    upload, code = w["upload"], w["upload"].summary["counts"][0]["rule_code"]
    pooled_csv = reverse(
        "returns:pooled-download", args=[w["alliance"].pk, "ssda903", YEAR, "Header"]
    )
    return {
        "new-upload": [
            # a refused upload (another one of the same return is waiting) is audited too
            (
                "analyst",
                "upload",
                lambda c: c.post(
                    reverse("returns:new-upload"),
                    {"kind": "ssda903", "year": YEAR, "current": csv_files(w["current"])},
                ),
            ),
            (
                "analyst",
                "upload",
                lambda c: c.post(
                    reverse("returns:new-upload"),
                    {"kind": "ssda903", "year": YEAR, "current": csv_files(w["current"])},
                ),
            ),
        ],
        "upload": [
            ("analyst", "view", lambda c: c.get(reverse("returns:upload", args=[upload.pk])))
        ],
        "rule": [
            ("analyst", "view", lambda c: c.get(reverse("returns:rule", args=[upload.pk, code])))
        ],
        "download": [
            ("analyst", "download", lambda c: c.get(reverse("returns:download", args=[upload.pk])))
        ],
        "retry": [
            (
                "analyst",
                "change",
                lambda c: c.post(reverse("returns:retry", args=[w["failed"].pk])),
            )
        ],
        "performance": [("analyst", "view", lambda c: c.get(reverse("returns:performance")))],
        "agreement-new": [
            (
                "analyst",
                "create",
                lambda c: c.post(
                    reverse("returns:agreement-new"),
                    {
                        "alliance": w["alliance"].pk,
                        "scope": "cin",
                        "starts_on": dt.date.today().isoformat(),
                        "ends_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
                        "purpose": "Children in need work",
                        "signed_by": "Jo Director",
                    },
                ),
            )
        ],
        "agreement-end": [
            (
                "analyst",
                "change",
                # the CIN agreement just recorded: ending it takes effect at once, and the
                # SSDA903 one must stay in force for the pooled download below
                lambda c: c.post(
                    reverse(
                        "returns:agreement-end",
                        args=[DataSharingAgreement.objects.filter(scope="cin").latest("id").pk],
                    )
                ),
            )
        ],
        "pooled": [("lead", "query", lambda c: c.get(reverse("returns:pooled"), {"year": YEAR}))],
        "pooled-download": [("lead", "export", lambda c: c.get(pooled_csv))],
        "aggregates": [
            ("dfe", "view", lambda c: c.get(reverse("returns:aggregates"), {"year": YEAR}))
        ],
        "aggregates-download": [
            (
                "dfe",
                "export",
                lambda c: c.get(reverse("returns:aggregates-download"), {"year": YEAR}),
            )
        ],
    }


def test_every_page_that_shows_or_sends_data_is_audited(client, world):
    names = {p.name for p in urlpatterns}
    requests = _requests(world)
    assert names == set(requests) | set(NOT_AUDITED), "classify every returns URL here"
    for name, calls in requests.items():
        for who, action, call in calls:
            client.force_login(world[who])
            before = AuditEvent.objects.count()
            response = call(client)
            assert response.status_code in (200, 302, 400), (name, response.status_code)
            if response.streaming:
                # read to the end: the test client then closes the file (closing the response
                # here would also close the database connection, ending the test's transaction)
                b"".join(response.streaming_content)
            new = AuditEvent.objects.order_by("-id")[: AuditEvent.objects.count() - before]
            actions = [e.action for e in new]
            assert action in actions, (name, actions)
            assert all(e.username == world[who].get_username() for e in new), name
    refused = AuditEvent.objects.filter(action="upload", detail__has_key="refused").get()
    assert "already being checked" in refused.detail["refused"]
    assert refused.organisation_id == world["north"].pk


def test_pages_not_audited_show_no_childs_data(client, world):
    client.force_login(world["analyst"])
    before = AuditEvent.objects.count()
    status = client.get(reverse("returns:upload-status", args=[world["upload"].pk])).json()
    assert set(status) == {
        "status",
        "status_label",
        "stage",
        "checks_done",
        "checks_total",
        "percent",
        "finished",
    }
    assert client.get(reverse("returns:index")).status_code == 200
    assert client.get(reverse("returns:agreements")).status_code == 200
    assert AuditEvent.objects.count() == before
