"""The service's own error pages, never Django's debug pages or a blank browser error (issue 12,
item 10)."""

from __future__ import annotations

import pytest
from django.test import override_settings
from django.urls import path

from alliance.accounts.models import Role
from alliance.config import urls as service_urls
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_unknown_address_shows_the_service_404_not_the_url_list(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body
    assert "govuk-template__header" in body
    assert "URLconf" not in body
    assert "django-admin/" not in body


def test_a_method_the_view_does_not_take_shows_a_govuk_405_page(client):
    response = client.delete("/sign-in/")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST"
    body = response.content.decode()
    assert "This page cannot be opened this way" in body
    assert "govuk-template__header" in body


def test_a_get_to_a_post_only_form_address_shows_the_405_page(client, reference_data):
    """What a person sees after following a form's address in the browser."""
    person = factories.user(Role.COUNCIL_PRACTITIONER, factories.council("392").organisation)
    client.force_login(person)
    response = client.get("/workplace/young-people/1/opportunities/1/suggest/")
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This page cannot be opened this way" in response.content.decode()


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _broken), *service_urls.urlpatterns]
handler500 = "alliance.common.views.server_error"


@override_settings(ROOT_URLCONF=__name__)
def test_a_server_error_shows_the_service_500_page(client):
    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "govuk-template__header" in body
    assert "Traceback" not in body
    assert "boom" not in body


@pytest.mark.parametrize("query", ["q=%00", "q=a%00b", "%00=1", "region=%00"])
def test_an_address_with_a_nul_character_gets_a_400_page(client, reference_data, query):
    """PostgreSQL stores no NUL: `?q=%00` on a search failed there with a server error (found by
    tests/alliance/test_every_form_takes_hostile_input.py on PostgreSQL)."""
    client.force_login(factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation))
    response = client.get("/national-picture/?" + query)
    assert response.status_code == 400
    body = response.content.decode()
    assert "There is a problem with the web address" in body
    assert "govuk-template__header" in body
    assert client.get("/national-picture/?q=Tyne").status_code == 200
