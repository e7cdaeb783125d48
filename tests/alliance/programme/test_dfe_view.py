"""The programme at a glance for the DfE (and an alliance lead's own version), and its download."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest

from alliance.audit.models import AuditEvent
from alliance.programme.models import Milestone, SpendEntry
from alliance.programme.services.spend_report_queries import raise_query
from alliance.programme.services.spend_reports import submit_spend_report
from tests.alliance.programme import factories as pf
from tests.alliance.programme.test_views import _as, world  # noqa: F401 - the shared fixture

pytestmark = pytest.mark.django_db

TODAY = dt.date(2018, 10, 15)  # into the programme's third quarter


@pytest.fixture
def busy(world, monkeypatch):  # noqa: F811
    monkeypatch.setattr("alliance.programme.views.dfe_view._today", lambda: TODAY)
    for day, amount in ((dt.date(2018, 5, 1), 1_000_00), (dt.date(2018, 8, 1), 250_50)):
        SpendEntry.objects.create(
            budget_line=world["line"],
            spent_on=day,
            amount_pence=amount,
            description="Peer review",
            evidence="INV",
        )
    Milestone.objects.create(
        engagement=world["ours"], title="Front door audit", owner="A", due=TODAY, rag="red"
    )
    Milestone.objects.create(
        engagement=world["ours"],
        title="Late plan",
        owner="A",
        due=dt.date(2018, 9, 1),
        rag="green",
    )
    Milestone.objects.create(
        engagement=world["theirs"],
        title="Essex amber",
        owner="B",
        due=dt.date(2019, 1, 1),
        rag="amber",
    )
    first = submit_spend_report(world["tyneside"], 1, today=TODAY, user=world["lead"])
    second = submit_spend_report(world["tyneside"], 2, today=TODAY, user=world["lead"])
    raise_query(second, "Why?", user=world["dfe"])
    return {"awaiting": first, "queried": second}


def test_the_dfe_sees_every_alliance_money_rag_risks_and_reports(client, world, busy):  # noqa: F811
    page = _as(client, world["dfe"]).get("/programme/at-a-glance/").content.decode()
    assert "Test Essex" in page
    assert "Test Tyneside" in page
    alliances = page.split("data-alliances")[1].split("</table>")[0]
    tyneside = alliances.split('data-alliance="Test Tyneside"')[1].split("</tr>")[0]
    assert "£1,250.50" in tyneside  # spent
    assert "£1,000,000" in tyneside  # its grant share
    quarters = page.split("data-quarters")[1].split("</table>")[0]
    assert "Quarter 1" in quarters
    assert "£1,000 /" not in quarters
    assert "/ £1,000<" in quarters.replace("</td>", "<")  # the first quarter's actual
    assert "/ £250.50" in quarters
    risks = page.split("data-risks")[1].split("</ul>")[0]
    assert "Front door audit" in risks
    assert "rated red" in risks
    assert "Late plan" in risks
    assert "overdue" in risks
    assert "Essex amber" not in risks
    awaiting = page.split("data-awaiting")[1].split("</ul>")[0]
    assert f"/programme/spend-reports/{busy['awaiting'].pk}/" in awaiting
    assert f"/programme/spend-reports/{busy['queried'].pk}/" not in awaiting
    assert f"/programme/spend-reports/{busy['queried'].pk}/" in page.split("data-queried")[1]


def test_an_administrator_sees_it_and_a_lead_sees_only_their_own_version(client, world, busy):  # noqa: F811
    assert _as(client, world["admin"]).get("/programme/at-a-glance/").status_code == 200
    # the all-alliance page is not the lead's; their own version shows only their alliance
    assert _as(client, world["lead"]).get("/programme/at-a-glance/").status_code == 403
    page = _as(client, world["lead"]).get("/programme/at-a-glance/alliance/").content.decode()
    assert "Test Tyneside" in page
    assert "Test Essex" not in page
    assert "Essex amber" not in page
    other = _as(client, world["other_lead"]).get("/programme/at-a-glance/alliance/")
    body = other.content.decode()
    assert "Test Essex" in body
    assert "Front door audit" not in body
    assert f"/programme/spend-reports/{busy['awaiting'].pk}/" not in body


def test_the_page_takes_a_fixed_number_of_queries(
    client,
    world,  # noqa: F811
    busy,
    django_assert_max_num_queries,
):
    c = _as(client, world["dfe"])
    c.get("/programme/at-a-glance/")  # warm the session
    with django_assert_max_num_queries(20) as few:
        c.get("/programme/at-a-glance/")
    # more alliances, engagements and spend take no more queries
    for code in ("800", "801", "802", "803"):
        partner = pf.partner(world["prog"], code, name=f"Alliance {code}")
        line = pf.budget_line(partner)
        SpendEntry.objects.create(
            budget_line=line,
            spent_on=dt.date(2018, 6, 1),
            amount_pence=10_00,
            description="x",
            evidence="y",
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        c.get("/programme/at-a-glance/")


def test_the_download_has_a_row_per_alliance_and_quarter_and_is_audited(client, world, busy):  # noqa: F811
    response = _as(client, world["dfe"]).get(
        f"/programme/at-a-glance.csv?programme={world['prog'].pk}"
    )
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    header, body = rows[0], rows[1:]
    assert header[:3] == ["Programme", "Alliance", "Quarter"]
    assert len(body) == 2 * 8  # two alliances, eight quarters in two years
    first = next(r for r in body if r[1] == "Test Tyneside" and r[2] == "1")
    assert first[header.index("Actual spend (£)")] == "1000.00"
    assert AuditEvent.objects.filter(action="export", user_id=world["dfe"].pk).exists()
    # a lead's download has only their alliance
    lead_rows = list(
        csv.reader(
            io.StringIO(
                b"".join(
                    _as(client, world["lead"])
                    .get("/programme/at-a-glance/alliance.csv")
                    .streaming_content
                ).decode()
            )
        )
    )
    assert {r[1] for r in lead_rows[1:]} == {"Test Tyneside"}


def test_a_lead_cannot_ask_for_a_programme_their_alliance_is_not_in(client, world, busy):  # noqa: F811
    other = pf.programme(
        name="Later programme", starts=dt.date(2021, 4, 1), ends=dt.date(2023, 3, 31)
    )
    pf.partner(other, "881", name="Later Essex")
    page = (
        _as(client, world["lead"])
        .get(f"/programme/at-a-glance/alliance/?programme={other.pk}")
        .content.decode()
    )
    assert "Later programme" not in page
    assert "Test programme" in page
    # the DfE sees the newest programme first, and can choose the other
    dfe = _as(client, world["dfe"])
    assert "Later Essex" in dfe.get("/programme/at-a-glance/").content.decode()
    chosen = dfe.get(f"/programme/at-a-glance/?programme={world['prog'].pk}").content.decode()
    assert "Test Tyneside" in chosen
    assert "Later Essex" not in chosen


def _download(client, user, url="/programme/at-a-glance.csv"):
    response = _as(client, user).get(url)
    if response.status_code != 200:
        return response.status_code, None
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    return 200, {r[1] for r in rows[1:]}


ALLIANCE_CSV = "/programme/at-a-glance/alliance.csv"


def test_who_may_download_the_glance_and_which_alliances_they_get(client, world, busy):  # noqa: F811
    both = {"Test Tyneside", "Test Essex"}
    # every alliance: DfE analysts and administrators
    assert _download(client, world["dfe"]) == (200, both)
    assert _download(client, world["admin"]) == (200, both)
    # a lead: their own alliance's version only
    assert _download(client, world["lead"]) == (403, None)
    assert _download(client, world["lead"], ALLIANCE_CSV) == (200, {"Test Tyneside"})
    assert _download(client, world["other_lead"], ALLIANCE_CSV) == (200, {"Test Essex"})
    assert _download(client, world["dfe"], ALLIANCE_CSV) == (200, both)
    # nobody else: refused and audited, or (a council leader, who may export their own
    # council's programme records) a file with no alliance in it
    for role in ("supported_analyst", "practitioner"):
        for url in ("/programme/at-a-glance.csv", ALLIANCE_CSV):
            assert _download(client, world[role], url) == (403, None), (role, url)
        assert (
            AuditEvent.objects.filter(action="access-denied", user_id=world[role].pk).count() == 2
        ), role
    assert _download(client, world["supported_leader"]) == (403, None)
    assert _download(client, world["supported_leader"], ALLIANCE_CSV) == (200, set())
    # each page offers the download its reader may make
    page = _as(client, world["admin"]).get("/programme/at-a-glance/").content.decode()
    assert "/programme/at-a-glance.csv?programme=" in page
    lead_page = _as(client, world["lead"]).get("/programme/at-a-glance/alliance/").content.decode()
    assert "/programme/at-a-glance/alliance.csv?programme=" in lead_page
    client.logout()
    for url in ("/programme/at-a-glance.csv", ALLIANCE_CSV):
        signed_out = client.get(url)
        assert signed_out.status_code == 302
        assert "/accounts/" in signed_out["Location"] or "sign" in signed_out["Location"]
