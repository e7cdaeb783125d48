"""Every page a person can reach follows the GOV.UK style guide's small rules (issue #16).

The test builds the demo world (tests/alliance/world.py), signs in as every demo person in turn
(every role, the young person and the employers too), and crawls the links inside the service from
the home page, a bounded number of pages per URL pattern. It fails on what a reader would notice:

- an ISO date ("2024-02-16") in the visible text;
- a month in lower case after a day ("31 march");
- money without thousands separators ("£1234.56");
- a wrong ordinal ("1th", "2th", "11st", "21th");
- a hyphen for a minus sign ("-5%", "(-3.5 to 2.0)", "-£1,000": write "−5%");
- a model's default description ("Referral object (27)");
- a raw "None";
- HTML tags shown as text ("<p>" on the page, "&lt;p&gt;" in the source);
- a server error.

Findings on the pages of common, nationalpicture, audit, accounts, organisations and returns
fail outright. Those on other apps' pages are reported as expected failures naming the app, to be
fixed by that app's owner; when an app has none its case passes.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import Resolver404, resolve

from alliance.accounts.models import Role
from tests.alliance import world

pytestmark = pytest.mark.django_db

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]

CHECKS: list[tuple[str, re.Pattern[str]]] = [
    ("ISO date", re.compile(r"(?<![\w-])\d{4}-\d{2}-\d{2}(?![\w-])")),
    (
        "month in lower case",
        re.compile(r"\b\d{1,2}(?:st|nd|rd|th)? (?:" + "|".join(MONTHS) + r")\b"),
    ),
    ("money without thousands separators", re.compile(r"£\d{4,}")),
    ("model's default description", re.compile(r"\bobject \(\d+\)")),
    # "None of", "None yet", "Queries: None." are English; a bare None is Python's.
    ("raw None", re.compile(r"\bNone\b(?! [a-z])(?!\.)")),
    (
        "HTML tag shown as text",
        re.compile(r"</?(?:p|a|br|strong|em|div|span|ul|ol|li|h[1-6]|table|td|tr|script)\b[^<>]*>"),
    ),
]
ORDINAL = re.compile(r"\b(\d+)(st|nd|rd|th)\b")
# A hyphen before a number that is not inside a word, code or range ("2024-25", "E4A-1"); but
# what a person is asked to type is written as they would type it ("For example -10").
HYPHEN_MINUS = re.compile(r"(?<![\w.,/\-–−])-£?\d")
TO_TYPE = re.compile(r"(?i)(?:for example|enter|type)\s*$")


def ordinal_suffix(n: int) -> str:
    if 10 <= n % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")


class _Text(HTMLParser):
    """The text a reader sees: no scripts, styles or attribute values."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href and "download" not in dict(attrs):
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template") and self._hidden:
            self._hidden -= 1
        elif tag in ("p", "div", "td", "th", "li", "tr", "h1", "h2", "h3", "dt", "dd", "br"):
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)

    def text(self) -> str:
        return re.sub(r"[ \t\r\f\v]+", " ", "".join(self.parts))


def findings_in(text: str) -> list[str]:
    """What the style guide would object to in a page's visible text (each with its context)."""
    found = []
    for name, pattern in CHECKS:
        for m in pattern.finditer(text):
            context = text[max(0, m.start() - 30) : m.end() + 30].replace("\n", " ").strip()
            found.append(f"{name}: “{context}”")
    for m in HYPHEN_MINUS.finditer(text):
        if not TO_TYPE.search(text[max(0, m.start() - 20) : m.start()]):
            context = text[max(0, m.start() - 30) : m.end() + 30].replace("\n", " ").strip()
            found.append(f"hyphen for a minus sign: “{context}”")
    for m in ORDINAL.finditer(text):
        if m.group(2) != ordinal_suffix(int(m.group(1))):
            found.append(f"wrong ordinal: “{m.group(0)}”")
    return found


# Where a page's findings belong, by its URL: (prefix, app). The first match wins.
OWNERS = [
    ("/national-picture/", "nationalpicture"),
    ("/audit/", "audit"),
    ("/returns/", "returns"),
    ("/organisations/", "organisations"),
    ("/people/", "accounts"),
    ("/account", "accounts"),
    ("/sign-", "accounts"),
    ("/programme/", "programme"),
    ("/workplace/", "workplace"),
    ("/edge-of-care/", "edgeofcare"),
    ("/insight/", "evidence"),
    ("/forecast/", "forecasts"),
    ("/scheduled-jobs/", "schedule"),
    ("/", "common"),
]
APPS = [
    "common",
    "nationalpicture",
    "audit",
    "accounts",
    "organisations",
    "returns",
    "workplace",
    "edgeofcare",
    "programme",
    "evidence",
    "forecasts",
    "schedule",
]

# Links the walk does not follow: signing out ends the walk, files are not pages, and the
# admin site is Django's own (walked by tests/alliance/accounts).
SKIPPED = re.compile(
    r"^/(?:sign-out|django-admin|static|media|metrics|health)\b|\.(?:csv|xlsx|pdf|json|txt|zip)$"
    r"|/download/?$|/files?/"
)
PAGES_PER_PATTERN = 2  # a second page of the same kind (another council, another person) at most
PAGES_PER_PERSON = 120


def owner_of(path: str) -> str:
    return next(app for prefix, app in OWNERS if path.startswith(prefix))


def _pattern_of(path: str) -> str:
    try:
        return resolve(path).route
    except Resolver404:
        return path


