"""The footer is the same on every page for every person, so each process renders it once; every
page still carries it, exactly as GOV.UK Frontend's footer macro writes it."""

from __future__ import annotations

import pytest
from django.template import engines

from alliance.accounts.models import Role
from tests import factories

pytestmark = pytest.mark.django_db


def _environment():  # type: ignore[no-untyped-def]
    return engines["jinja2"].env


def test_the_footer_is_rendered_once_and_kept():
    env = _environment()
    first = env.globals["rendered_once"]("common/footer.html")
    assert env.globals["rendered_once"]("common/footer.html") is first
    assert 'href="/accessibility/"' in first
    assert "Open Government Licence v3.0" in first


def test_the_kept_footer_is_what_the_footer_macro_writes():
    fresh = (
        _environment()
        .from_string(
            '{% from "govuk_frontend_jinja/components/footer/macro.html" import govukFooter %}'
            '{{ govukFooter({"meta": {"items": [{"href": url("accessibility"), "text": '
            '"Accessibility"}, {"href": url("national-picture:about-data"), "text": '
            '"About the data"}], "text": "Alliance is open-source software (MIT licence)."}, '
            '"contentLicence": {"text": "Published statistics from the DfE, Ofsted and ONS: '
            "contains public sector information licensed under the Open Government Licence "
            'v3.0."}, "copyright": {"text": "Statistics © Crown copyright"}}) }}'
        )
        .render()
    )
    assert _environment().globals["rendered_once"]("common/footer.html") == fresh


def test_pages_for_visitors_and_signed_in_people_carry_the_footer(client, reference_data):
    footer = str(_environment().globals["rendered_once"]("common/footer.html"))
    assert footer in client.get("/sign-in/").content.decode()
    person = factories.user(Role.COUNCIL_ANALYST, factories.council("392").organisation)
    client.force_login(person)
    page = client.get("/returns/").content.decode()
    assert footer in page
    assert person.display_name in page  # the header is still the person's own


def test_the_header_logo_and_phase_banner_are_kept_and_on_every_page(client, reference_data):
    once = _environment().globals["rendered_once"]
    logo, banner = once("common/header_logo.html"), once("common/phase_banner.html")
    assert "Alliance" in logo
    assert "Beta" in banner
    for page in (client.get("/sign-in/"), client.get("/national-picture/")):
        body = page.content.decode()
        assert str(logo) in body
        assert str(banner) in body
