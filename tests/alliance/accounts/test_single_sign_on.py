"""Signing in with an organisation's account, against a real OpenID Connect provider running
locally (tests/oidc_provider.py), through Django's test client."""

from __future__ import annotations

import pytest
import requests
from django.core import mail
from django.db import IntegrityError, transaction
from django.test import Client

from alliance.access.policy import SIGNED_IN_THROUGH
from alliance.accounts.models import Membership, Role, User
from alliance.audit.models import AuditEvent
from alliance.organisations.models import Organisation, SingleSignOn
from alliance.organisations.single_sign_on import encrypt
from tests import factories, two_step
from tests.oidc_provider import Provider, path_and_query, running_provider

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def provider():
    with running_provider() as running:
        yield running


@pytest.fixture
def council(reference_data):
    return factories.council("392").organisation


@pytest.fixture
def sso(council, provider):
    return SingleSignOn.objects.create(
        organisation=council,
        issuer=provider.issuer,
        client_id="alliance-service",
        secret=encrypt("s3cret"),
        email_domains="northtyneside.gov.uk",
    )


@pytest.fixture
def analyst(council):
    return factories.user(
        Role.COUNCIL_ANALYST, council, username="ann.analyst@northtyneside.gov.uk"
    )


def start(client: Client, email: str) -> str:
    """Ask to sign in with the organisation's account; the provider's authorisation URL."""
    response = client.post("/sign-in/organisation/", {"email": email})
    assert response.status_code == 302, response.content.decode()[:2000]
    return response["Location"]


def come_back(client: Client, provider: Provider, subject: str, email: str):
    answer = provider.authorise(start(client, email), subject)
    return client.get(path_and_query(answer))


def refusals():
    return AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN_FAILED)


def test_first_sign_in_links_the_account_and_later_ones_match_on_the_subject(
    provider, sso, analyst
):
    provider.person("ann-1", email=analyst.email, email_verified=True)
    client = Client()
    response = come_back(client, provider, "ann-1", analyst.email)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(analyst.pk)
    assert client.session[SIGNED_IN_THROUGH] == sso.organisation_id
    analyst.refresh_from_db()
    assert (analyst.sso_issuer, analyst.sso_subject) == (provider.issuer, "ann-1")
    signed_in = AuditEvent.objects.filter(action=AuditEvent.Action.SIGN_IN, user_id=analyst.pk)
    assert signed_in.get().detail["method"] == "single sign-on"

    # The provider now gives another address for the same subject: still the same account.
    provider.person("ann-1", email="ann.new@northtyneside.gov.uk", email_verified=True)
    again = Client()
    assert come_back(again, provider, "ann-1", analyst.email).status_code == 302
    assert again.session["_auth_user_id"] == str(analyst.pk)


def test_role_and_organisation_come_from_the_service_not_the_provider(provider, sso, analyst):
    provider.person(
        "ann-1",
        email=analyst.email,
        email_verified=True,
        roles=["administrator"],
        organisation="Department for Education",
    )
    client = Client()
    assert come_back(client, provider, "ann-1", analyst.email).status_code == 302
    assert list(Membership.objects.filter(user=analyst).values_list("role", flat=True)) == [
        Role.COUNCIL_ANALYST
    ]
    assert client.get("/people/").status_code == 403


def assert_refused(client, response, message, before):
    assert response.status_code == 403
    assert message in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert refusals().count() == before + 1
    return refusals().order_by("-pk").first()


@pytest.mark.parametrize(
    ("claims", "message", "reason"),
    [
        (
            {"email": "nobody@northtyneside.gov.uk", "email_verified": True},
            "There is no account for nobody@northtyneside.gov.uk",
            "no account for the email address",
        ),
        (
            {"email": "ann.analyst@northtyneside.gov.uk", "email_verified": False},
            "not verified",
            "email address not verified",
        ),
        (
            {"email": "ann.analyst@northtyneside.gov.uk"},
            "not verified",
            "email address not verified",
        ),
        ({"email_verified": True}, "did not give an email address", "no email address"),
    ],
    ids=["unknown email", "unverified email", "email_verified missing", "no email"],
)
def test_refused_when_the_provider_gives_an_email_that_cannot_be_trusted(
    provider, sso, analyst, claims, message, reason
):
    provider.person("someone", **claims)
    client = Client()
    before = refusals().count()
    event = assert_refused(
        client, come_back(client, provider, "someone", analyst.email), message, before
    )
    assert event.detail == {"method": "single sign-on", "reason": reason}
    analyst.refresh_from_db()
    assert analyst.sso_subject == ""
    assert User.objects.filter(sso_subject="someone").count() == 0


