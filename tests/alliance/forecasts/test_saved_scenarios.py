"""Saved scenarios: a council's analysts save a scenario under a name, open it again (the form
filled in, the scenario shown) and delete it; an alliance's lead does the same for the pooled
forecast. Who may see or change them is exactly who may see or change the forecast, guessing
numbers included, and every save, opening and deletion is audited."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from alliance.accounts.models import Role
from alliance.audit.models import AuditEvent
from alliance.forecasts.models import SavedScenario
from alliance.returns.models import DataSharingAgreement
from tests import factories

pytestmark = pytest.mark.django_db

EDGE_OF_CARE = {"entry_10_15": "-10", "entry_16_17": "-10", "inflation": "3"}


def _save(client, where: str, *args: str, name: str, **values: str):  # type: ignore[no-untyped-def]
    return client.post(
        reverse(f"forecasts:{where}-save-scenario", args=args), {"name": name, **values}
    )


def test_an_analyst_saves_opens_and_deletes_a_scenario_all_audited(client, people, four_years):
    analyst = people[Role.COUNCIL_ANALYST]
    client.force_login(analyst)
    response = _save(client, "returns", "392", name="  Edge of care   10% ", **EDGE_OF_CARE)
    saved = SavedScenario.objects.get()
    assert saved.name == "Edge of care 10%"
    assert saved.organisation == four_years
    assert saved.saved_by == analyst
    assert saved.values == EDGE_OF_CARE
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('forecasts:returns', args=['392'])}?saved={saved.pk}"
    created = AuditEvent.objects.get(action="create", object_type="forecasts.SavedScenario")
    assert created.user_id == analyst.pk
    assert created.organisation_id == four_years.pk
    assert created.object_id == str(saved.pk)
    assert created.detail["values"] == EDGE_OF_CARE

    # opened again by the council's leader: the form filled in and the scenario shown
    client.force_login(people[Role.COUNCIL_LEADER])
    page = client.get(response["Location"]).content.decode()
    assert 'Showing the saved scenario "Edge of care 10%"' in page
    assert 'name="entry_10_15" type="text" inputmode="decimal" value="-10"' in page or (
        'value="-10"' in page
    )
    assert 'value="3"' in page
    assert "Scenario against the baseline" in page
    assert "data-saved-scenarios" in page
    assert "?entry_10_15=-10&amp;entry_16_17=-10&amp;inflation=3" in page  # the Excel link
    opened = AuditEvent.objects.filter(action="view", object_type="forecasts.SavedScenario")
    assert opened.get().user_id == people[Role.COUNCIL_LEADER].pk
    # a typed scenario is the same forecast as the saved one
    typed = client.get(
        reverse("forecasts:returns", args=["392"]) + "?entry_10_15=-10&entry_16_17=-10&inflation=3"
    ).content.decode()
    table = page[
        page.index("data-difference") : page.index("</table>", page.index("data-difference"))
    ]
    assert table in typed

    # saved again under the same name: replaced, not doubled
    client.force_login(analyst)
    _save(client, "returns", "392", name="Edge of care 10%", entry_10_15="-20")
    assert SavedScenario.objects.get().values == {"entry_10_15": "-20"}
    assert AuditEvent.objects.filter(action="change", object_id=str(saved.pk)).exists()

    response = client.post(reverse("forecasts:returns-delete-scenario", args=["392", saved.pk]))
    assert response.status_code == 302
    assert not SavedScenario.objects.exists()
    deleted = AuditEvent.objects.get(action="delete", object_type="forecasts.SavedScenario")
    assert deleted.user_id == analyst.pk
    assert deleted.organisation_id == four_years.pk
    page = client.get(reverse("forecasts:returns", args=["392"])).content.decode()
    assert "No scenario has been saved for North Tyneside" in page


@pytest.mark.parametrize(
    ("values", "words"),
    [
        ({"name": ""}, "Enter a name for the scenario"),
        ({"name": "x" * 101}, "Enter a name of 100 characters or fewer"),
        ({"name": "Nothing", "entry_10_15": ""}, "Change at least one thing from the baseline"),
        ({"name": "Negative", "in_house_places": "-3"}, "cannot be negative"),
    ],
)
def test_a_scenario_that_cannot_be_saved_says_why_and_stores_nothing(
    client, people, four_years, values, words
):
    client.force_login(people[Role.COUNCIL_ANALYST])
    filled = {"entry_10_15": "-10", **values}
    response = client.post(reverse("forecasts:returns-save-scenario", args=["392"]), filled)
    assert response.status_code in (200, 400)
    assert words in response.content.decode()
    assert not SavedScenario.objects.exists()
    assert not AuditEvent.objects.filter(object_type="forecasts.SavedScenario").exists()


def test_no_one_else_sees_or_changes_a_councils_saved_scenarios(client, people, four_years):
    client.force_login(people[Role.COUNCIL_ANALYST])
    _save(client, "returns", "392", name="Ours", **EDGE_OF_CARE)
    ours = SavedScenario.objects.get()
    other = factories.user(Role.COUNCIL_ANALYST, factories.council("393").organisation)
    open_ours = f"?saved={ours.pk}"
    delete = "forecasts:returns-delete-scenario"

    # another council's analyst: not through our pages, nor by guessing the number on theirs
    client.force_login(other)
    assert client.get(reverse("forecasts:returns", args=["392"]) + open_ours).status_code in (
        403,
        404,
    )
    theirs = client.get(reverse("forecasts:returns", args=["393"]) + open_ours)
    assert theirs.status_code == 404
    assert "Ours" not in client.get(reverse("forecasts:returns", args=["393"])).content.decode()
    assert client.post(reverse(delete, args=["393", ours.pk])).status_code == 404
    assert client.post(reverse(delete, args=["392", ours.pk])).status_code in (403, 404)
    assert _save(client, "returns", "392", name="Ours", entry_10_15="50").status_code in (403, 404)
    refused = AuditEvent.objects.filter(
        action="access-denied", user_id=other.pk, object_type="forecasts.SavedScenario"
    )
    assert refused.count() == 2  # opening and deleting ours by its number, under their council

    # other roles: the practitioner and the DfE's analyst never; the leader sees but the alliance
    # lead does not, even through the pooled page
    for role in (Role.COUNCIL_PRACTITIONER, Role.DFE_ANALYST, Role.ALLIANCE_LEAD, Role.EMPLOYER):
        client.force_login(people[role])
        assert client.post(reverse(delete, args=["392", ours.pk])).status_code in (403, 404)
        assert client.get(reverse("forecasts:returns", args=["392"]) + open_ours).status_code in (
            403,
            404,
        )
    lead = people[Role.ALLIANCE_LEAD]
    alliance = lead.memberships.first().organisation
    client.force_login(lead)
    assert (
        client.get(reverse("forecasts:pooled", args=[alliance.slug]) + open_ours).status_code == 404
    )
    assert (
        client.post(
            reverse("forecasts:pooled-delete-scenario", args=[alliance.slug, ours.pk])
        ).status_code
        == 404
    )
    assert SavedScenario.objects.get() == ours
    assert SavedScenario.objects.get().values == EDGE_OF_CARE


def test_an_alliance_lead_saves_scenarios_for_the_pooled_forecast_only(client, people, four_years):
    lead = people[Role.ALLIANCE_LEAD]
    alliance = lead.memberships.first().organisation
    DataSharingAgreement.objects.create(
        organisation=four_years, alliance=alliance, scope=DataSharingAgreement.Scope.ALL,
        starts_on=dt.date.today() - dt.timedelta(days=1),
        ends_on=dt.date.today() + dt.timedelta(days=30), purpose="Test", signed_by="Test",
    )  # fmt: skip
    client.force_login(lead)
    response = _save(client, "pooled", alliance.slug, name="Pooled plan", step_down="10")
    pooled = SavedScenario.objects.get()
    assert pooled.organisation == alliance
    assert response["Location"].endswith(f"?saved={pooled.pk}")
    page = client.get(response["Location"]).content.decode()
    assert 'Showing the saved scenario "Pooled plan"' in page
    assert "Scenario against the baseline" in page
    # the lead cannot save for the council's own forecast
    assert _save(client, "returns", "392", name="No", step_down="10").status_code in (403, 404)
    assert SavedScenario.objects.count() == 1

    # the council's analyst does not see the alliance's scenarios, on either page
    client.force_login(people[Role.COUNCIL_ANALYST])
    assert (
        "Pooled plan" not in client.get(reverse("forecasts:returns", args=["392"])).content.decode()
    )
    assert (
        client.get(reverse("forecasts:returns", args=["392"]) + f"?saved={pooled.pk}").status_code
        == 404
    )
    assert client.get(reverse("forecasts:pooled", args=[alliance.slug])).status_code in (403, 404)

    # another alliance's lead neither
    elsewhere = factories.alliance("390", "391", name="Another Alliance")
    client.force_login(factories.user(Role.ALLIANCE_LEAD, elsewhere))
    assert client.get(
        reverse("forecasts:pooled", args=[alliance.slug]) + f"?saved={pooled.pk}"
    ).status_code in (403, 404)
    assert (
        client.get(
            reverse("forecasts:pooled", args=[elsewhere.slug]) + f"?saved={pooled.pk}"
        ).status_code
        == 404
    )
    assert (
        client.post(
            reverse("forecasts:pooled-delete-scenario", args=[elsewhere.slug, pooled.pk])
        ).status_code
        == 404
    )
    assert SavedScenario.objects.count() == 1

    client.force_login(lead)
    client.post(reverse("forecasts:pooled-delete-scenario", args=[alliance.slug, pooled.pk]))
    assert not SavedScenario.objects.exists()
