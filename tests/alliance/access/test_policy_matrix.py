"""The whole role × organisation × area × action matrix: nobody reaches another organisation's
records except through a grant that says so (alliance leads: their member councils; the DfE and
administrators: everything in their areas)."""

from __future__ import annotations

import itertools

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404
from django.test import RequestFactory

from alliance.access.policy import (
    GRANTS,
    Action,
    Area,
    Reach,
    can,
    get_visible_or_404,
    scope,
    visible_to,
)
from alliance.accounts.models import Membership, Role
from alliance.audit.models import AuditEvent
from alliance.organisations.models import Organisation
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(reference_data):
    north, south, sunderland = (factories.council(c).organisation for c in ("392", "393", "394"))
    tyneside = factories.alliance("392", "393", name="Test Tyneside Alliance")
    dfe = factories.organisation(Organisation.Kind.DFE, "Test DfE")
    employer = factories.organisation(Organisation.Kind.EMPLOYER, "Test Employer Ltd")
    orgs = {
        "north": north,
        "south": south,
        "sunderland": sunderland,
        "tyneside": tyneside,
        "dfe": dfe,
        "employer": employer,
    }
    # One record owned by each organisation: a membership (any organisation-owned model would do).
    records = {
        name: factories.user(Role.COUNCIL_ANALYST, org).memberships.get()
        for name, org in orgs.items()
    }
    return orgs, records


def _expected(role: Role, member_org: str, area: Area, action: Action) -> set[str] | str:
    grant = GRANTS.get(role, {}).get(area)
    if grant is None or action not in grant.actions:
        return set()
    if grant.reach is Reach.ALL:
        return "all"
    if grant.reach is Reach.ALLIANCE:
        return {member_org, "north", "south"} if member_org == "tyneside" else {member_org}
    return {member_org}


MEMBER_ORGS = ["north", "south", "tyneside", "dfe", "employer"]


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_nobody_reaches_another_organisations_records(world, role):
    orgs, records = world
    for member_org in MEMBER_ORGS:
        person = factories.user(role, orgs[member_org])
        for area, action in itertools.product(Area, Action):
            seen = {
                name
                for name, record in records.items()
                if visible_to(
                    person, Membership.objects.filter(pk=record.pk), area, action
                ).exists()
            }
            expected = _expected(role, member_org, area, action)
            if expected == "all":
                assert seen == set(records), (role, member_org, area, action)
            else:
                assert seen == expected, (role, member_org, area, action, seen)
                for name in set(records) - seen:
                    assert not can(person, area, action, orgs[name])


def test_signed_out_and_inactive_people_reach_nothing(world):
    orgs, _ = world
    person = factories.user(Role.ADMINISTRATOR, orgs["dfe"])
    person.is_active = False
    assert scope(person, Area.AUDIT).nothing
    assert scope(AnonymousUser(), Area.PROGRAMME).nothing


def test_fetching_another_organisations_record_is_404_and_audited(world):
    orgs, records = world
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"])
    request = RequestFactory().get("/some/record/")
    request.user = person
    own = get_visible_or_404(
        request, Membership.objects.all(), Area.RETURNS, pk=records["north"].pk
    )
    assert own == records["north"]
    with pytest.raises(Http404):
        get_visible_or_404(
            request, Membership.objects.all(), Area.RETURNS, pk=records["sunderland"].pk
        )
    event = AuditEvent.objects.get(action=AuditEvent.Action.ACCESS_DENIED)
    assert event.username == person.username
    assert event.object_type == "accounts.Membership"
    assert event.object_id == str(records["sunderland"].pk)


def test_a_missing_record_is_404_without_an_audit_of_refusal(world):
    orgs, _ = world
    person = factories.user(Role.COUNCIL_ANALYST, orgs["north"])
    request = RequestFactory().get("/")
    request.user = person
    with pytest.raises(Http404):
        get_visible_or_404(request, Membership.objects.all(), Area.RETURNS, pk=10**9)
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ACCESS_DENIED).exists()


@pytest.mark.parametrize(
    "role", [Role.COUNCIL_LEADER, Role.COUNCIL_PRACTITIONER, Role.COUNCIL_ANALYST]
)
def test_edge_of_care_figures_reach_the_councils_own_people_and_no_one_elses(world, role):
    """A director of children's services, the practitioners who run Edge of Care and the
    council's analysts see their own council's Edge of Care figures, not another council's; only
    practitioners reach the families' records."""
    orgs, _ = world
    person = factories.user(role, orgs["north"])
    assert can(person, Area.EDGE_OF_CARE_FIGURES, Action.VIEW, orgs["north"])
    assert can(person, Area.EDGE_OF_CARE_FIGURES, Action.EXPORT, orgs["north"])
    assert not can(person, Area.EDGE_OF_CARE_FIGURES, Action.VIEW, orgs["south"])
    assert not can(person, Area.EDGE_OF_CARE_FIGURES, Action.CHANGE, orgs["north"])
    assert can(person, Area.EDGE_OF_CARE, Action.VIEW, orgs["north"]) == (
        role == Role.COUNCIL_PRACTITIONER
    )


def test_edge_of_care_figures_are_not_for_employers_or_young_people(world):
    orgs, _ = world
    for role, org in ((Role.EMPLOYER, "employer"), (Role.YOUNG_PERSON, "north")):
        person = factories.user(role, orgs[org])
        assert scope(person, Area.EDGE_OF_CARE_FIGURES).nothing


def test_leads_rank_and_propose_for_their_alliance_and_only_the_dfe_confirms(world):
    orgs, _ = world
    lead = factories.user(Role.ALLIANCE_LEAD, orgs["tyneside"])
    dfe = factories.user(Role.DFE_ANALYST, orgs["dfe"])
    # the lead reaches the need ranking and proposes for their alliance and its councils only
    assert can(lead, Area.MATCHING, Action.CHANGE, orgs["tyneside"])
    assert can(lead, Area.MATCHING, Action.VIEW, orgs["north"])
    assert not can(lead, Area.MATCHING, Action.VIEW, orgs["sunderland"])
    assert not can(lead, Area.MATCHING, Action.EXPORT)
    # confirming a match is programme set-up: the DfE's, never the lead's
    assert not can(lead, Area.PROGRAMME_SETUP, Action.CHANGE)
    assert can(dfe, Area.PROGRAMME_SETUP, Action.CHANGE)
    assert scope(dfe, Area.MATCHING, Action.CHANGE).everything
    for role in (Role.COUNCIL_ANALYST, Role.COUNCIL_LEADER, Role.COUNCIL_PRACTITIONER):
        assert not can(factories.user(role, orgs["north"]), Area.MATCHING)


def test_a_leads_member_councils_are_read_once_for_all_the_areas_a_page_asks_about(
    world, django_assert_num_queries
):
    orgs, _ = world
    lead = factories.user(Role.ALLIANCE_LEAD, orgs["tyneside"])
    areas = [Area.PROGRAMME, Area.RETURNS, Area.EDGE_OF_CARE_FIGURES, Area.MATCHING]
    # the memberships, then the alliance's member councils: once, whatever the number of areas
    with django_assert_num_queries(2):
        scopes = [scope(lead, area) for area in areas]
    for found in scopes:
        if not found.nothing:
            assert orgs["north"].pk in found.organisation_ids
            assert orgs["sunderland"].pk not in found.organisation_ids