def _walk(client: Any, who: Any, seen_public: set[str]) -> Iterator[tuple[str, int, str]]:
    """(path, status, visible text) of the pages reached from the home page by following links."""
    client.force_login(who)
    queue, queued = ["/"], {"/"}
    per_pattern: dict[str, int] = defaultdict(int)
    fetched = 0
    while queue and fetched < PAGES_PER_PERSON:
        url = queue.pop(0)
        path = urlsplit(url).path
        try:
            match = resolve(path)
        except Resolver404:
            yield url, 404, ""
            continue
        public = getattr(match.func, "_alliance_access", None) == "public"
        if public and url != "/" and url in seen_public:  # the home page differs by person
            continue
        pattern = match.route + ("?" if urlsplit(url).query else "")
        if per_pattern[pattern] >= PAGES_PER_PATTERN:
            continue
        per_pattern[pattern] += 1
        fetched += 1
        if public:
            seen_public.add(url)
        response = client.get(url)
        if response.streaming:  # a file: read (the test client closes it when read), not checked
            b"".join(response.streaming_content)
        # never response.close(): it ends the request, which closes the test's database
        # connection on PostgreSQL
        if response.streaming or "html" not in response.get("Content-Type", ""):
            continue
        if response.status_code != 200:
            yield url, response.status_code, ""
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        yield url, 200, parser.text()
        for link in parser.links:
            href = urldefrag(link).url
            if (
                not href.startswith("/")
                or href.startswith("//")
                or SKIPPED.search(urlsplit(href).path)
            ):
                continue
            if href not in queued:
                queued.add(href)
                queue.append(href)


_CRAWL: dict[str, list[str]] = {}


def _crawl(client: Any, settings: Any, tmp_path: Any) -> dict[str, list[str]]:
    """Findings by app, from one walk as every demo person (run once for the module's cases)."""
    if _CRAWL.get("done") is None:
        world.build(settings, tmp_path)
        client = Client(raise_request_exception=False)  # a server error is a finding
        seen_public: set[str] = set()
        found: dict[str, list[str]] = defaultdict(list)
        people = get_user_model().objects.filter(username__endswith=".demo").order_by("pk")
        assert people.count() >= 12, "the demo world should have every role's demo person"
        pages = 0
        for who in people:
            for url, status, text in _walk(client, who, seen_public):
                pages += 1
                app = owner_of(url)
                if status >= 500:
                    found[app].append(f"{url} as {who.username}: server error {status}")
                for finding in findings_in(text):
                    found[app].append(f"{url} as {who.username}: {finding}")
        assert pages > 100, f"the walk reached only {pages} pages"
        _CRAWL.update({app: sorted(set(items)) for app, items in found.items()})
        _CRAWL["people"] = [
            f"{who.username} {role}"
            for who in people
            for role in who.memberships.values_list("role", flat=True)
        ]
        _CRAWL["done"] = []
    return _CRAWL


@pytest.mark.parametrize("app", APPS)
def test_pages_follow_the_style_guide(app: str, client, reference_data, settings, tmp_path):
    found = _crawl(client, settings, tmp_path).get(app, [])
    assert not found, f"{len(found)} style findings on {app}'s pages:\n" + "\n".join(found)


def test_the_readme_lists_every_demo_sign_in_with_its_role(
    client, reference_data, settings, tmp_path
):
    """Issue #16: the README's table left out the young person, the employers and the careers
    adviser. Every demo person the demo world makes is in it, with their role."""
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text()
    rows = {
        m.group(1): m.group(2)
        for m in re.finditer(r"^\| `([^`]+@[^`]+)` \| ([^|]+) \|", readme, re.M)
    }
    people = _crawl(client, settings, tmp_path)["people"]
    assert people
    for person in people:
        username, role = person.split(" ", 1)
        assert username in rows, f"{username} is not in the README's demo sign-ins"
        assert rows[username].startswith(Role(role).label), (username, rows[username])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Published 2024-02-16.", "ISO date"),
        ("Census on 31 march 2025", "month in lower case"),
        ("Spent £1234.56 in all", "money without thousands separators"),
        ("a change of -5% a year", "hyphen for a minus sign"),
        ("Difference +2.0 (-3.5 to 7.1)", "hyphen for a minus sign"),
        ("Balance: -£1,000", "hyphen for a minus sign"),
        ("Referral object (27) changed", "model's default description"),
        ("Ended: None", "raw None"),
        ("Notes: <p>Hello</p>", "HTML tag shown as text"),
        ("the 21th of the month", "wrong ordinal"),
        ("the 11st time", "wrong ordinal"),
        ("the 2th time", "wrong ordinal"),
    ],
)
def test_each_check_catches_what_it_names(text: str, expected: str):
    assert [f for f in findings_in(text) if f.startswith(expected)], findings_in(text)


@pytest.mark.parametrize(
    "text",
    [
        "Published 16 February 2024 at 2:30pm.",
        "Census on 31 March 2025",
        "Spent £1,234.56 or £999 in all",
        "None of the councils; none yet. Queries None.",
        "the 21st, 22nd, 23rd, 11th, 12th and 13th",
        "codes E4A and 2024 to 2025",
        "a change of −5% in 2024-25; rule 1105-3, code E4A-1, 0.5-1 and 10/-2",
        "a list - 5 items",
        "Change (%) For example -10 if a service keeps one in ten out of care",
    ],
)
def test_good_text_passes(text: str):
    assert findings_in(text) == []


def test_tags_shown_as_text_are_caught_in_the_page_source():
    parser = _Text()
    parser.feed("<p>Notes: &lt;p&gt;Hello&lt;/p&gt;</p><script>if (a<b) {}</script>")
    assert findings_in(parser.text())
