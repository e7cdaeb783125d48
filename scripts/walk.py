"""Walk through the running service as every demo person, and photograph their pages.

    .venv/bin/python scripts/walk.py http://localhost:8000 [--out walk-screenshots] [--pages 12]

For each demo sign-in (the README's table; password demo-password-2026) it signs in with
Playwright in Debian's Chromium (/usr/bin/chromium, or $ALLIANCE_CHROMIUM), opens the home page
and the pages its service navigation and home page link to (up to --pages), and for each page at
1,280 and 375 px wide saves a full-page screenshot in the folder and prints the page's height and
how far it scrolls sideways. A page that scrolls sideways or is very long is marked with "!".
It then signs out. Nothing is changed: only links are followed, never forms.

If a person has two-step verification turned on, the code is worked out from their device in the
service's database, so run the script with the same environment (DATABASE_URL) as the service.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from playwright.sync_api import Page, sync_playwright

PASSWORD = "demo-password-2026"  # noqa: S105 - the published demo password, refused in production
CHROMIUM = os.environ.get("ALLIANCE_CHROMIUM", "/usr/bin/chromium")
WIDTHS = (1280, 375)
LONG = 15_000  # px: a page longer than this is marked
README = Path(__file__).resolve().parents[1] / "README.md"
SKIPPED = re.compile(
    r"^/(?:sign-out|django-admin|static|media|metrics|health)\b|\.(?:csv|xlsx|pdf|json|txt|zip)$"
    r"|/download/?$"
)


def demo_people() -> list[str]:
    """The demo sign-ins, from the README's table (kept complete by a test)."""
    return re.findall(r"^\| `([^`]+\.demo)` \|", README.read_text(), re.M)


def two_step_code(username: str) -> str:
    """The current code from the person's confirmed device, read from the service's database."""
    sys.path.insert(0, str(README.parent / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.config.settings")
    import django  # noqa: PLC0415 - only when someone has two-step verification on

    django.setup()
    from django_otp.oath import TOTP  # noqa: PLC0415
    from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: PLC0415

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is None:
        raise SystemExit(f"{username} is asked for a two-step code but has no device")
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(page: Page, base: str, username: str) -> bool:
    page.goto(base + "/sign-in/")
    page.get_by_label("Email address").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    code = page.locator("input[autocomplete='one-time-code']")
    if code.count():
        code.first.fill(two_step_code(username))
        page.get_by_role("button").filter(
            has_text=re.compile("Continue|Sign in|Verify")
        ).first.click()
        page.wait_for_load_state()
    return page.locator("[data-sign-out]").count() > 0


def main_links(page: Page, base: str, limit: int) -> list[str]:
    """The home page, then the pages its navigation and main content link to."""
    hrefs = page.eval_on_selector_all(
        ".govuk-service-navigation a, main a", "els => els.map(e => e.getAttribute('href'))"
    )
    found = ["/"]
    for href in hrefs:
        if not href or href.startswith("#"):
            continue
        url = urljoin(base + "/", href)
        if not url.startswith(base):
            continue
        path = urlsplit(url).path
        if SKIPPED.search(path) or path in found:
            continue
        found.append(path)
    return found[:limit]


def measure(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => ({
            height: document.documentElement.scrollHeight,
            overflow: Math.max(0, document.documentElement.scrollWidth
                - document.documentElement.clientWidth),
        })"""
    )


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "home"


def walk(base: str, out: Path, pages: int) -> int:
    out.mkdir(parents=True, exist_ok=True)
    marked = 0
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage"],
        )
        for username in demo_people():
            context = browser.new_context(viewport={"width": WIDTHS[0], "height": 900})
            page = context.new_page()
            if not sign_in(page, base, username):
                print(f"{username}: could not sign in (is the demo loaded?)")
                marked += 1
                context.close()
                continue
            print(f"\n{username}")
            for path in main_links(page, base, pages):
                for width in WIDTHS:
                    page.set_viewport_size({"width": width, "height": 900})
                    response = page.goto(base + path)
                    status = response.status if response else 0
                    size = measure(page)
                    flag = (
                        "!" if size["overflow"] or size["height"] > LONG or status >= 400 else " "
                    )
                    marked += flag == "!"
                    shot = out / slug(username) / f"{slug(path)}-{width}.png"
                    shot.parent.mkdir(parents=True, exist_ok=True)
                    page.screenshot(path=str(shot), full_page=True)
                    print(
                        f" {flag} {path:<60} {width:>5} px wide: {size['height']:>7,} px long, "
                        f"{size['overflow']:>5,} px sideways, status {status}"
                    )
            context.close()
        browser.close()
    print(f"\nScreenshots in {out}. Pages marked '!': {marked}")
    return marked


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("base_url", help="the running service, e.g. http://localhost:8000")
    parser.add_argument("--out", type=Path, default=Path("walk-screenshots"))
    parser.add_argument("--pages", type=int, default=12, help="pages per person (default 12)")
    args = parser.parse_args()
    walk(args.base_url.rstrip("/"), args.out, args.pages)


if __name__ == "__main__":
    main()
