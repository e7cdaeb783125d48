"""Suppression under attack across every view a person can reach (issue #12, item 5).

Small-number suppression inside one table is not enough: the probe recovered all 8 hidden cells
of a council whose agreement had ended, from the alliance lead's aggregates (that council's row
beside column totals) and the other council's exact figures on the pooled page.

These tests play each role as an attacker. They fetch what the role can reach (the aggregates
page and its CSV; the programme's need page of every council, which DfE analysts and
administrators reach and which shows each council's own return indicators, totals and shares;
the alliance lead's pooled page is modelled as the worst case, every exact
count of every council sharing with the alliance, and a council's own people know their own
counts), write every number seen as a linear equation over the true counts, and prove that no
count the role is not entitled to can be solved: a hidden cell is safe only when adding it as
an equation raises the rank of the system (its value is not fixed by what is visible). A council
whose agreement has ended must not appear at all in the alliance lead's views.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import polars as pl
import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import html

from alliance.accounts.models import Role
from alliance.returns.models import DataSharingAgreement, Upload
from alliance.returns.views import BREAKDOWNS
from tests import factories
from tests.alliance.programme import factories as programme_factories

pytestmark = pytest.mark.django_db

YEAR = 2026
CODES = ("392", "393", "394")
TABLES = {
    "Starts by category of need: ": ("N1", "N2", "N4", "N5"),
    "Ceased by reason: ": ("E11", "E12", "E13"),
}
CAPTIONS = {breakdown.prefix: caption for caption, breakdown in BREAKDOWNS["ssda903"]}
TOTAL_ROW = "All councils shown"
NEED = "need page"
# The need page's figures built from a breakdown: label -> (prefix, categories summed). A share
# is modelled at its worst: its numerator and denominator both known exactly.
STARTS, CEASED = "Starts by category of need: ", "Ceased by reason: "
TOTALS = {
    "Children starting to be looked after": (STARTS, TABLES[STARTS]),
    "Children ceasing to be looked after": (CEASED, TABLES[CEASED]),
}
ADOPTED = "Adopted (% of children ceasing to be looked after)"
ADOPTION_REASONS = ("E11", "E12")


@dataclass
class Scenario:
    counts: dict[str, dict[str, dict[str, int]]]  # council code -> prefix -> category -> count
    sharing: frozenset[str]  # codes with an agreement in force
    ended_today: frozenset[str]  # codes whose agreement was ended today ("End sharing today")


@dataclass
class Place:
    councils: dict[str, object]  # code -> Organisation
    alliance: object
    programme: object
    people: dict[str, tuple[object, set[str]]]  # who -> (user, council codes they are entitled to)


@pytest.fixture
def place(reference_data):  # type: ignore[no-untyped-def]
    councils = {code: factories.council(code).organisation for code in CODES}
    alliance = factories.alliance(*CODES)
    dfe = factories.organisation("dfe")
    people = {
        "DfE analyst": (factories.member_of(dfe, Role.DFE_ANALYST), set()),
        "administrator": (factories.member_of(dfe, Role.ADMINISTRATOR), set()),
        "alliance lead": (factories.member_of(alliance, Role.ALLIANCE_LEAD), set()),
    }
    for code, organisation in councils.items():
        people[f"{code} analyst"] = (
            factories.member_of(organisation, Role.COUNCIL_ANALYST),
            {code},
        )
    people["392 leader"] = (factories.member_of(councils["392"], Role.COUNCIL_LEADER), {"392"})
    return Place(councils, alliance, programme_factories.programme(organisation=dfe), people)


def set_up(place: Place, scenario: Scenario) -> None:
    today = timezone.localdate()
    for code, tables in scenario.counts.items():
        Upload.objects.create(
            organisation=place.councils[code],
            kind="ssda903",
            year=YEAR,
            status=Upload.Status.ACCEPTED,
            indicators=[
                {"indicator": prefix + category, "value": value, "unit": "count"}
                for prefix, found in tables.items()
                for category, value in found.items()
            ]
            + [
                {"indicator": label, "value": sum(tables[prefix].values()), "unit": "count"}
                for label, (prefix, _categories) in TOTALS.items()
            ]
            + [adopted_share(tables)],
        )
    for code in scenario.sharing | scenario.ended_today:
        DataSharingAgreement.objects.create(
            organisation=place.councils[code],
            alliance=place.alliance,
            starts_on=today.replace(year=today.year - 1),
            ends_on=today.replace(year=today.year + 1),
            ended_early_on=today if code in scenario.ended_today else None,
            purpose="Placement stability work",
            signed_by="Jo Director",
        )


def adopted_share(tables: dict[str, dict[str, int]]) -> dict[str, object]:
    adopted = sum(tables[CEASED][k] for k in ADOPTION_REASONS)
    ceased = sum(tables[CEASED].values())
    return {
        "indicator": ADOPTED,
        "value": round(100 * adopted / ceased, 1) if ceased else None,
        "numerator": adopted,
        "denominator": ceased,
        "unit": "%",
    }


def entitled(place: Place, who: str, scenario: Scenario) -> set[str]:
    """The councils whose exact counts the person may know: their own council's, and for the
    alliance lead every council sharing with the alliance (the pooled page has its records)."""
    _user, own = place.people[who]
    if who == "alliance lead":
        return set(scenario.sharing)
    return set(own)


def seen(client, place: Place) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    """Every cell the person sees in the aggregates, page and CSV: (table, row, column, shown)."""
    cells = []
    query = {"kind": "ssda903", "year": YEAR}
    page = client.get(reverse("returns:aggregates"), query)
    if page.status_code == 403:
        return []
    assert page.status_code == 200
    tree = html.fromstring(page.content)
    for table in tree.iter("table"):
        caption = table.findtext("caption").rsplit(",", 1)[0]
        columns = [th.text_content().strip() for th in table.find("thead").iter("th")][1:]
        for row in table.find("tbody").findall("tr"):
            name = row.findtext("th").strip()
            for column, td in zip(columns, row.findall("td"), strict=True):
                cells.append((caption, name, column, td.text_content().strip()))
    download = client.get(reverse("returns:aggregates-download"), query)
    assert download.status_code == 200
    frame = pl.read_csv(io.BytesIO(factories.body_of(download)), infer_schema=False)
    csv_cells = [tuple(r) for r in frame.select("table", "council", "category", "count").rows()]
    assert sorted(csv_cells) == sorted(cells)  # the CSV is the page, no more
    return cells + csv_cells


def need_pages(client, place: Place) -> list[tuple[str, str, str, str]]:  # type: ignore[no-untyped-def]
    """Every return figure the person sees on the programme's need page of each council:
    (NEED, council, indicator, shown)."""
    cells = []
    for organisation in place.councils.values():
        code = organisation.council.dfe_code  # type: ignore[attr-defined]
        page = client.get(reverse("programme:need", args=[place.programme.pk, code]))  # type: ignore[attr-defined]
        if page.status_code in (403, 404):
            return []
        assert page.status_code == 200
        tree = html.fromstring(page.content)
        for table in tree.iter("table"):
            if "own returns" not in table.findtext("caption"):
                continue
            for row in table.find("tbody").findall("tr"):
                _kind, label, _year, shown = (td.text_content().strip() for td in row.findall("td"))
                cells.append((NEED, organisation.name, label, shown))  # type: ignore[attr-defined]
    return cells


def need_page_equations(names: dict[str, str], cells, scenario: Scenario):  # type: ignore[no-untyped-def]
    """What the need pages' figures say about the true counts: ([(terms summed, value)], the
    single counts shown hidden)."""
    found, hidden = [], set()
    for _need, row, label, shown in (c for c in cells if c[0] == NEED):
        code = names[row]
        if label == ADOPTED:
            if shown.replace(",", "").replace(".", "").rstrip("%").isdigit():
                truth = scenario.counts[code][CEASED]
                for categories in (ADOPTION_REASONS, TABLES[CEASED]):
                    found.append(
                        ([(CEASED, code, k) for k in categories], sum(truth[k] for k in categories))
                    )
            continue
        if label in TOTALS:
            prefix, categories = TOTALS[label]
        else:
            prefix = next(p for p in TABLES if label.startswith(p))
            categories = (label[len(prefix) :],)
        terms = [(prefix, code, category) for category in categories]
        if shown.replace(",", "").isdigit():
            found.append((terms, int(shown.replace(",", ""))))
        elif len(terms) == 1:
            hidden.add(terms[0])
    return found, hidden


def solvable(place: Place, scenario: Scenario, cells, known: set[str]) -> set[tuple]:  # type: ignore[no-untyped-def]
    """The hidden counts of councils the person is not entitled to that the visible system
    determines. Unknowns: every true count (table, council, category). Equations: every number
    shown (a cell, a council's total, a column total over the councils shown, the grand total)
    and every count of the councils in `known`."""
    names = {place.councils[c].name: c for c in place.councils}
    unknowns = [
        (prefix, code, category)
        for prefix, categories in TABLES.items()
        for code in CODES
        for category in categories
    ]
    index = {u: i for i, u in enumerate(unknowns)}
    caption_prefix = {CAPTIONS[p]: p for p in TABLES}
    shown_rows: dict[str, set[str]] = {}
    for caption, row, _column, _shown in cells:
        if row != TOTAL_ROW and caption != NEED:
            shown_rows.setdefault(caption, set()).add(names[row])
    equations, values = [], []

    def equation(terms: list[tuple]) -> np.ndarray:
        vector = np.zeros(len(unknowns))
        for term in terms:
            vector[index[term]] = 1
        return vector

    found_on_need_pages, hidden = need_page_equations(names, cells, scenario)
    equations += [equation(terms) for terms, _value in found_on_need_pages]
    values += [value for _terms, value in found_on_need_pages]
    for caption, row, column, shown in (c for c in cells if c[0] != NEED):
        prefix = caption_prefix[caption]
        codes = sorted(shown_rows[caption]) if row == TOTAL_ROW else [names[row]]
        categories = TABLES[prefix] if column == "Total" else (column,)
        terms = [(prefix, code, category) for code in codes for category in categories]
        if shown.replace(",", "").isdigit():
            equations.append(equation(terms))
            values.append(int(shown.replace(",", "")))
        elif len(terms) == 1:
            hidden.add(terms[0])
    for code in known:
        for prefix, categories in TABLES.items():
            for category in categories:
                equations.append(equation([(prefix, code, category)]))
                values.append(scenario.counts.get(code, {}).get(prefix, {}).get(category, 0))
    if not equations:
        return set()
    system = np.array(equations)
    truth = np.array(
        [scenario.counts.get(c, {}).get(p, {}).get(k, 0) for p, c, k in unknowns], dtype=float
    )
    assert np.allclose(system @ truth, values)  # the page shows the truth
    rank = np.linalg.matrix_rank(system)
    found = set()
    for cell in hidden:
        if cell[1] in known:
            continue
        probe = np.vstack([system, equation([cell])])
        if np.linalg.matrix_rank(probe) == rank:
            found.add(cell)
    return found


def attack(client, place: Place, scenario: Scenario) -> None:  # type: ignore[no-untyped-def]
    for who, (user, _own) in place.people.items():
        client.force_login(user)
        cells = seen(client, place)
        known = entitled(place, who, scenario)
        rows = {row for _t, row, _c, _s in cells} - {TOTAL_ROW}
        need_cells = need_pages(client, place)
        if who in ("DfE analyst", "administrator"):  # the need page shows every uploaded council
            assert {row for _n, row, _l, _s in need_cells} == {
                place.councils[c].name for c in scenario.counts
            }, who
        cells += need_cells
        allowed = (
            {place.councils[c].name for c in known}
            if who not in ("DfE analyst", "administrator")
            else None
        )
        assert solvable(place, scenario, cells, known) == set(), who
        if allowed is not None:
            assert rows <= allowed, f"{who} sees counts of {sorted(rows - allowed)}"
        if who == "alliance lead":
            page = client.get(reverse("returns:aggregates"), {"kind": "ssda903", "year": YEAR})
            for code in scenario.ended_today:
                assert place.councils[code].name not in page.content.decode()


def counts_of(draw):  # type: ignore[no-untyped-def]
    return {
        prefix: {k: draw(st.integers(0, 12) | st.integers(0, 4)) for k in categories}
        for prefix, categories in TABLES.items()
    }


@st.composite
def scenarios(draw):  # type: ignore[no-untyped-def]
    uploaded = draw(st.sets(st.sampled_from(CODES), min_size=1))
    counts = {code: counts_of(draw) for code in sorted(uploaded)}
    agreed = draw(st.sets(st.sampled_from(CODES)))
    ended = draw(st.sets(st.sampled_from(sorted(agreed)))) if agreed else set()
    return Scenario(counts, frozenset(agreed - ended), frozenset(ended))


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(scenario=scenarios())
def test_no_role_can_solve_a_hidden_count_across_the_views_it_reaches(client, place, scenario):
    with transaction.atomic():
        set_up(place, scenario)
        attack(client, place, scenario)
        transaction.set_rollback(True)


def test_the_probe_that_recovered_an_ended_councils_cells_recovers_nothing(client, place):
    """The probe's case: two councils, one of which ended its agreement today; the lead knows
    the other's exact figures from the pooled page and the column totals from the aggregates."""
    scenario = Scenario(
        counts={
            "392": {
                "Starts by category of need: ": {"N1": 3, "N2": 9, "N4": 7, "N5": 2},
                "Ceased by reason: ": {"E11": 6, "E12": 1, "E13": 8},
            },
            "393": {
                "Starts by category of need: ": {"N1": 11, "N2": 6, "N4": 2, "N5": 9},
                "Ceased by reason: ": {"E11": 5, "E12": 7, "E13": 3},
            },
        },
        sharing=frozenset({"393"}),
        ended_today=frozenset({"392"}),
    )
    set_up(place, scenario)
    attack(client, place, scenario)
