"""Everyone can reset a forgotten password by email, without the page saying whether the address
has an account; requests are limited per connection and per address."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client

from alliance.accounts.models import Role
from alliance.accounts.people import links
from tests import factories

pytestmark = pytest.mark.django_db
NEW = "plum orchard lantern sixty"


@pytest.fixture
def person(orgs):
    return factories.user(
        Role.COUNCIL_ANALYST, orgs["north"], username="jo@north.test", full_name="Jo Bloggs"
    )


def _ask(client, email):
    return client.post("/sign-in/forgotten-password/", {"email": email}, follow=True)


def test_the_sign_in_page_links_to_forgotten_password():
    assert 'href="/sign-in/forgotten-password/"' in Client().get("/sign-in/").content.decode()


def test_a_person_resets_a_forgotten_password_and_their_sessions_end(person):
    open_session = Client()
    open_session.post("/sign-in/", {"username": person.username, "password": factories.PASSWORD})
    _ask(Client(), "Jo@North.test")
    (message,) = mail.outbox
    assert message.to == ["jo@north.test"]
    assert message.subject == "Reset your password"
    link = re.search(r"http://testserver(/sign-in/new-password/\S+/)", message.body).group(1)
    guest = Client()
    form = guest.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = guest.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == "/sign-in/"
    assert (
        Client().post("/sign-in/", {"username": person.username, "password": NEW}).status_code
        == 302
    )
    assert open_session.get("/account/").status_code == 302  # the old session has ended
    assert Client().get(link).status_code == 404  # used once


def test_the_answer_does_not_say_whether_an_address_has_an_account(person):
    known = _ask(Client(), "jo@north.test").content.decode()
    unknown = _ask(Client(), "nobody@north.test").content.decode()

    def page(text, email):
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"|nonce="[^"]+"', "", text).replace(
            email, "EMAIL"
        )

    assert page(known, "jo@north.test") == page(unknown, "nobody@north.test")
    assert len(mail.outbox) == 1


def test_requests_are_limited_per_address_and_per_connection(person):
    for _ in range(links.REQUESTS_PER_HOUR_FOR_ONE_ADDRESS):
        _ask(Client(), "jo@north.test")
    refused = _ask(Client(), "jo@north.test").content.decode()
    assert "You have asked for too many reset emails" in refused
    assert len(mail.outbox) == links.REQUESTS_PER_HOUR_FOR_ONE_ADDRESS
    client = Client()
    for n in range(links.REQUESTS_PER_HOUR_FROM_ONE_CONNECTION):
        _ask(client, f"someone{n}@north.test")
    # one connection is refused even for an unknown address: the limit says nothing of accounts
    assert "too many reset emails" in _ask(client, "another@north.test").content.decode()
