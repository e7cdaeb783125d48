"""A walk nobody scripted: each demo person signs in and follows the links reachable from their
home page, breadth first and bounded, as a reviewer clicking around would. Every page must load
without a 4xx or 5xx (its own or any asset's), without a console error, with a title and one h1,
and with no accessibility problem axe finds."""

from __future__ import annotations

from collections import deque
from typing import Any
from urllib.parse import urldefrag, urlsplit

import pytest

from tests.browser.conftest import axe_violations, sign_in, sign_in_with_two_step

pytestmark = pytest.mark.browser

PEOPLE = [
    "analyst@north-tyneside.demo",
    "practitioner@north-tyneside.demo",
    "adviser@south-tyneside.demo",
    "leader@south-tyneside.demo",
    "analyst@sunderland.demo",
    "lead@tyneside-alliance.demo",
    "analyst@dfe.demo",
    "admin@north-tyneside.demo",
    "admin@alliance.demo",
    "employer@tyne-gateway-logistics.demo",
    "young.person@south-tyneside.demo",
]
# the people and organisations pages need a security code
TWO_STEP = {"admin@north-tyneside.demo", "admin@alliance.demo"}
PAGES_EACH = 30
# not pages: downloads, signing out, the admin site (walked by its own tests)
SKIP = ("/sign-out/", "/django-admin/", "/static/", "/media/", "/metrics/")
DOWNLOAD = (".csv", ".xlsx", "format=csv", "format=xlsx", "/attachment/", "/download/")


def _follow(href: str, base: str) -> str | None:
    url, _ = urldefrag(href)
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or f"{parts.scheme}://{parts.netloc}" != base:
        return None
    path = parts.path + ("?" + parts.query if parts.query else "")
    if parts.path.startswith(SKIP) or any(d in path for d in DOWNLOAD):
        return None
    return path


@pytest.mark.parametrize("person", PEOPLE)
def test_every_link_a_person_can_reach_works(page, base_url, person):
    problems: list[str] = []
    console: list[str] = []
    failed: list[str] = []
    page.on("console", lambda m: console.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: console.append(str(e)))

    def on_response(response: Any) -> None:
        if response.status >= 400:
            failed.append(f"{response.status} {response.url}")

    page.on("response", on_response)
    if person in TWO_STEP:
        sign_in_with_two_step(page, base_url, person)
    else:
        sign_in(page, base_url, person)
    assert "/sign-in/" not in page.url, f"{person} could not sign in"
    queue: deque[str] = deque(["/"])
    seen: set[str] = {"/"}
    visited = 0
    while queue and visited < PAGES_EACH:
        path = queue.popleft()
        console.clear()
        failed.clear()
        page.goto(base_url + path)
        page.wait_for_load_state("networkidle")
        visited += 1
        where = f"{path} as {person}"
        if failed:
            problems.append(f"{where}: {failed[:3]}")
        if console:
            problems.append(f"{where}: console {console[:3]}")
        if not page.title().strip():
            problems.append(f"{where}: no title")
        if page.locator("h1").count() != 1:
            problems.append(f"{where}: {page.locator('h1').count()} h1")
        violations = axe_violations(page)
        if violations:
            problems.append(f"{where}: axe {[(v['id'], v['nodes'][:2]) for v in violations]}")
        if "/sign-in/" in page.url:
            problems.append(f"{where}: signed out on the way")
            break
        for href in page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)"):
            found = _follow(href, base_url)
            if found is not None and found not in seen:
                seen.add(found)
                queue.append(found)
    assert visited >= 3, f"{person} reached only {visited} pages"
    assert not problems, "\n".join(problems)
