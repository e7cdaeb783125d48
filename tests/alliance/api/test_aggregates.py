"""Aggregates through the API (issue #17): the same small-number-suppressed cells the aggregates
page shows the same role in the same organisation, JSON and CSV alike, audited as the page is.

Each token is an attacker: its cells are written as linear equations over the true counts
(tests.alliance.returns.test_suppression_attack) and no count of a council it is not entitled
to may be solvable, with any combination of parameters it can send."""

from __future__ import annotations

import io
import itertools

import polars as pl
import pytest
from django.test import Client

from alliance.accounts.models import Role
from alliance.api.models import Scope
from alliance.audit.models import AuditEvent
from tests import factories
from tests.alliance.api.conftest import bearer, issue_token
from tests.alliance.returns.test_suppression_attack import (
    YEAR,
    Scenario,
    place,  # noqa: F401 (a fixture)
    seen,
    set_up,
    solvable,
)

pytestmark = pytest.mark.django_db

API = "/api/v1/aggregates"

# Small counts everywhere, one council sharing with the alliance, one whose agreement ended today
# and one that never agreed.
SCENARIO = Scenario(
    counts={
        "392": {
            "Starts by category of need: ": {"N1": 3, "N2": 9, "N4": 0, "N5": 12},
            "Ceased by reason: ": {"E11": 1, "E12": 7, "E13": 6},
        },
        "393": {
            "Starts by category of need: ": {"N1": 11, "N2": 2, "N4": 8, "N5": 4},
            "Ceased by reason: ": {"E11": 10, "E12": 0, "E13": 2},
        },
        "394": {
            "Starts by category of need: ": {"N1": 6, "N2": 6, "N4": 1, "N5": 9},
            "Ceased by reason: ": {"E11": 5, "E12": 3, "E13": 8},
        },
    },
    sharing=frozenset({"392"}),
    ended_today=frozenset({"393"}),
)

# (who, the token's organisation, role, the person on the pages with the same role and place)
TOKENS = [
    ("DfE analyst", "dfe", Role.DFE_ANALYST),
    ("alliance lead", "alliance", Role.ALLIANCE_LEAD),
    *((f"{code} analyst", code, Role.COUNCIL_ANALYST) for code in ("392", "393", "394")),
]


def _token(place, where: str, role: str, scopes=None) -> str:  # type: ignore[no-untyped-def]  # noqa: F811
    organisation = (
        place.alliance
        if where == "alliance"
        else place.people["DfE analyst"][0].memberships.first().organisation
        if where == "dfe"
        else place.councils[where]
    )
    admin = factories.member_of(organisation, Role.ORGANISATION_ADMINISTRATOR)
    return issue_token(organisation, admin, role=role, scopes=scopes)[1]


def _cells(client, raw: str, /, **query) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    """The cells the API gives: (table, council, category, shown), JSON and CSV, which must agree."""
    query = {"kind": "ssda903", "year": YEAR, **query}
    answer = client.get(API, {**query, "format": "json"}, **bearer(raw))
    assert answer.status_code == 200, answer.content
    body = answer.json()
    as_json = [(c["table"], c["council"], c["category"], c["count"]) for c in body["cells"]]
    download = client.get(API, {**query, "format": "csv"}, **bearer(raw))
    assert download.status_code == 200, download.content
    assert download["Content-Type"].startswith("text/csv")
    frame = pl.read_csv(io.BytesIO(factories.body_of(download)), infer_schema=False)
    as_csv = [tuple(r) for r in frame.select("table", "council", "category", "count").rows()]
    assert as_csv == as_json
    return as_json


def test_every_token_role_gets_what_its_page_shows_and_cannot_solve_a_hidden_count(place):  # noqa: F811
    set_up(place, SCENARIO)
    for who, where, role in TOKENS:
        raw = _token(place, where, role)
        cells = _cells(Client(), raw)
        page = Client()
        page.force_login(place.people[who][0])
        # the page's cells and its CSV's, which the attack module checks are the same
        assert sorted(cells * 2) == sorted(seen(page, place)), who
        known = SCENARIO.sharing if who == "alliance lead" else place.people[who][1]
        assert solvable(place, SCENARIO, cells, set(known)) == set(), who
        shown = {council for _t, council, _c, _s in cells} - {"All councils shown"}
        if who != "DfE analyst":
            assert shown <= {place.councils[c].name for c in known}, who
        # a count from 1 to 4 is never shown as a number, whoever asks
        for _t, council, _c, count in cells:
            if council not in {place.councils[c].name for c in known}:
                assert count not in {"1", "2", "3", "4"}, (who, council)