def test_refused_when_the_account_belongs_to_another_organisation(provider, sso, reference_data):
    other = factories.council("393").organisation
    person = factories.user(Role.COUNCIL_ANALYST, other, username="sam@northtyneside.gov.uk")
    provider.person("sam", email=person.email, email_verified=True)
    client = Client()
    before = refusals().count()
    assert_refused(
        client, come_back(client, provider, "sam", person.email), "does not belong to", before
    )
    person.refresh_from_db()
    assert person.sso_subject == ""


def test_refused_for_an_email_outside_the_organisations_domains(provider, sso, council):
    person = factories.user(Role.COUNCIL_ANALYST, council, username="ann@gmail.example")
    provider.person("ann", email=person.email, email_verified=True)
    client = Client()
    before = refusals().count()
    response = come_back(client, provider, "ann", "x@northtyneside.gov.uk")
    assert_refused(client, response, "does not belong to", before)


def test_refused_for_a_deactivated_person(provider, sso, analyst):
    analyst.is_active = False
    analyst.save()
    provider.person("ann-1", email=analyst.email, email_verified=True)
    client = Client()
    before = refusals().count()
    assert_refused(
        client, come_back(client, provider, "ann-1", analyst.email), "deactivated", before
    )
    analyst.refresh_from_db()
    assert analyst.sso_subject == ""


def test_refused_for_a_linked_person_who_is_deactivated_later(provider, sso, analyst):
    provider.person("ann-1", email=analyst.email, email_verified=True)
    assert come_back(Client(), provider, "ann-1", analyst.email).status_code == 302
    User.objects.filter(pk=analyst.pk).update(is_active=False)
    client = Client()
    before = refusals().count()
    assert_refused(
        client, come_back(client, provider, "ann-1", analyst.email), "deactivated", before
    )


def test_refused_when_the_account_is_already_linked_to_another_subject(provider, sso, analyst):
    User.objects.filter(pk=analyst.pk).update(sso_issuer=provider.issuer, sso_subject="ann-1")
    provider.person("impostor", email=analyst.email, email_verified=True)
    client = Client()
    before = refusals().count()
    assert_refused(
        client,
        come_back(client, provider, "impostor", analyst.email),
        "already linked to a different account",
        before,
    )
    analyst.refresh_from_db()
    assert analyst.sso_subject == "ann-1"


def test_refused_when_the_subject_is_linked_to_someone_in_another_organisation(
    provider, sso, analyst, reference_data
):
    other = factories.council("393").organisation
    elsewhere = factories.user(Role.COUNCIL_ANALYST, other, username="x@southtyneside.gov.uk")
    User.objects.filter(pk=elsewhere.pk).update(sso_issuer=provider.issuer, sso_subject="ann-1")
    provider.person("ann-1", email=analyst.email, email_verified=True)
    client = Client()
    before = refusals().count()
    assert_refused(
        client, come_back(client, provider, "ann-1", analyst.email), "does not belong to", before
    )
    analyst.refresh_from_db()
    assert analyst.sso_subject == ""


def test_refused_for_a_bad_state(provider, sso, analyst):
    provider.person("ann-1", email=analyst.email, email_verified=True)
    client = Client()
    answer = provider.authorise(start(client, analyst.email), "ann-1")
    forged = path_and_query(answer).replace("state=", "state=forged")
    before = refusals().count()
    assert_refused(client, client.get(forged), "did not work", before)
    analyst.refresh_from_db()
    assert analyst.sso_subject == ""


def test_refused_for_an_answer_to_a_sign_in_started_in_another_browser(provider, sso, analyst):
    provider.person("ann-1", email=analyst.email, email_verified=True)
    answer = provider.authorise(start(Client(), analyst.email), "ann-1")
    client = Client()  # an attacker's browser given the victim's answer, or the other way round
    before = refusals().count()
    assert_refused(client, client.get(path_and_query(answer)), "did not work", before)


def test_refused_for_a_bad_nonce(provider, sso, analyst):
    provider.person("ann-1", email=analyst.email, email_verified=True)
    client = Client()
    answer = provider.authorise(start(client, analyst.email), "ann-1")
    session = client.session
    for key, data in list(session.items()):
        if not key.startswith("_state_"):
            continue
        data["data"]["nonce"] = "not-the-nonce-sent"
        session[key] = data
    session.save()
    before = refusals().count()
    event = assert_refused(client, client.get(path_and_query(answer)), "did not work", before)
    assert event.detail["reason"].startswith("ID token refused")
    analyst.refresh_from_db()
    assert analyst.sso_subject == ""


def test_an_email_whose_organisation_has_no_single_sign_on_is_sent_to_the_password_form(
    provider, sso
):
    response = Client().post("/sign-in/organisation/", {"email": "someone@example.org"})
    assert response.status_code == 200
    assert "Sign in with your email address and password" in response.content.decode()


