"""Walk every WorkPlace page a careers adviser, an employer and a young person can reach from
their pages, on the demo data: each opens, none shows escaped markup or a raw template value."""

from __future__ import annotations

import re
from urllib.parse import urljoin

import pytest

from alliance.accounts.demo import create_demo_people
from alliance.accounts.models import User
from alliance.workplace import demo

pytestmark = pytest.mark.django_db

LINK = re.compile(r'href="(/workplace/[^"#?]*)"')
BAD = ("&lt;", "None</", ">None<", "{{", "{%", "Traceback", " 0th", "1th ", "2th ", "3th ")


def _walk(client, start: str, limit: int = 60) -> dict[str, int]:
    seen: dict[str, int] = {}
    todo = [start]
    while todo and len(seen) < limit:
        path = todo.pop(0)
        if path in seen or "/csv" in path or path.endswith(".csv"):
            continue
        response = client.get(path)
        seen[path] = response.status_code
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        page = response.content.decode()
        for bad in BAD:
            assert bad not in page, (path, bad)
        for link in LINK.findall(page):
            # one of each kind of page: a second record of the same kind adds little
            shape = re.sub(r"\d+", "N", link)
            if not any(re.sub(r"\d+", "N", p) == shape for p in [*seen, *todo]):
                todo.append(urljoin(path, link))
    return seen


@pytest.mark.parametrize("who", [demo.CAREERS_ADVISER, demo.EMPLOYER, demo.YOUNG_PERSON])
def test_every_page_each_demo_user_reaches_opens(reference_data, client, who):
    create_demo_people()
    demo.load()
    client.force_login(User.objects.get(username=who))
    start = (
        "/workplace/me/"
        if who == demo.YOUNG_PERSON
        else ("/workplace/employer/" if who == demo.EMPLOYER else "/workplace/")
    )
    seen = _walk(client, start)
    broken = {p: code for p, code in seen.items() if code >= 500 or code == 404}
    assert not broken
    assert len(seen) >= (1 if who == demo.YOUNG_PERSON else 5)  # the young person has one page