def test_no_parameter_gets_more_than_the_suppressed_cells(place):  # noqa: F811
    set_up(place, SCENARIO)
    raw = _token(place, "dfe", Role.DFE_ANALYST)
    client = Client()
    plain = _cells(client, raw)
    assert any(count == "<5" for *_rest, count in plain)
    assert any(count == "[c]" for *_rest, count in plain)
    tries = [
        {"threshold": 0},
        {"threshold": "1"},
        {"suppress": "false"},
        {"exact": "true"},
        {"raw": 1},
        {"council": "392"},
        {"organisation": place.councils["392"].pk},
        {"kind": ["cin", "ssda903"]},
        {"year": [YEAR - 1, YEAR]},
    ]
    for extra in tries:
        if "kind" in extra or "year" in extra:
            answer = client.get(API, {"kind": "ssda903", "year": YEAR, **extra}, **bearer(raw))
            assert answer.status_code in (200, 400), (extra, answer.content)
            if answer.status_code == 200:
                for cell in answer.json()["cells"]:
                    assert cell["count"] not in {"1", "2", "3", "4"}, extra
            continue
        assert _cells(client, raw, **extra) == plain, extra
    for kind, year in itertools.product(("ssda903", "cin"), (YEAR - 1, YEAR, YEAR + 1)):
        for *_rest, count in _cells(client, raw, kind=kind, year=year):
            assert count not in {"1", "2", "3", "4"}, (kind, year)


def test_another_organisations_token_sees_only_its_own_reach(place):  # noqa: F811
    set_up(place, SCENARIO)
    other_alliance = factories.alliance("394")
    for where, role, organisation in (("394", Role.COUNCIL_ANALYST, place.councils["394"]),):
        cells = _cells(Client(), _token(place, where, role))
        assert {c for _t, c, _c, _s in cells} <= {organisation.name, "All councils shown"}
    admin = factories.member_of(other_alliance, Role.ORGANISATION_ADMINISTRATOR)
    _token_row, raw = issue_token(other_alliance, admin, role=Role.ALLIANCE_LEAD)
    assert _cells(Client(), raw) == [], "no council shares with this alliance"


@pytest.mark.parametrize(
    ("query", "status", "says"),
    [
        ({"kind": "care-plans", "year": YEAR}, 400, "kind"),
        ({"kind": "ssda903", "year": "last year"}, 400, "year"),
        ({"kind": "ssda903"}, 400, "year"),
        ({"kind": "ssda903", "year": 1999}, 400, "year of 31 March"),
        ({"kind": "ssda903", "year": YEAR, "format": "xlsx"}, 400, "format"),
    ],
)
def test_bad_parameters_get_clear_errors(place, query, status, says):  # noqa: F811
    raw = _token(place, "dfe", Role.DFE_ANALYST)
    answer = Client().get(API, query, **bearer(raw))
    assert answer.status_code == status
    assert says in answer.json()["detail"]
    assert not AuditEvent.objects.filter(object_type="returns.aggregates").exists()


def test_a_token_needs_the_scope_and_is_audited(place):  # noqa: F811
    set_up(place, SCENARIO)
    raw = _token(place, "dfe", Role.DFE_ANALYST, scopes=[Scope.READ_RETURNS])
    answer = Client().get(API, {"kind": "ssda903", "year": YEAR}, **bearer(raw))
    assert answer.status_code == 403
    assert "aggregates:read" in answer.json()["detail"]
    assert AuditEvent.objects.filter(action="access-denied").exists()
    assert not AuditEvent.objects.filter(object_type="returns.aggregates").exists()

    raw = _token(place, "dfe", Role.DFE_ANALYST)
    Client().get(API, {"kind": "ssda903", "year": YEAR, "format": "csv"}, **bearer(raw))
    Client().get(API, {"kind": "ssda903", "year": YEAR}, **bearer(raw))
    events = AuditEvent.objects.filter(object_type="returns.aggregates")
    assert sorted(e.action for e in events) == ["export", "view"]
    assert all(e.detail["via"] == "API" for e in events)


def test_without_a_token_nothing_is_given(place):  # noqa: F811
    set_up(place, SCENARIO)
    for headers in ({}, bearer("not-a-token")):
        answer = Client().get(API, {"kind": "ssda903", "year": YEAR}, **headers)
        assert answer.status_code == 401
        assert "cells" not in answer.json()