def test_a_switched_off_single_sign_on_is_not_offered(provider, sso, analyst):
    SingleSignOn.objects.filter(pk=sso.pk).update(enabled=False)
    response = Client().post("/sign-in/organisation/", {"email": analyst.email})
    assert response.status_code == 200


def test_the_organisation_the_provider_belongs_to_is_checked(provider, sso, analyst):
    """Another organisation configured with the same provider cannot sign in this council's
    people: their account must belong to the organisation whose sign-in they used."""
    dfe = factories.organisation(Organisation.Kind.DFE, "Test DfE")
    SingleSignOn.objects.create(
        organisation=dfe,
        issuer=provider.issuer,
        client_id="alliance-service",
        secret=encrypt("s3cret"),
        email_domains="education.gov.uk",
    )
    provider.person("ann-1", email=analyst.email, email_verified=True)
    client = Client()
    before = refusals().count()
    response = come_back(client, provider, "ann-1", "someone@education.gov.uk")
    assert_refused(client, response, "does not belong to", before)


def test_the_email_page_lets_its_form_lead_to_the_providers_set_up_and_no_others(provider, sso):
    policy = Client().get("/sign-in/organisation/")["Content-Security-Policy"]
    form_action = next(d for d in policy.split(";") if d.strip().startswith("form-action"))
    assert form_action.split() == ["form-action", "'self'", provider.issuer]
    SingleSignOn.objects.filter(pk=sso.pk).update(enabled=False)
    policy = Client().get("/sign-in/organisation/")["Content-Security-Policy"]
    assert "form-action 'self';" in policy + ";"


def test_the_database_holds_one_account_per_provider_subject(council):
    """Even two sign-ins linking at the same moment cannot give one subject two accounts; accounts
    never linked (an empty subject) are not caught by it."""
    first = factories.user(Role.COUNCIL_ANALYST, council)
    second = factories.user(Role.COUNCIL_ANALYST, council)
    User.objects.filter(pk=first.pk).update(sso_issuer="https://id.example", sso_subject="s")
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.filter(pk=second.pk).update(sso_issuer="https://id.example", sso_subject="s")
    # the same subject at another provider is another person
    User.objects.filter(pk=second.pk).update(sso_issuer="https://other.example", sso_subject="s")
    factories.user(Role.COUNCIL_ANALYST, council)
    factories.user(Role.COUNCIL_ANALYST, council)
    assert User.objects.filter(sso_issuer="", sso_subject="").count() >= 2


def test_a_provider_that_cannot_be_reached_is_explained_and_audited(council):
    SingleSignOn.objects.create(
        organisation=council,
        issuer="http://localhost:9",  # the discard port: nothing answers
        client_id="alliance-service",
        secret=encrypt("s3cret"),
        email_domains="northtyneside.gov.uk",
    )
    before = refusals().count()
    response = Client().post("/sign-in/organisation/", {"email": "ann@northtyneside.gov.uk"})
    assert response.status_code == 200
    assert "sign-in service cannot be reached" in response.content.decode()
    assert refusals().count() == before + 1


def test_a_wrong_password_for_an_address_whose_organisation_uses_single_sign_on_points_to_it(
    sso, analyst
):
    response = Client().post("/sign-in/", {"username": analyst.email, "password": "wrong"})
    assert "Your organisation lets you sign in with the account you use at work" in (
        response.content.decode()
    )
    other = Client().post("/sign-in/", {"username": "x@example.org", "password": "wrong"})
    assert "the account you use at work" not in other.content.decode()


def test_a_person_who_says_no_at_the_provider_is_not_signed_in(provider, sso, analyst):
    client = Client()
    authorize_url = start(client, analyst.email)
    answer = requests.post(
        authorize_url, data={"action": "deny"}, allow_redirects=False, timeout=10
    ).headers["Location"]
    assert "error=access_denied" in answer
    before = refusals().count()
    event = assert_refused(client, client.get(path_and_query(answer)), "did not work", before)
    assert event.detail["reason"] == "provider answer refused: access_denied"


def test_the_invitation_tells_a_person_whose_organisation_uses_single_sign_on(sso, council):
    admin = factories.user(Role.ADMINISTRATOR, factories.organisation(Organisation.Kind.DFE))
    client = Client()
    two_step.force_verified_login(client, admin)
    for email in ("new.person@northtyneside.gov.uk", "other@example.org"):
        response = client.post(
            "/people/invite/",
            {
                "full_name": "New Person",
                "email": email,
                "organisation": council.pk,
                "role": Role.COUNCIL_ANALYST,
            },
        )
        assert response.status_code == 302, response.content.decode()[:3000]
    with_sso, without = mail.outbox
    assert "http://testserver/sign-in/organisation/" in with_sso.body
    assert "/sign-in/organisation/" not in without.body
