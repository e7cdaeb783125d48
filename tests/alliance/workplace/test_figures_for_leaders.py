"""A director of children's services and the council's analysts see their own council's WorkPlace
figures (care leavers in education, employment or training; the pipeline; employers), never the
young people's records, and never another council's figures. The figures are unsuppressed
management information, so nobody outside the council sees them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from tests import factories
from tests.alliance.workplace import factories as wp

pytestmark = pytest.mark.django_db


@pytest.fixture
def south(reference_data):  # type: ignore[no-untyped-def]
    return wp.south_tyneside()


@pytest.mark.parametrize("role", [Role.COUNCIL_LEADER, Role.COUNCIL_ANALYST])
def test_leaders_and_analysts_see_their_councils_figures_not_its_records(client, south, role):
    person = wp.young_person(south)
    client.force_login(factories.user(role, south))
    page = client.get(reverse("workplace:outcomes"))
    assert page.status_code == 200
    assert "WorkPlace figures" in client.get("/").content.decode()
    assert client.get(reverse("workplace:outcomes-csv")).status_code == 200
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()
    for records in (
        reverse("workplace:young-people"),
        reverse("workplace:young-person", args=[person.pk]),
        reverse("workplace:index"),
    ):
        assert client.get(records).status_code == 403, records
    assert person.last_name not in page.content.decode()


@pytest.mark.parametrize(
    ("role", "where"),
    [
        (Role.COUNCIL_LEADER, "392"),  # another council's leader
        (Role.DFE_ANALYST, None),
        (Role.ALLIANCE_LEAD, None),
        (Role.EMPLOYER, None),
        (Role.YOUNG_PERSON, "393"),
    ],
)
def test_nobody_outside_the_council_sees_its_unsuppressed_figures(client, south, role, where):
    if where:
        organisation = factories.council(where).organisation
    elif role == Role.DFE_ANALYST:
        organisation = factories.organisation("dfe", "Test DfE")
    elif role == Role.EMPLOYER:
        organisation = factories.organisation("employer", "Test Employer")
    else:
        organisation = factories.alliance("393")
    client.force_login(factories.user(role, organisation))
    response = client.get(reverse("workplace:outcomes"))
    if role == Role.COUNCIL_LEADER:
        # North Tyneside's leader sees North Tyneside's figures, never South Tyneside's
        assert response.status_code == 200
        assert "South Tyneside" not in response.content.decode().split("<h1", 1)[1][:400]
    else:
        assert response.status_code == 403
