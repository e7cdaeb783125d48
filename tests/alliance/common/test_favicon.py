"""Every page names Alliance's own icon (issue #16: no favicon), served from the built assets,
and not GOV.UK Frontend's crown, which is for GOV.UK services only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[3]


def test_pages_link_alliances_own_icon(client):
    html = client.get("/accessibility/").content.decode()
    icons = re.findall(r'<link rel="icon"[^>]*href="([^"]+)"', html)
    assert icons == ["/static/dist/favicon.svg"]
    assert "govuk-icon" not in html
    assert "images/favicon" not in html
    assert 'rel="manifest"' not in html  # GOV.UK Frontend's manifest lists the crown icons


def test_the_icon_is_built_and_served(client):
    source = ROOT / "src" / "alliance" / "common" / "assets" / "favicon.svg"
    assert source.read_text().startswith("<svg")
    assert "favicon.svg" in (ROOT / "scripts" / "build-assets.mjs").read_text()
    built = Path(settings.STATICFILES_DIRS[0][1]) / "favicon.svg"
    if not built.exists():
        pytest.skip("the assets are not built (make assets)")
    assert built.read_bytes() == source.read_bytes()
    response = client.get("/static/dist/favicon.svg")
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content]) == (
        source.read_bytes()
    )
