"""An outsider's probe of every form: the walk of test_every_personal_page_is_audited.py finds
each page with a form that posts back to itself, reads the form's fields from the page, and
posts hostile values into all of them at once — 10,000 characters, a NUL byte, right-to-left
marks and `<script>`, 31 February and the years 1 and 9999, negative and huge numbers, empty
answers — as someone who may use the form.

No answer may be a server error, and a page that marks a field wrong must also show the GOV.UK
error summary ("There is a problem") that links to it."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import lxml.html
import pytest

from tests import two_step
from tests.alliance import world

pytestmark = pytest.mark.django_db

SKIPPED_PREFIXES = ("django-admin/", "api/v1/", "sign-out/")

LONG = "Long " * 2_000  # 10,000 characters
TEXTS = {
    "long": LONG,
    "nul": "before\x00after",
    "right-to-left and script": "\u202eevil\u202c <script>alert(1)</script>\u200f",
    "negative": "-1",
    "huge": "9" * 40,
    "exponent": "1e308",
    "not a number": "NaN",
    "empty": "",
    "spaces": "   ",
}
DATES = {
    "31 February": ("31", "2", "2026"),
    "year 1": ("1", "1", "1"),
    "year 9999": ("31", "12", "9999"),
    "day 0": ("0", "13", "-1"),
    "words": ("first", "June", "next year"),
}
DATE_PARTS = ("-day", "-month", "-year", "_day", "_month", "_year")


def _forms(html: str, path: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Each form on the page that posts to this site (but not sign-out): its address and its
    fields as (name, kind)."""
    page = lxml.html.fromstring(html)
    found = []
    for form in page.forms:
        if (form.get("method") or "get").lower() != "post":
            continue
        action = (form.get("action") or path).split("?")[0]
        if not action.startswith("/") or action.startswith(("//", "/sign-out/")):
            continue
        fields = []
        for element in form.inputs:
            name = element.get("name")
            if not name or name == "csrfmiddlewaretoken":
                continue
            kind = (element.get("type") or element.tag).lower()
            fields.append((name, kind))
        found.append((action, fields))
    return found


def _hostile(fields: list[tuple[str, str]], text: str, date: tuple[str, str, str]) -> dict:
    data: dict[str, Any] = {}
    for name, kind in fields:
        if kind in ("submit", "button", "file"):
            continue
        part = next((p for p in DATE_PARTS if name.endswith(p)), None)
        if part is not None:
            data[name] = date[("day", "month", "year").index(part[1:])]
        else:
            data[name] = text
    return data


def _html_pages(client: Any) -> Iterator[tuple[str, Any, str]]:
    """Every page of the demo world someone can open, as (route, response, who opened it)."""
    for route, view in world.routes():
        if route.startswith(SKIPPED_PREFIXES):
            continue
        response, who = world.get_as_someone(client, route, view)
        if response is None or response.status_code != 200 or response.streaming:
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        yield route, response, who


def test_every_form_answers_hostile_input_with_errors_not_a_server_error(
    client, reference_data, settings, tmp_path
):
    world.build(settings, tmp_path)
    broken: list[str] = []
    no_summary: list[str] = []
    probed = 0
    forms: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}
    for route, response, who in _html_pages(client):
        for action, fields in _forms(response.content.decode(), world.url_of(route)):
            forms.setdefault((action, tuple(fields)), who)
    # changes of state (removing, ending, closing) last, so the rest still find their records
    ending = ("remove", "end", "deactivate", "revoke", "unlink", "reset", "withdraw", "close")

    def last_if_ending(item: Any) -> tuple[bool, str]:
        return (any(word in item[0][0] for word in ending), item[0][0])

    for (action, fields), who in sorted(forms.items(), key=last_if_ending):
        for (text_name, text), (date_name, date) in zip(
            TEXTS.items(), list(DATES.items()) * 2, strict=False
        ):
            two_step.force_verified_login(client, who)
            probed += 1
            case = f"POST {action} as {who} with {text_name} / {date_name}"
            try:
                answer = client.post(action, _hostile(list(fields), text, date))
            except Exception as error:
                broken.append(f"{case}: {type(error).__name__}: {str(error)[:200]}")
                continue
            if answer.status_code >= 500:
                broken.append(f"{case}: {answer.status_code}")
                continue
            if answer.status_code == 200 and not answer.streaming:
                body = answer.content.decode()
                if "govuk-error-message" in body and "govuk-error-summary" not in body:
                    no_summary.append(case)
    print("PROBED", probed, len(forms), sorted({a for a, _ in forms}))
    assert probed > 100
    assert not broken, "server errors on hostile input:\n" + "\n".join(broken)
    assert not no_summary, "errors shown without the error summary:\n" + "\n".join(no_summary)


QUERY_NAMES = ("page", "year", "council", "programme", "kind", "sort", "q", "alliance", "table")
QUERY_VALUES = ("-1", "9" * 40, "\u00b2", "\x00", "<script>", "%")


def _query_names(html: str) -> set[str]:
    page = lxml.html.fromstring(html)
    names = set(QUERY_NAMES)
    for form in page.forms:
        if (form.get("method") or "get").lower() == "get":
            names |= {e.get("name") for e in form.inputs if e.get("name")}
    return names


def test_every_page_answers_hostile_query_strings_without_a_server_error(
    client, reference_data, settings, tmp_path
):
    """The filters and choices pages read from the address (?year=, ?council=, ?page=, ...),
    each given nonsense: a page may say so or ignore it, never fail."""
    world.build(settings, tmp_path)
    broken: list[str] = []
    probed = 0
    for route, response, who in _html_pages(client):
        path = world.url_of(route)
        base = dict(
            pair.split("=", 1) for pair in world.query_for(route).lstrip("?").split("&") if pair
        )
        for name in sorted(_query_names(response.content.decode())):
            for value in QUERY_VALUES:
                probed += 1
                try:
                    answer = client.get(path, {**base, name: value})
                    if answer.streaming:
                        b"".join(answer.streaming_content)
                except Exception as error:
                    broken.append(f"GET {path}?{name}={value!r} as {who}: {error!r}"[:300])
                    continue
                if answer.status_code >= 500:
                    broken.append(f"GET {path}?{name}={value!r} as {who}: {answer.status_code}")
    assert probed > 500
    assert not broken, "server errors on hostile query strings:\n" + "\n".join(broken)
