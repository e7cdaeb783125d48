from __future__ import annotations

import pytest
from django.test import Client

from alliance.accounts.models import Role
from alliance.organisations.models import Organisation
from tests import factories, two_step


def sign_in(person, password=factories.PASSWORD) -> Client:
    """Sign in with a password and then a security code (the people pages need both)."""
    client = Client()
    device = two_step.device_of(person)
    response = client.post("/sign-in/", {"username": person.username, "password": password})
    assert response.status_code == 302, response.content.decode()[:2000]
    response = client.post("/sign-in/security-code/", {"token": two_step.code_for(device)})
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


@pytest.fixture
def orgs(reference_data):
    return {
        "north": factories.council("392").organisation,
        "south": factories.council("393").organisation,
        "dfe": factories.organisation(Organisation.Kind.DFE, "Test DfE"),
        "employer": factories.organisation(Organisation.Kind.EMPLOYER, "Test Employer Ltd"),
    }


@pytest.fixture
def service_admin(orgs):
    return factories.user(Role.ADMINISTRATOR, orgs["dfe"], full_name="Ada Admin")


@pytest.fixture
def north_admin(orgs):
    return factories.user(Role.ORGANISATION_ADMINISTRATOR, orgs["north"], full_name="Nora North")
